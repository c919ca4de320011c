import { diffRouteSets, summarizeDiff } from '../control/route-set-diff';
import { ReleaseMovedError, ReleaseNotFoundError, StoreUnavailableError } from '../errors';
import type { Route } from '../routes/model';
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

  async publishRelease(routes: readonly Route[], meta: ReleaseMeta): Promise<PublishResult> {
    this.throwIfFailing('publishing a release');
    const live = this.control.release;
    if (meta.basedOn !== undefined && meta.basedOn !== live) throw new ReleaseMovedError(meta.basedOn, live);
    const diff = diffRouteSets(routeSetAt(this.items, live), routes);
    const result = {
      changed: diff.touched,
      added: diff.added.map((r) => r.psarn),
      updated: diff.updated.map((u) => u.after.psarn),
      removed: diff.removed.map((r) => r.psarn),
    };
    if (diff.touched.length === 0) return { release: live, ...result };
    const release = live + 1;
    for (const route of diff.added) this.items.push({ psarn: route.psarn, release, route });
    for (const { after } of diff.updated) this.items.push({ psarn: after.psarn, release, route: after });
    for (const route of diff.removed) this.items.push({ psarn: route.psarn, release, route: undefined });
    const at = new Date(this.now()).toISOString();
    this.records.push({
      release,
      at,
      by: meta.by,
      summary: meta.summary ?? summarizeDiff(diff),
      changed: diff.touched,
      ...(meta.from === undefined ? {} : { from: meta.from }),
    });
    this.control = { ...this.control, release, updatedAt: at, updatedBy: meta.by };
    return { release, ...result };
  }

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
