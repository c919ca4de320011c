import type { Route } from '../routes/model';
import type { ControlState } from './route-store';

/** Who publishes a release and why; stored in the release's audit record. */
export interface ReleaseMeta {
  /** `user@host` or `PSARN_USER`. */
  readonly by: string;
  /** One line for `psarn history`; defaults to "X added, Y changed, Z removed". */
  readonly summary?: string;
  /** The release this one copies (rollback). */
  readonly from?: number;
  /**
   * The live release the caller read its routes from (a reviewed plan, park, rollback). When
   * another release went live since, the publish is refused rather than silently undoing it.
   */
  readonly basedOn?: number;
}

/** What a publish did. A publish without changes writes nothing and returns the live release. */
export interface PublishResult {
  /** The new live release, or the unchanged live one when nothing changed. */
  readonly release: number;
  /** Every psARN this release wrote (added, changed or removed), sorted. */
  readonly changed: readonly string[];
  readonly added: readonly string[];
  readonly updated: readonly string[];
  readonly removed: readonly string[];
}

/** The audit record of one committed release, as `psarn history` shows it. */
export interface ReleaseRecord {
  readonly release: number;
  /** ISO time the release was claimed. */
  readonly at: string;
  readonly by: string;
  readonly summary: string;
  readonly changed: readonly string[];
  readonly from?: number;
}

/**
 * The write side of the route table, for the control plane (`psarn apply`, `rollback`, `park`,
 * `flush`, `history`). Kept apart from `RouteStore` so the router never holds write access.
 *
 * @example
 * const { release } = await releases.publishRelease(routes, { by: 'ana@laptop' });
 */
export interface ReleaseStore {
  /**
   * Publish `routes` as the complete route set of a new release. Writes only the routes that
   * differ from the live release (and tombstones for the ones missing from `routes`).
   * Throws ReleaseConflictError when another apply holds or took the next release number.
   */
  publishRelease(routes: readonly Route[], meta: ReleaseMeta): Promise<PublishResult>;
  /** Increments the flush epoch: every router drops its cache within `epochCheckSeconds`. */
  bumpEpoch(by: string): Promise<ControlState>;
  /** Committed releases, oldest first. */
  listReleases(): Promise<readonly ReleaseRecord[]>;
  /** The complete route set of committed release `release`, sorted by psARN. */
  routesAt(release: number): Promise<readonly Route[]>;
  /** The `#control` item (release 0, epoch 0 when the table is new). */
  readControl(): Promise<ControlState>;
}
