/**
 * Heap bytes per cached route: process.memoryUsage().heapUsed around filling a RouteCache with
 * `count` distinct routes, with a full GC before each reading (needs `node --expose-gc`, which
 * `npm run bench` passes; without it the figure would be mostly garbage, so it is null with a
 * reason). Every route the store hands out is a fresh object from JSON.parse, as the DynamoDB
 * store's unmarshalled items are, so the route's own memory is counted, not shared.
 */
import { RouteCache } from '../src/store/route-cache';
import type { ControlState, RouteStore, StoredRoute } from '../src/store/route-store';
import type { Route } from '../src/routes/model';

const template: Route = {
  psarn: 'arn:aws:psarns:us-east-1:000000000000:/heap/0',
  ttl: 300,
  targets: [{ arn: 'arn:aws:sqs:us-east-1:000000000000:psarn-heap', kind: 'sqs', weight: 1 }],
  fanout: [],
  onFailure: 'dlq',
};
/** Hands out a fresh copy of `template` under any psARN asked for: as many routes as wanted, at once. */
export class GeneratedStore implements RouteStore {
  private readonly json: string;
  constructor(route: Route = template) {
    this.json = JSON.stringify(route);
  }
  readControl(): Promise<ControlState> {
    return Promise.resolve({ release: 1, epoch: 0, updatedAt: '', updatedBy: 'bench' });
  }
  getRoute(psarn: string, release: number): Promise<StoredRoute | undefined> {
    const route = JSON.parse(this.json) as { psarn: string };
    route.psarn = psarn;
    return Promise.resolve({ route: route as Route, release });
  }
}

export interface HeapFigure {
  /** Distinct routes looked up. */
  readonly routes: number;
  /** Entries the cache held afterwards. */
  readonly cached: number;
  /** Heap growth divided by `cached`; null without --expose-gc. */
  readonly bytesPerRoute: number | null;
  /** Heap growth in total; null without --expose-gc. */
  readonly retainedBytes: number | null;
  readonly reason?: string;
}

export async function heapPerRoute(routes: number, maxRoutes: number): Promise<HeapFigure> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const cache = new RouteCache({ store: new GeneratedStore(), epochCheckSeconds: 3600, maxRoutes });
  if (gc === undefined) {
    return {
      routes,
      cached: 0,
      bytesPerRoute: null,
      retainedBytes: null,
      reason: 'global.gc is not exposed: run node with --expose-gc',
    };
  }
  await cache.get(template.psarn); // the control read and first entry are not per-route cost
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 1; i <= routes; i++) await cache.get(`arn:aws:psarns:us-east-1:000000000000:/heap/${i}`);
  gc();
  const retained = process.memoryUsage().heapUsed - before;
  // The warm-up entry was in `before`; under a small cap it may have been evicted since.
  const cached = cache.size - (cache.peek(template.psarn) === undefined ? 0 : 1);
  return { routes, cached, bytesPerRoute: Math.round(retained / cached), retainedBytes: retained };
}
