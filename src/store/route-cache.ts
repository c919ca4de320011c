import { RouteNotFoundError, StoreUnavailableError, PsarnError } from '../errors';
import type { Route } from '../routes/model';
import { answerWithin, StoreTimeoutError, withDeadline } from './read-deadline';
import type { ControlState, RouteStore, StoredRoute } from './route-store';

export interface RouteCacheOptions {
  readonly store: RouteStore;
  /**
   * `#control` is read at most this often; a new release then re-validates the routes it changed
   * (their psARNs read from its `#release` record), a new epoch (flush) drops every route.
   */
  readonly epochCheckSeconds?: number;
  /** How long an unknown psARN is remembered as unknown. */
  readonly negativeTtlSeconds?: number;
  /** How long past its TTL a route may be served while the store is failing (RFC 8767). */
  readonly maxStaleSeconds?: number;
  /** After a failed or late refresh, how long a stale route is served before the store is tried again. */
  readonly staleRetrySeconds?: number;
  /**
   * How long an event waits for a refresh before it is answered from what the cache has: a
   * stale route, or a cached route against the release last seen when the `#control` re-check
   * is late (RFC 8767's client response timer). The refresh carries on and is used when it
   * answers. Default 100 ms.
   */
  readonly staleAnswerMs?: number;
  /**
   * The longest the cache waits for any one store read, whatever the SDK client's own timeouts
   * (or their absence): past it the read counts as failed (STORE_UNAVAILABLE unless a stale copy
   * can answer), is aborted, and frees its psARN's in-flight slot. Default 2000 ms.
   */
  readonly readTimeoutMs?: number;
  /**
   * The most entries (routes and unknown psARNs) kept at once; past it entries not used since
   * eviction last passed them go (clock eviction, an approximation of LRU, see evictOne). Bounds a warm instance's memory whatever the number of
   * distinct psARNs it sees. Default 10,000.
   */
  readonly maxRoutes?: number;
  /** Milliseconds clock, injected for tests. */
  readonly now?: () => number;
}

/** A route as the cache hands it out: the route and the release it was read at. */
export interface CachedRoute {
  readonly route: Route;
  readonly release: number;
}

/** Counters the tests and the benchmark read; cheap integer bumps on the hot path. */
export interface RouteCacheStats {
  hits: number;
  misses: number;
  negativeHits: number;
  staleServes: number;
  storeReads: number;
  controlReads: number;
}

/**
 * How the store behaved, beside RouteCacheStats (which metric snapshots are typed by): bumped
 * only when a read fails or is late, never on the hot path.
 */
export interface StoreFaultStats {
  /** Store reads that failed, timeouts included. */
  storeFailures: number;
  /** Store reads the cache gave up on after `readTimeoutMs`. */
  storeTimeouts: number;
  /** Times a due `#control` re-check had not answered within `staleAnswerMs` (or failed), so events went on against the release last seen. */
  lateControlChecks: number;
}

/** How the cache followed release changes; bumped once per release seen, never on the hot path. */
export interface ReleaseCheckStats {
  /** Reads of the psARNs a release changed (`changedBetween`), one per release change seen. */
  changeReads: number;
  /** Release changes after which every cached route had to be re-read (no list, or it failed). */
  fullRevalidations: number;
}

/**
 * How a cold cache filled itself from the live release's snapshot (RouteStore.readSnapshot);
 * bumped once per cold start, never on the hot path.
 */
export interface SnapshotStats {
  /** Snapshot reads (one per cold start, when the store has snapshots). */
  snapshotReads: number;
  /** Routes the snapshot put in the cache. */
  snapshotRoutes: number;
  /** Snapshot reads that gave nothing usable (missing, partial, corrupt, failed): routes were then read one by one. */
  snapshotFallbacks: number;
}

/**
 * A release change across more releases than this re-validates every route rather than read
 * that many records.
 */
const MAX_RELEASE_GAP = 50;

/** Negative entries kept at most (see forgetOldUnknowns). */
const MAX_UNKNOWN = 10_000;

/** Entries kept at most unless RouteCacheOptions.maxRoutes says otherwise. */
export const DEFAULT_MAX_ROUTES = 10_000;

interface Entry {
  /** undefined: a negative entry (the psARN is unknown at `release`). */
  readonly value: CachedRoute | undefined;
  /** The control state this entry was validated against. */
  readonly release: number;
  readonly epoch: number;
  /** Fresh until this instant (ms). */
  readonly freshUntil: number;
  /** Never served past this instant, even when the store is down (ms). */
  readonly staleUntil: number;
  /**
   * Set when the entry answers, cleared when eviction passes it over once (clock / second
   * chance). A flag write rather than moving the key to the Map's end (delete + set) on every
   * hit: measured ~180 ns more per hit for delete + set, the flag within noise of no touch.
   */
  used: boolean;
}

/** An entry that can still answer while its refresh fails or is late. */
type StaleEntry = Entry & { readonly value: CachedRoute };

/** One store read of a psARN, shared by every caller until it settles or times out. */
interface PendingRoute {
  /** The read's outcome, bounded by readTimeoutMs; a failure answers from a stale entry when there is one. */
  readonly settled: Promise<CachedRoute>;
  /** What callers holding a stale entry await: `settled`, or the stale route after staleAnswerMs. */
  readonly answer: Promise<CachedRoute>;
  readonly startedAt: number;
  /** The control state the read was issued against: only callers of the same one join it. */
  readonly control: ControlState;
}

/** The one `#control` read in flight. */
interface PendingControl {
  /** Bounded by readTimeoutMs; rejects only when there is no control state to fall back on. */
  readonly settled: Promise<ControlState>;
  /** Resolves when `settled` does or after staleAnswerMs, whichever comes first; never rejects. */
  readonly answer: Promise<unknown>;
}

const ignore = (): undefined => undefined;

/**
 * The router's per-instance route cache (DESIGN.md "Router cache"). A fresh route is answered by
 * `peek` synchronously: no I/O, no promise, no allocation. Otherwise `get` reads the store once,
 * shared by every concurrent caller of the same psARN.
 *
 * A slow or hung store never holds up an event that the cache can answer (the hot path rule "a
 * hung call never blocks events whose route is cached"): a due `#control` re-check and a route
 * refresh are each waited for at most `staleAnswerMs` before the cache answers with what it has
 * — cached routes against the release last seen, stale routes within `maxStaleSeconds` — while
 * the read finishes in the background and is used the moment it answers. Only an event with
 * nothing cached waits for the store, and never longer than `readTimeoutMs` (or the client's own,
 * shorter, timeout), counted from when the read it joined began.
 *
 * @example
 * const cache = new RouteCache({ store });
 * const cached = cache.peek(psarn) ?? (await cache.get(psarn));
 */
export class RouteCache {
  readonly stats: RouteCacheStats & StoreFaultStats & ReleaseCheckStats & SnapshotStats = {
    hits: 0,
    misses: 0,
    negativeHits: 0,
    staleServes: 0,
    storeReads: 0,
    controlReads: 0,
    storeFailures: 0,
    storeTimeouts: 0,
    lateControlChecks: 0,
    changeReads: 0,
    fullRevalidations: 0,
    snapshotReads: 0,
    snapshotRoutes: 0,
    snapshotFallbacks: 0,
  };

  private readonly store: RouteStore;
  private readonly epochCheckMs: number;
  private readonly negativeTtlMs: number;
  private readonly maxStaleMs: number;
  private readonly staleRetryMs: number;
  private readonly staleAnswerMs: number;
  private readonly readTimeoutMs: number;
  private readonly now: () => number;
  private readonly maxRoutes: number;

  private readonly entries = new Map<string, Entry>();
  private unknownCount = 0;
  private readonly inflight = new Map<string, PendingRoute>();
  private control: ControlState | undefined;
  private nextControlCheck = 0;
  private controlInflight: PendingControl | undefined;
  /** Set by the first `#control` read of a cold cache: the live release's snapshot is to be read. */
  private snapshotDue = false;
  /** The snapshot read in flight; cold callers wait for it (within readTimeoutMs), never longer. */
  private snapshotLoad: Promise<void> | undefined;

  constructor(options: RouteCacheOptions) {
    this.store = options.store;
    this.epochCheckMs = (options.epochCheckSeconds ?? 5) * 1000;
    this.negativeTtlMs = (options.negativeTtlSeconds ?? 5) * 1000;
    this.maxStaleMs = (options.maxStaleSeconds ?? 300) * 1000;
    this.staleRetryMs = (options.staleRetrySeconds ?? 1) * 1000;
    this.staleAnswerMs = options.staleAnswerMs ?? 100;
    this.readTimeoutMs = options.readTimeoutMs ?? 2000;
    this.now = options.now ?? Date.now;
    const maxRoutes = options.maxRoutes ?? DEFAULT_MAX_ROUTES;
    if (!Number.isInteger(maxRoutes) || maxRoutes < 1)
      throw new Error(`maxRoutes must be a positive integer, got ${maxRoutes}`);
    this.maxRoutes = maxRoutes;
  }

  /** How many entries (routes and unknown psARNs) the cache holds now. */
  get size(): number {
    return this.entries.size;
  }

  /** The live release as last seen, or undefined before the first control read. */
  get release(): number | undefined {
    return this.control?.release;
  }

  /**
   * The route if it is cached and fresh, else undefined (then call `get`). Throws
   * RouteNotFoundError for a psARN cached as unknown.
   */
  peek(psarn: string): CachedRoute | undefined {
    const control = this.control;
    const now = this.now();
    if (control === undefined || now >= this.nextControlCheck) return undefined;
    const entry = this.entries.get(psarn);
    if (entry === undefined || now >= entry.freshUntil) return undefined;
    if (entry.release !== control.release || entry.epoch !== control.epoch) return undefined;
    entry.used = true;
    if (entry.value === undefined) {
      this.stats.negativeHits++;
      throw new RouteNotFoundError(psarn);
    }
    this.stats.hits++;
    return entry.value;
  }

  /**
   * The route for `psarn`: from the cache when fresh, else from the store (one read, shared by
   * concurrent callers). Serves a stale route when the store fails or is late, within
   * `maxStaleSeconds`.
   */
  async get(psarn: string): Promise<CachedRoute> {
    this.readAhead(psarn);
    await this.checkControl();
    await this.snapshotRead();
    const hit = this.peek(psarn);
    if (hit !== undefined) return hit;
    return this.lookup(psarn);
  }

  /** Forget everything (tests; the flush epoch does this for the router). */
  clear(): void {
    this.clearEntries();
    this.control = undefined;
    this.nextControlCheck = 0;
    this.snapshotDue = false;
  }

  /**
   * Drops every entry and, with them, the count of negative ones: a count left behind would
   * outgrow the entries over a few flushes, and then every unknown psARN would evict them all.
   */
  private clearEntries(): void {
    this.entries.clear();
    this.unknownCount = 0;
  }

  /** Every write of an entry goes through here, so the count of negative entries stays exact. */
  private setEntry(psarn: string, entry: Entry): void {
    const previous = this.entries.get(psarn);
    const wasUnknown = previous !== undefined && previous.value === undefined;
    this.entries.set(psarn, entry);
    if (entry.value !== undefined) {
      if (wasUnknown) this.unknownCount--;
    } else if (!wasUnknown) {
      this.unknownCount++;
      this.forgetOldUnknowns();
    }
    if (previous === undefined) while (this.entries.size > this.maxRoutes) this.evictOne(psarn);
  }

  /**
   * Clock eviction over the Map's order: the entry at the front goes unless it answered since
   * eviction last passed it, in which case it loses its mark and moves to the back. `added`, the
   * entry that made room necessary, is passed over: once every other entry has moved behind it
   * unmarked it would otherwise be the one to go, and the route just read would not be cached.
   * Each entry is passed over at most once per mark, so this is O(1) amortised per insert.
   */
  private evictOne(added: string): void {
    for (;;) {
      const next = this.entries.entries().next();
      if (next.done === true) return;
      const [key, entry] = next.value;
      this.entries.delete(key);
      if (entry.used || key === added) {
        entry.used = false;
        this.entries.set(key, entry);
        continue;
      }
      if (entry.value === undefined) this.unknownCount--;
      return;
    }
  }

  /**
   * Unknown psARNs are remembered briefly, but a stream of made-up ones must not grow a warm
   * instance's memory without bound: past MAX_UNKNOWN, the oldest negative entries go.
   */
  private forgetOldUnknowns(): void {
    if (this.unknownCount <= MAX_UNKNOWN) return;
    // Map order is insertion order: the oldest unknowns go first, down to half the cap.
    for (const [key, entry] of this.entries) {
      if (this.unknownCount <= MAX_UNKNOWN / 2) break;
      if (entry.value !== undefined) continue;
      this.entries.delete(key);
      this.unknownCount--;
    }
  }

  /** The entry of `psarn` if it may still be served stale now (a flush drops stale copies too). */
  private staleEntry(psarn: string, now: number): StaleEntry | undefined {
    const entry = this.entries.get(psarn);
    if (entry?.value === undefined || now >= entry.staleUntil) return undefined;
    if (entry.epoch !== this.control?.epoch) return undefined;
    return entry as StaleEntry;
  }

  /**
   * RFC 8767: answer from the stale entry, and let `peek` do so for a short pause, so a failing
   * or hung table is neither hammered nor waited on once per event. The entry is marked as
   * checked against the current release, or a release change would send every event to the
   * store again. A refresh that answers later overwrites it.
   */
  private serveStale(psarn: string, entry: StaleEntry, now: number, count = true): CachedRoute {
    const control = this.control ?? entry;
    this.setEntry(psarn, {
      ...entry,
      release: control.release,
      epoch: control.epoch,
      freshUntil: Math.min(now + this.staleRetryMs, entry.staleUntil),
      used: true,
    });
    if (count) this.stats.staleServes++;
    return entry.value;
  }

  private lookup(psarn: string): Promise<CachedRoute> {
    const now = this.now();
    const stale = this.staleEntry(psarn, now);
    const pending = this.joinable(psarn);
    if (pending === undefined) return this.startRead(psarn, stale, now).answer;
    if (stale === undefined) return pending.settled; // nothing to answer with: wait, within readTimeoutMs
    // The shared refresh is already late: answer stale at once rather than wait once more.
    if (now - pending.startedAt >= this.staleAnswerMs)
      return Promise.resolve(this.serveStale(psarn, stale, now));
    return pending.answer;
  }

  /**
   * The read of `psarn` in flight against the control state in force, if any. A read issued
   * against another release (read ahead of a `#control` check that then moved the release) or
   * before a flush answers its own callers but is not joined: its answer is of the wrong release.
   */
  private joinable(psarn: string): PendingRoute | undefined {
    const pending = this.inflight.get(psarn);
    const control = this.control;
    if (pending === undefined || control === undefined) return undefined;
    if (pending.control.release !== control.release || pending.control.epoch !== control.epoch)
      return undefined;
    return pending;
  }

  /**
   * An expired route costs a `#control` re-check (when due) and a Query. Rather than one after the
   * other, the Query is issued now, against the release last seen, while the check runs: when the
   * check confirms that release the event joins this read (one round trip, not two); when the
   * release moved, `lookup` reads again at the new one and this answer is not cached over it.
   * Nothing is read ahead when the check is not due, or the route is fresh and the check decides.
   */
  private readAhead(psarn: string): void {
    const control = this.control;
    const now = this.now();
    if (control === undefined || now < this.nextControlCheck) return;
    if (this.joinable(psarn) !== undefined) return;
    const entry = this.entries.get(psarn);
    const fresh =
      entry !== undefined &&
      now < entry.freshUntil &&
      entry.release === control.release &&
      entry.epoch === control.epoch;
    if (fresh) return;
    this.startRead(psarn, this.staleEntry(psarn, now), now);
  }

  private startRead(psarn: string, stale: StaleEntry | undefined, startedAt: number): PendingRoute {
    this.stats.misses++;
    const control = this.control;
    if (control === undefined) throw new StoreUnavailableError('the control item could not be read');
    this.stats.storeReads++;
    // Whether this read already answered stale (at staleAnswerMs): a later failure then only
    // extends the pause, it is not a second stale answer.
    let answeredStale = false;
    const settled = withDeadline(
      (signal) => this.store.getRoute(psarn, control.release, { signal }),
      this.readTimeoutMs,
      `reading route ${psarn} at release ${control.release}`,
    )
      .then(
        (stored) => this.remember(psarn, control, stored),
        (err: unknown) => {
          this.countFailure(err);
          const now = this.now();
          const fallback = this.staleEntry(psarn, now);
          if (fallback === undefined) throw asStoreError(err);
          return this.serveStale(psarn, fallback, now, !answeredStale);
        },
      )
      .finally(() => {
        if (this.inflight.get(psarn) === pending) this.inflight.delete(psarn);
      });
    // Callers may all have been answered stale already: the outcome is then nobody's to handle.
    settled.catch(ignore);
    const answer =
      stale === undefined
        ? settled
        : answerWithin(settled, this.staleAnswerMs, () => {
            const now = this.now();
            const late = this.staleEntry(psarn, now);
            if (late === undefined) return undefined; // flushed meanwhile: wait for the read
            answeredStale = true;
            return this.serveStale(psarn, late, now);
          });
    const pending: PendingRoute = { settled, answer, startedAt, control };
    this.inflight.set(psarn, pending);
    return pending;
  }

  /** Caches what the store answered (a route, or that there is none) and returns it. */
  private remember(psarn: string, control: ControlState, stored: StoredRoute | undefined): CachedRoute {
    const now = this.now();
    // Read before a flush this cache has seen since: answer it, but do not cache it. Nor over an
    // entry already checked against a newer release (a read ahead of a check that moved it).
    const newer = this.entries.get(psarn);
    const current =
      this.control?.epoch === control.epoch && (newer === undefined || newer.release <= control.release);
    if (stored === undefined) {
      if (current) {
        this.setEntry(psarn, {
          value: undefined,
          release: control.release,
          epoch: control.epoch,
          freshUntil: now + this.negativeTtlMs,
          staleUntil: now + this.negativeTtlMs,
          used: this.entries.has(psarn),
        });
      }
      throw new RouteNotFoundError(psarn);
    }
    // A refresh of a cached psARN was asked for by an event, so it counts as used; a new psARN
    // starts unmarked, so a flood of one-off psARNs evicts each other before the routes in use.
    const value: CachedRoute = { route: stored.route, release: control.release };
    const ttlMs = stored.route.ttl * 1000;
    if (current) {
      this.setEntry(psarn, {
        value,
        release: control.release,
        epoch: control.epoch,
        freshUntil: now + ttlMs,
        staleUntil: now + ttlMs + this.maxStaleMs,
        used: this.entries.has(psarn),
      });
    }
    return value;
  }

  /**
   * Re-reads `#control` once the check interval has passed: one read shared by every caller.
   * With a release already known, callers wait for it at most `staleAnswerMs` and then go on
   * against that release; the read still updates the cache when it answers.
   */
  private async checkControl(): Promise<void> {
    if (this.control !== undefined && this.now() < this.nextControlCheck) return;
    const pending = this.controlInflight ?? this.startControlRead();
    if (this.control === undefined) {
      await pending.settled; // nothing to serve against yet: wait (bounded by readTimeoutMs)
      return;
    }
    await pending.answer;
    if (this.controlInflight === pending && this.control !== undefined) this.controlLate();
  }

  /** The re-check is late: serve against the release last seen until a pause has passed. */
  private controlLate(): void {
    const now = this.now();
    if (now < this.nextControlCheck) return; // another caller did already
    this.stats.lateControlChecks++;
    this.nextControlCheck = now + this.staleRetryMs;
  }

  private startControlRead(): PendingControl {
    this.stats.controlReads++;
    this.stats.storeReads++;
    const settled = withDeadline(
      (signal) => this.store.readControl({ signal }),
      this.readTimeoutMs,
      'reading #control',
    )
      .then((next) => this.followRelease(next))
      .then(
        (next) => {
          // A cold cache (no release seen yet) fills itself from the release's snapshot next.
          if (this.control === undefined) this.snapshotDue = true;
          this.control = next;
          this.nextControlCheck = this.now() + this.epochCheckMs;
          return next;
        },
        (err: unknown) => {
          this.countFailure(err);
          if (this.control === undefined) throw asStoreError(err);
          // Keep the release we know; routes are then served from cache or stale until the store is back.
          this.controlLate();
          return this.control;
        },
      )
      .finally(() => {
        if (this.controlInflight === pending) this.controlInflight = undefined;
      });
    settled.catch(ignore);
    const answer = answerWithin(
      settled.then(
        () => true,
        () => true,
      ),
      this.staleAnswerMs,
      () => false,
    );
    const pending: PendingControl = { settled, answer };
    this.controlInflight = pending;
    return pending;
  }

  /**
   * Before a newly read `#control` takes effect: a flush (new epoch) drops every cached route,
   * stale copies too; a new release re-validates only the routes it changed. Their psARNs come
   * from the `#release` records (one read for the whole range); every other entry checked
   * against the previous release is carried to the new one as it is, so one changed route out
   * of 500 costs one route read, not 500. Without the list (no such read, it failed, too many
   * releases at once), entries keep the old release and are re-read as they are asked for.
   */
  private async followRelease(next: ControlState): Promise<ControlState> {
    const previous = this.control;
    if (previous === undefined) return next;
    if (next.epoch !== previous.epoch) {
      // psarn flush: the emergency TTL override drops every cached route, stale copies too.
      this.clearEntries();
      return next;
    }
    if (next.release === previous.release) return next;
    const changed = await this.readChanges(previous.release, next.release);
    if (changed === undefined) {
      this.stats.fullRevalidations++;
      return next;
    }
    // A flush seen meanwhile by another read has already cleared the entries and moved on.
    if (this.control !== previous) return next;
    const touched = new Set(changed);
    for (const [psarn, entry] of this.entries) {
      if (entry.release !== previous.release || entry.epoch !== next.epoch || touched.has(psarn)) continue;
      this.entries.set(psarn, {
        ...entry,
        release: next.release,
        value: entry.value === undefined ? undefined : { route: entry.value.route, release: next.release },
      });
    }
    return next;
  }

  /** The psARNs releases `from + 1` .. `to` changed, or undefined when they cannot be had. */
  private async readChanges(from: number, to: number): Promise<readonly string[] | undefined> {
    const { store } = this;
    if (store.changedBetween === undefined || to < from || to - from > MAX_RELEASE_GAP) return undefined;
    this.stats.changeReads++;
    this.stats.storeReads++;
    try {
      return await withDeadline(
        (signal) => store.changedBetween?.(from, to, { signal }) ?? Promise.resolve(undefined),
        this.readTimeoutMs,
        `reading the psARNs releases ${from + 1}..${to} changed`,
      );
    } catch (err) {
      this.countFailure(err);
      return undefined;
    }
  }

  /**
   * Once per cold start: every route of the live release from its snapshot, in one read instead
   * of one per psARN. Cold callers wait for it (bounded by readTimeoutMs, as for `#control`);
   * when it is missing, unusable or fails they read route by route, as without snapshots. The
   * store checks the snapshot is whole and of exactly this release, so it cannot serve a route
   * of another one.
   */
  private snapshotRead(): Promise<void> | undefined {
    if (this.snapshotLoad !== undefined) return this.snapshotLoad;
    const control = this.control;
    const read = this.store.readSnapshot?.bind(this.store);
    if (!this.snapshotDue || control === undefined) return undefined;
    this.snapshotDue = false;
    if (read === undefined || control.release === 0) return undefined;
    this.stats.snapshotReads++;
    this.stats.storeReads++;
    const load: Promise<void> = withDeadline(
      (signal) => read(control.release, { signal }),
      this.readTimeoutMs,
      `reading the snapshot of release ${control.release}`,
    )
      .then(
        (got) => {
          if ('unusable' in got) this.stats.snapshotFallbacks++;
          else this.fillFromSnapshot(control, got.routes);
        },
        (err: unknown) => {
          this.countFailure(err);
          this.stats.snapshotFallbacks++;
        },
      )
      .finally(() => {
        if (this.snapshotLoad === load) this.snapshotLoad = undefined;
      });
    this.snapshotLoad = load;
    return load;
  }

  /**
   * Caches the snapshot's routes as if each had just been read at `control`, unless the release
   * moved or a flush came meanwhile (then they are not the live routes, or not to be kept). A
   * route already cached by its own read stays; past maxRoutes the rest are left to the store.
   */
  private fillFromSnapshot(control: ControlState, routes: ReadonlyMap<string, Route>): void {
    const live = this.control;
    if (live?.release !== control.release || live.epoch !== control.epoch) {
      this.stats.snapshotFallbacks++;
      return;
    }
    const now = this.now();
    for (const [psarn, route] of routes) {
      if (this.entries.size >= this.maxRoutes) break;
      if (this.entries.has(psarn)) continue;
      const ttlMs = route.ttl * 1000;
      this.setEntry(psarn, {
        value: { route, release: control.release },
        release: control.release,
        epoch: control.epoch,
        freshUntil: now + ttlMs,
        staleUntil: now + ttlMs + this.maxStaleMs,
        used: false,
      });
      this.stats.snapshotRoutes++;
    }
  }

  private countFailure(err: unknown): void {
    this.stats.storeFailures++;
    if (err instanceof StoreTimeoutError) this.stats.storeTimeouts++;
  }
}

function asStoreError(err: unknown): PsarnError {
  return err instanceof PsarnError ? err : new StoreUnavailableError(describe(err), err);
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
