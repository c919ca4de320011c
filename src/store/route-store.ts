import type { Route } from '../routes/model';
import type { SnapshotRead } from './snapshot';

/** The `#control` item: which release is live, and the flush epoch. */
export interface ControlState {
  readonly release: number;
  readonly epoch: number;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

/** A route as stored: the route and the release that last wrote it. */
export interface StoredRoute {
  readonly route: Route;
  /** Release whose item this is (the newest at or below the live release that touched the route). */
  readonly release: number;
}

/** Per-read options a caller may pass; a store that cannot cancel a read may ignore them. */
export interface ReadOptions {
  /** Aborted when the caller stopped waiting (the cache's own deadline): the read may give up. */
  readonly signal?: AbortSignal;
}

/**
 * The read side of the route table, as the router and the producer client use it. One call is
 * one store read (one GetItem or one Query on DynamoDB), so the cache can count them.
 */
export interface RouteStore {
  readControl(options?: ReadOptions): Promise<ControlState>;
  /** The route as of `release`, or undefined when it does not exist or was removed (tombstone). */
  getRoute(psarn: string, release: number, options?: ReadOptions): Promise<StoredRoute | undefined>;
  /**
   * Every psARN that releases `after + 1` to `upTo` changed, from their `#release` records (one
   * Query), or undefined when a record is missing. The cache uses it to re-validate only those
   * routes when the release moves; a store without it makes the cache re-validate every route.
   */
  changedBetween?(after: number, upTo: number, options?: ReadOptions): Promise<readonly string[] | undefined>;
  /**
   * Every route of `release` at once, from its snapshot (one Query, more only past 1 MB), or why
   * there is none usable (missing, partial, corrupt: the caller then reads route by route). A
   * cold cache uses it so that its first events do not cost one read per psARN.
   */
  readSnapshot?(release: number, options?: ReadOptions): Promise<SnapshotRead>;
}
