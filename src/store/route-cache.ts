import { RouteNotFoundError, StoreUnavailableError, PsarnError } from '../errors';
import type { Route } from '../routes/model';
import type { ControlState, RouteStore } from './route-store';

export interface RouteCacheOptions {
  readonly store: RouteStore;
  /** `#control` is read at most this often; a new release or epoch then re-validates routes. */
  readonly epochCheckSeconds?: number;
  /** How long an unknown psARN is remembered as unknown. */
  readonly negativeTtlSeconds?: number;
  /** How long past its TTL a route may be served while the store is failing (RFC 8767). */
  readonly maxStaleSeconds?: number;
  /** After a failed refresh, how long a stale route is served before the store is tried again. */
  readonly staleRetrySeconds?: number;
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

/** Negative entries kept at most (see forgetOldUnknowns). */
const MAX_UNKNOWN = 10_000;

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
}

/**
 * The router's per-instance route cache (DESIGN.md "Router cache"). A fresh route is answered by
 * `peek` synchronously: no I/O, no promise, no allocation. Otherwise `get` reads the store once,
 * shared by every concurrent caller of the same psARN.
 *
 * @example
 * const cache = new RouteCache({ store });
 * const cached = cache.peek(psarn) ?? (await cache.get(psarn));
 */
export class RouteCache {
  readonly stats: RouteCacheStats = {
    hits: 0,
    misses: 0,
    negativeHits: 0,
    staleServes: 0,
    storeReads: 0,
    controlReads: 0,
  };

  private readonly store: RouteStore;
  private readonly epochCheckMs: number;
  private readonly negativeTtlMs: number;
  private readonly maxStaleMs: number;
  private readonly staleRetryMs: number;
  private readonly now: () => number;

  private readonly entries = new Map<string, Entry>();
  private unknownCount = 0;
  private readonly inflight = new Map<string, Promise<CachedRoute>>();
  private control: ControlState | undefined;
  private nextControlCheck = 0;
  private controlInflight: Promise<ControlState> | undefined;

  constructor(options: RouteCacheOptions) {
    this.store = options.store;
    this.epochCheckMs = (options.epochCheckSeconds ?? 5) * 1000;
    this.negativeTtlMs = (options.negativeTtlSeconds ?? 5) * 1000;
    this.maxStaleMs = (options.maxStaleSeconds ?? 300) * 1000;
    this.staleRetryMs = (options.staleRetrySeconds ?? 1) * 1000;
    this.now = options.now ?? Date.now;
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
    if (entry.value === undefined) {
      this.stats.negativeHits++;
      throw new RouteNotFoundError(psarn);
    }
    this.stats.hits++;
    return entry.value;
  }

  /**
   * The route for `psarn`: from the cache when fresh, else from the store (one read, shared by
   * concurrent callers). Serves a stale route when the store fails, within `maxStaleSeconds`.
   */
  async get(psarn: string): Promise<CachedRoute> {
    await this.checkControl();
    const hit = this.peek(psarn);
    if (hit !== undefined) return hit;
    const pending = this.inflight.get(psarn);
    if (pending !== undefined) return pending;
    const lookup = this.load(psarn).finally(() => this.inflight.delete(psarn));
    this.inflight.set(psarn, lookup);
    return lookup;
  }

  /** Forget everything (tests; the flush epoch does this for the router). */
  clear(): void {
    this.clearEntries();
    this.control = undefined;
    this.nextControlCheck = 0;
  }

  /**
   * Drops every entry and, with them, the count of negative ones: a count left behind would
   * outgrow the entries over a few flushes, and then every unknown psARN would evict them all.
   */
  private clearEntries(): void {
    this.entries.clear();
    this.unknownCount = 0;
  }

  /**
   * Unknown psARNs are remembered briefly, but a stream of made-up ones must not grow a warm
   * instance's memory without bound: past MAX_UNKNOWN, the oldest negative entries go.
   */
  private forgetOldUnknowns(previous: Entry | undefined): void {
    if (previous !== undefined && previous.value === undefined) return; // same psARN, still unknown
    if (++this.unknownCount <= MAX_UNKNOWN) return;
    // Map order is insertion order: the oldest unknowns go first, down to half the cap.
    for (const [key, entry] of this.entries) {
      if (this.unknownCount <= MAX_UNKNOWN / 2) break;
      if (entry.value !== undefined) continue;
      this.entries.delete(key);
      this.unknownCount--;
    }
  }

  private async load(psarn: string): Promise<CachedRoute> {
    this.stats.misses++;
    const control = this.control;
    if (control === undefined) throw new StoreUnavailableError('the control item could not be read');
    const previous = this.entries.get(psarn);
    const now = this.now();
    let stored;
    try {
      this.stats.storeReads++;
      stored = await this.store.getRoute(psarn, control.release);
    } catch (err) {
      if (previous?.value !== undefined && now < previous.staleUntil) {
        // RFC 8767: answer from the stale entry, and retry the store only after a pause so a
        // failing table is not hammered once per event. The entry is marked as checked against
        // the current release, or a release change would send every event to the store again.
        this.entries.set(psarn, {
          ...previous,
          release: control.release,
          epoch: control.epoch,
          freshUntil: Math.min(now + this.staleRetryMs, previous.staleUntil),
        });
        this.stats.staleServes++;
        return previous.value;
      }
      throw err instanceof PsarnError ? err : new StoreUnavailableError(describe(err), err);
    }
    if (stored === undefined) {
      this.forgetOldUnknowns(previous);
      this.entries.set(psarn, {
        value: undefined,
        release: control.release,
        epoch: control.epoch,
        freshUntil: now + this.negativeTtlMs,
        staleUntil: now + this.negativeTtlMs,
      });
      throw new RouteNotFoundError(psarn);
    }
    if (previous !== undefined && previous.value === undefined) this.unknownCount--; // now known
    const value: CachedRoute = { route: stored.route, release: control.release };
    const ttlMs = stored.route.ttl * 1000;
    this.entries.set(psarn, {
      value,
      release: control.release,
      epoch: control.epoch,
      freshUntil: now + ttlMs,
      staleUntil: now + ttlMs + this.maxStaleMs,
    });
    return value;
  }

  /** Reads `#control` when the check interval has passed; one read shared by concurrent callers. */
  private async checkControl(): Promise<void> {
    if (this.control !== undefined && this.now() < this.nextControlCheck) return;
    this.controlInflight ??= this.readControl().finally(() => {
      this.controlInflight = undefined;
    });
    await this.controlInflight;
  }

  private async readControl(): Promise<ControlState> {
    const now = this.now();
    try {
      this.stats.controlReads++;
      this.stats.storeReads++;
      const next = await this.store.readControl();
      if (this.control !== undefined && next.epoch !== this.control.epoch) {
        // psarn flush: the emergency TTL override drops every cached route, stale copies too.
        this.clearEntries();
      }
      this.control = next;
      this.nextControlCheck = now + this.epochCheckMs;
      return next;
    } catch (err) {
      if (this.control === undefined) {
        throw err instanceof PsarnError ? err : new StoreUnavailableError(describe(err), err);
      }
      // Keep the release we know; routes are then served from cache or stale until the store is back.
      this.nextControlCheck = now + this.staleRetryMs;
      return this.control;
    }
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
