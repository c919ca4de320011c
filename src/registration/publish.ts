import { diffRouteSets, summarizeDiff } from '../control/route-set-diff';
import { ErrorCode, PsarnError } from '../errors';
import type { Route } from '../routes/model';
import type { PublishResult, ReleaseStore } from '../store/release-store';
import { mergeRegistrations, withoutRegistrations, type MergeNote } from './merge';
import type { RegistrationSet } from './model';
import type { RegistrationStore } from './registration-store';

/** The live release, the registrations and the route set they make together, read in that order. */
export interface LayeredView {
  readonly release: number;
  readonly live: readonly Route[];
  readonly sets: readonly RegistrationSet[];
}

/**
 * Read the live release pointer, then the registrations, then the live routes. The order is the
 * point: a registration written before its publisher read `#control` is seen here, and one written
 * later belongs to a publisher whose own claim on the next release (conditional on the pointer
 * this one read) either fails or comes after ours and re-merges. So no interleaving of two
 * publishers loses a registration (docs/discovery.md "Self-registration", concurrency).
 */
export async function readLayered(
  releases: ReleaseStore,
  registrations: RegistrationStore,
): Promise<LayeredView> {
  const { release } = await releases.readControl();
  const sets = await registrations.list();
  const live = release === 0 ? [] : await releases.routesAt(release);
  return { release, live, sets };
}

export interface RepublishOptions {
  readonly releases: ReleaseStore;
  readonly registrations: RegistrationStore;
  /** Who runs it (PSARN_USER or user@host): the release record's `by`. */
  readonly by: string;
  /** What the release record's summary starts with: `registered by signup/prod`. */
  readonly action: string;
  /** Publishes to try when another release goes live meanwhile (default 6). */
  readonly attempts?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface RepublishResult {
  readonly result: PublishResult;
  /** The route set published (or found live unchanged). */
  readonly routes: readonly Route[];
  readonly notes: readonly MergeNote[];
}

/**
 * Publish the live release's own routes (its registered targets removed) merged with the
 * registrations as they are now, through the one release machinery (`publishRelease`: claim in
 * `#control`, fenced commit), based on the release it read. When another release went live
 * first (another registration, an apply), it reads again and retries: the claim serialises
 * concurrent registrations, and each retry merges what the others wrote. Nothing changed →
 * nothing is written (a re-deploy of the same registrations).
 *
 * @example
 * await republishRegistrations({ releases, registrations, by: 'ci@build', action: 'registered by signup/prod' });
 */
export async function republishRegistrations(options: RepublishOptions): Promise<RepublishResult> {
  const attempts = options.attempts ?? 6;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    const view = await readLayered(options.releases, options.registrations);
    const merged = mergeRegistrations(withoutRegistrations(view.live), view.sets);
    const diff = diffRouteSets(new Map(view.live.map((r) => [r.psarn, r])), merged.routes);
    try {
      const result = await options.releases.publishRelease(merged.routes, {
        by: options.by,
        summary: `${options.action}: ${summarizeDiff(diff)}`,
        basedOn: view.release,
      });
      return { result, routes: merged.routes, notes: merged.notes };
    } catch (err) {
      const conflict = err instanceof PsarnError && err.code === ErrorCode.RELEASE_CONFLICT;
      if (!conflict || attempt >= attempts) throw err;
      // Jittered backoff: two registrants retrying in lockstep would collide again.
      await sleep(Math.round(40 * 2 ** attempt * (0.5 + Math.random())));
    }
  }
}
