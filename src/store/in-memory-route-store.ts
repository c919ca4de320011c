import { ReleaseNotFoundError, StoreUnavailableError } from '../errors';
import type { Route } from '../routes/model';
import { publishRoutes, type ReleaseSteps } from './release-publisher';
import type { PublishResult, ReleaseMeta, ReleaseRecord, ReleaseStore } from './release-store';
import type { ControlState, RouteStore, StoredRoute } from './route-store';
import { EMPTY_CONTROL, routeSetAt, type RouteItem } from './table-items';

/**
 * The route table in memory, for unit tests: the same releases, tombstones and `#control` as
 * the DynamoDB store, without the network. `reads` counts `readControl`, `getRoute` and
 * `changedBetween` calls (one each, like the real store's requests); `failWith` makes every call fail like an outage.
 *
 * @example
 * const store = new InMemoryRouteStore();
 * await store.publishRelease([route], { by: 'test' });
 * store.failWith(new Error('boom')); // now every read throws StoreUnavailableError
 */
export class InMemoryRouteStore implements RouteStore, ReleaseStore {
  /** Store reads so far (`readControl` and `getRoute`). */
  reads = 0;
  private control: ControlState = EMPTY_CONTROL;
  private readonly items: RouteItem[] = [];
  private readonly records: ReleaseRecord[] = [];
  private failure: unknown = undefined;
  private changesFailure: unknown = undefined;

  constructor(private readonly now: () => number = Date.now) {}

  /** Make every following call fail with StoreUnavailableError caused by `cause`; `undefined` heals. */
  failWith(cause: unknown): void {
    this.failure = cause;
  }

  /** Make only `changedBetween` fail (the cache must then re-validate everything); `undefined` heals. */
  failChangesWith(cause: unknown): void {
    this.changesFailure = cause;
  }

  async changedBetween(after: number, upTo: number): Promise<readonly string[] | undefined> {
    this.reads++;
    this.throwIfFailing(`reading the records of releases ${after + 1}..${upTo}`);
    if (this.changesFailure !== undefined) {
      throw new StoreUnavailableError('reading release records failed (injected)', this.changesFailure);
    }
    const records = this.records.filter((r) => r.release > after && r.release <= upTo);
    if (records.length !== Math.max(0, upTo - after)) return undefined;
    return [...new Set(records.flatMap((r) => r.changed))];
  }

  async readControl(): Promise<ControlState> {
    this.reads++;
    this.throwIfFailing('reading #control');
    return this.control;
  }

  async getRoute(psarn: string, release: number): Promise<StoredRoute | undefined> {
    this.reads++;
    this.throwIfFailing(`reading route ${psarn}`);
    let newest: RouteItem | undefined;
    for (const item of this.items) {
      if (
        item.psarn === psarn &&
        item.release <= release &&
        (newest === undefined || item.release > newest.release)
      ) {
        newest = item;
      }
    }
    return newest?.route === undefined ? undefined : { route: newest.route, release: newest.release };
  }

  publishRelease(routes: readonly Route[], meta: ReleaseMeta): Promise<PublishResult> {
    return publishRoutes(this.steps, routes, meta);
  }

  /** Storage only: the publish rules are `publishRoutes`'s, shared with the DynamoDB store. */
  private readonly steps: ReleaseSteps<undefined> = {
    readLive: async () => {
      this.throwIfFailing('publishing a release');
      const release = this.control.release;
      return { release, routes: routeSetAt(this.items, release), snapshot: undefined };
    },
    writeRelease: async (write) => {
      this.throwIfFailing('publishing a release');
      const { release, record } = write;
      for (const { psarn, route } of write.routes) this.items.push({ psarn, release, route });
      this.records.push(record);
      this.control = { ...this.control, release, updatedAt: record.at, updatedBy: record.by };
    },
    now: () => this.now(),
  };

  async bumpEpoch(by: string): Promise<ControlState> {
    this.throwIfFailing('bumping the epoch');
    this.control = {
      ...this.control,
      epoch: this.control.epoch + 1,
      updatedAt: new Date(this.now()).toISOString(),
      updatedBy: by,
    };
    return this.control;
  }

  async listReleases(): Promise<readonly ReleaseRecord[]> {
    this.throwIfFailing('listing releases');
    return [...this.records];
  }

  async routesAt(release: number): Promise<readonly Route[]> {
    this.throwIfFailing(`reading release ${release}`);
    const live = this.control.release;
    if (!Number.isInteger(release) || release < 1 || release > live)
      throw new ReleaseNotFoundError(release, live);
    return [...routeSetAt(this.items, release).values()];
  }

  private throwIfFailing(step: string): void {
    if (this.failure !== undefined) {
      throw new StoreUnavailableError(`${step} in the in-memory store failed (injected)`, this.failure);
    }
  }
}
