import { diffRouteSets, summarizeDiff } from '../control/route-set-diff';
import { ReleaseMovedError } from '../errors';
import type { Route } from '../routes/model';
import type { PublishResult, ReleaseMeta, ReleaseRecord } from './release-store';

/** The live release as a store read it, with whatever the store needs to write the next one. */
export interface LiveRelease<Snapshot> {
  readonly release: number;
  /** The live route set, per psARN (tombstones dropped). */
  readonly routes: ReadonlyMap<string, Route>;
  /** Store-specific state the write step needs (the DynamoDB store: its Scan of the table). */
  readonly snapshot: Snapshot;
}

/** What one release writes: the route items that changed (undefined = a tombstone) and its record. */
export interface ReleaseWrite {
  readonly release: number;
  readonly record: ReleaseRecord;
  readonly routes: readonly { readonly psarn: string; readonly route: Route | undefined }[];
}

/**
 * The storage steps of a release store. The publish rules (the based-on check, the diff, what
 * is written, the summary) are `publishRoutes`'s, once for every store; a store only reads the
 * live release and writes a release so that it becomes visible at once, or not at all.
 */
export interface ReleaseSteps<Snapshot> {
  /** The live release and its route set, read consistently. */
  readLive(): Promise<LiveRelease<Snapshot>>;
  /**
   * Make `write.release` (the live release + 1) live with exactly these changes, atomically as
   * readers see it. Throws ReleaseConflictError when another publish holds or took the number.
   */
  writeRelease(write: ReleaseWrite, live: LiveRelease<Snapshot>): Promise<void>;
  /**
   * Optional: store `routes`, the whole route set of the live release `release`, as its snapshot
   * (snapshot.ts), unless a complete one is already there. Called once the release is live, so
   * only the apply that committed it writes it; a failure is the caller's to swallow.
   */
  writeSnapshot?(release: number, routes: readonly Route[], live: LiveRelease<Snapshot>): Promise<void>;
  /** Milliseconds clock for the record's time. */
  now(): number;
}

/**
 * Publish `routes` as the complete route set of a new release through `steps`: refuse when the
 * live release moved past `meta.basedOn`, write nothing when nothing changed, else write only
 * the routes that differ from the live release (and tombstones for the ones missing).
 *
 * @example
 * const result = await publishRoutes(steps, routes, { by: 'ana@laptop', basedOn: 4 });
 */
export async function publishRoutes<Snapshot>(
  steps: ReleaseSteps<Snapshot>,
  routes: readonly Route[],
  meta: ReleaseMeta,
): Promise<PublishResult> {
  const live = await steps.readLive();
  if (meta.basedOn !== undefined && meta.basedOn !== live.release)
    throw new ReleaseMovedError(meta.basedOn, live.release);
  const diff = diffRouteSets(live.routes, routes);
  const psarns = (list: readonly Route[]): string[] => list.map((r) => r.psarn);
  const result = {
    changed: diff.touched,
    added: psarns(diff.added),
    updated: diff.updated.map((u) => u.after.psarn),
    removed: psarns(diff.removed),
  };
  if (diff.touched.length === 0) {
    // Nothing to release, but the live release may lack its snapshot (a table older than
    // snapshots, or a write that failed): the same routes make it.
    if (live.release > 0) await writeSnapshot(steps, live.release, routes, live);
    return { release: live.release, ...result };
  }

  const release = live.release + 1;
  await steps.writeRelease(
    {
      release,
      record: {
        release,
        at: new Date(steps.now()).toISOString(),
        by: meta.by,
        summary: meta.summary ?? summarizeDiff(diff),
        changed: diff.touched,
        ...(meta.from === undefined ? {} : { from: meta.from }),
      },
      routes: [
        ...diff.added.map((r) => ({ psarn: r.psarn, route: r })),
        ...diff.updated.map((u) => ({ psarn: u.after.psarn, route: u.after })),
        ...diff.removed.map((r) => ({ psarn: r.psarn, route: undefined })),
      ],
    },
    live,
  );
  await writeSnapshot(steps, release, routes, live);
  return { release, ...result };
}

/**
 * The snapshot is a shortcut for cold readers, never the truth: the release is already live
 * whatever happens here. Readers fence it by release number and check it whole, so one missing
 * or half written costs them per-route reads, never a wrong route; the next apply writes it.
 */
async function writeSnapshot<Snapshot>(
  steps: ReleaseSteps<Snapshot>,
  release: number,
  routes: readonly Route[],
  live: LiveRelease<Snapshot>,
): Promise<void> {
  try {
    await steps.writeSnapshot?.(release, routes, live);
  } catch {
    // Nothing is lost (see above): readers of this release read route by route instead.
  }
}
