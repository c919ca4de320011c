import { RouteCache } from '../../src/store/route-cache';
import type { ControlState, RouteStore, StoredRoute } from '../../src/store/route-store';
import type { Route } from '../../src/routes/model';
import { ErrorCode } from '../../src/errors';
import { lambdaArn, route, split } from '../support/routes';

/** A store of our own port, so the cache's rules can be driven clock tick by clock tick. */
class ScriptedStore implements RouteStore {
  control: ControlState = { release: 1, epoch: 0, updatedAt: '', updatedBy: 'test' };
  routes = new Map<string, Route>();
  failing = false;
  /** Only route Queries fail (the control item still reads): a release change, then an outage. */
  routesFailing = false;
  routeReads = 0;
  readControl(): Promise<ControlState> {
    if (this.failing) return Promise.reject(new Error('connect ECONNREFUSED'));
    return Promise.resolve(this.control);
  }
  async getRoute(psarn: string, release: number): Promise<StoredRoute | undefined> {
    this.routeReads++;
    await new Promise((resolve) => setImmediate(resolve));
    if (this.failing || this.routesFailing) throw new Error('connect ECONNREFUSED');
    const found = this.routes.get(psarn);
    return found === undefined ? undefined : { route: found, release };
  }
}

const v1 = route('/event/a', { ttl: 60, targets: [split(lambdaArn('v1'), 1)] });
const v2 = route('/event/a', { ttl: 60, targets: [split(lambdaArn('v2'), 1)] });

function setup(options: { epochCheckSeconds?: number; maxStaleSeconds?: number } = {}) {
  const store = new ScriptedStore();
  store.routes.set(v1.psarn, v1);
  let now = 1_000_000;
  const cache = new RouteCache({ store, now: () => now, ...options });
  return { store, cache, advance: (seconds: number) => (now += seconds * 1000) };
}

describe('RouteCache', () => {
  it('answers a cached route without touching the store', async () => {
    const { store, cache } = setup();
    expect((await cache.get(v1.psarn)).route).toBe(v1);
    for (let i = 0; i < 1000; i++) expect(cache.peek(v1.psarn)?.route).toBe(v1);
    expect(store.routeReads).toBe(1);
    expect(cache.stats).toMatchObject({ storeReads: 2, controlReads: 1, hits: 1000, misses: 1 });
  });

  it('shares one store read between concurrent lookups of the same psARN', async () => {
    const { store, cache } = setup();
    const results = await Promise.all(Array.from({ length: 20 }, () => cache.get(v1.psarn)));
    expect(new Set(results.map((r) => r.route))).toEqual(new Set([v1]));
    expect(store.routeReads).toBe(1);
  });

  it('re-reads a route once its TTL has passed', async () => {
    const { store, cache, advance } = setup({ epochCheckSeconds: 1000 });
    await cache.get(v1.psarn);
    advance(59);
    expect(cache.peek(v1.psarn)).toBeDefined();
    advance(2);
    expect(cache.peek(v1.psarn)).toBeUndefined();
    store.routes.set(v1.psarn, v2);
    expect((await cache.get(v1.psarn)).route).toBe(v2);
  });

  it('sees a new release within epochCheckSeconds', async () => {
    const { store, cache, advance } = setup({ epochCheckSeconds: 5 });
    await cache.get(v1.psarn);
    store.routes.set(v1.psarn, v2);
    store.control = { ...store.control, release: 2 };
    advance(4);
    expect(cache.peek(v1.psarn)?.route).toBe(v1);
    advance(1);
    expect((await cache.get(v1.psarn)).route).toBe(v2);
    expect((await cache.get(v1.psarn)).release).toBe(2);
  });

  it('drops every cached route when the epoch is bumped (flush)', async () => {
    const { store, cache, advance } = setup({ epochCheckSeconds: 5 });
    await cache.get(v1.psarn);
    store.control = { ...store.control, epoch: 1 };
    advance(5);
    await cache.get(v1.psarn);
    expect(store.routeReads).toBe(2);
  });

  it('remembers an unknown psARN for a short while', async () => {
    const { store, cache, advance } = setup();
    const unknown = 'arn:aws:psarns:us-east-1:000000000000:/nope';
    await expect(cache.get(unknown)).rejects.toMatchObject({ code: ErrorCode.ROUTE_NOT_FOUND });
    expect(() => cache.peek(unknown)).toThrow('no route for');
    expect(store.routeReads).toBe(1);
    advance(6);
    await expect(cache.get(unknown)).rejects.toMatchObject({ code: ErrorCode.ROUTE_NOT_FOUND });
    expect(store.routeReads).toBe(2);
    expect(cache.stats.negativeHits).toBe(1);
  });

  it('serves a stale route while the store fails, then stops after maxStaleSeconds', async () => {
    const { store, cache, advance } = setup({ epochCheckSeconds: 5, maxStaleSeconds: 120 });
    await cache.get(v1.psarn);
    store.failing = true;
    advance(61);
    expect((await cache.get(v1.psarn)).route).toBe(v1);
    expect(cache.stats.staleServes).toBe(1);
    // Within the retry pause the stale copy is answered without another store read.
    const reads = store.routeReads;
    expect(cache.peek(v1.psarn)?.route).toBe(v1);
    expect(store.routeReads).toBe(reads);
    advance(120);
    await expect(cache.get(v1.psarn)).rejects.toMatchObject({ code: ErrorCode.STORE_UNAVAILABLE });
  });

  it('fails clearly for a psARN it never saw while the store is down', async () => {
    const { store, cache } = setup();
    store.failing = true;
    await expect(cache.get(v1.psarn)).rejects.toMatchObject({
      code: ErrorCode.STORE_UNAVAILABLE,
      message: 'route store unavailable: connect ECONNREFUSED',
    });
  });
});

describe('RouteCache serving stale across a release change', () => {
  it('pauses between store attempts instead of reading once per event', async () => {
    const { store, cache, advance } = setup({ epochCheckSeconds: 5, maxStaleSeconds: 120 });
    await cache.get(v1.psarn);
    store.routesFailing = true;
    store.control = { ...store.control, release: 2 };
    advance(5);
    const readsBefore = store.routeReads;
    for (let i = 0; i < 100; i++) expect((await cache.get(v1.psarn)).route).toBe(v1);
    expect(store.routeReads - readsBefore).toBe(1);
    expect(cache.stats.staleServes).toBe(1);
  });
});

describe('RouteCache memory', () => {
  it('keeps at most 10,000 unknown psARNs, forgetting the oldest first', async () => {
    const { cache, store } = setup({ epochCheckSeconds: 3600 });
    const unknown = (i: number) => `arn:aws:psarns:us-east-1:000000000000:/unknown/${i}`;
    for (let i = 0; i <= 10_000; i++) await expect(cache.get(unknown(i))).rejects.toThrow('no route for');
    const reads = store.routeReads;
    // The newest unknown is still remembered; the oldest was forgotten and costs a read again.
    expect(() => cache.peek(unknown(10_000))).toThrow('no route for');
    await expect(cache.get(unknown(0))).rejects.toThrow('no route for');
    expect(store.routeReads).toBe(reads + 1);
  });
});

describe('RouteCache memory across flushes', () => {
  it('forgets the unknown-psARN count with the entries when the epoch is bumped', async () => {
    const { cache, store, advance } = setup({ epochCheckSeconds: 5 });
    const unknown = (i: number) => `arn:aws:psarns:us-east-1:000000000000:/unknown/${i}`;
    // 12,000 unknowns, a flush in the middle: never more than 6,000 negative entries at once.
    for (let i = 0; i < 6_000; i++) await expect(cache.get(unknown(i))).rejects.toThrow('no route for');
    store.control = { ...store.control, epoch: 1 };
    advance(5);
    for (let i = 6_000; i < 12_000; i++) await expect(cache.get(unknown(i))).rejects.toThrow('no route for');
    // Well under the cap, so the newest unknowns stay remembered: one more does not evict them.
    await expect(cache.get(unknown(12_000))).rejects.toThrow('no route for');
    expect(() => cache.peek(unknown(11_999))).toThrow('no route for');
    expect(() => cache.peek(unknown(6_000))).toThrow('no route for');
  });
});
