import { DEFAULT_MAX_CLOCK_SKEW_MS, EMPTY_HEALTH, type HealthState } from './health-state';
import { ALL_HEALTHY, healthView, type HealthView } from './health-view';

/** What the router asks of health: a view now (never waits) and, once, a short wait for the first read. */
export interface HealthSource {
  /** The health view as last read; schedules a re-read in the background when one is due. */
  view(): HealthView;
  /**
   * When a read is due (none answered yet, or `everyMs` passed): a promise that settles when it
   * answers or after a short pause, whichever is first, like the route cache's `#control` check.
   * Undefined otherwise: the per-event path then costs nothing.
   */
  ready(): Promise<void> | undefined;
}

export interface HealthWatcherOptions {
  readonly read: (signal: AbortSignal) => Promise<HealthState>;
  /** Re-read at most this often: the router passes its `epochCheckSeconds`. */
  readonly everyMs: number;
  /**
   * The longest an event waits for a due read (default 100 ms); then it goes on with the view last
   * read (all healthy before the first), and the read lands for the events after it.
   */
  readonly waitMs?: number;
  /** A read that has not answered by then is given up (default 2000 ms). */
  readonly readTimeoutMs?: number;
  readonly maxSkewMs?: number;
  readonly now?: () => number;
}

/**
 * One instance's copy of the `#health` item, re-read every `everyMs` (the router's
 * `epochCheckSeconds`, beside its `#control` check) in the background: the per-event path only
 * reads a field. A failed or late read keeps what was last read — and before any read answered,
 * every target counts as healthy (fail open: health can only take targets out, so a table that
 * cannot be read must not stop all traffic; the breaker still protects each instance).
 *
 * @example
 * const watcher = new HealthWatcher({ read: (signal) => store.read({ signal }), everyMs: 5000 });
 * planDelivery(route, event, random, lookup, watcher.view());
 */
export class HealthWatcher implements HealthSource {
  private current: HealthState = EMPTY_HEALTH;
  private currentView: HealthView = ALL_HEALTHY;
  private nextRead = 0;
  private inflight: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: HealthWatcherOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The state as last read (EMPTY_HEALTH before the first answer). */
  state(): HealthState {
    this.refreshIfDue();
    return this.current;
  }

  view(): HealthView {
    this.refreshIfDue();
    return this.currentView;
  }

  ready(): Promise<void> | undefined {
    // Not due and nothing in flight: nothing to wait for. A failed read is not retried per event:
    // the next one is due `everyMs` after it started, whether it answered or not.
    if (this.inflight === undefined && this.now() < this.nextRead) return undefined;
    const reading = this.inflight ?? this.refresh();
    const wait = this.options.waitMs ?? 100;
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      reading,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, wait);
        timer.unref();
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /** Reads now (one read shared by concurrent callers); never rejects. */
  refresh(): Promise<void> {
    if (this.inflight !== undefined) return this.inflight;
    this.nextRead = this.now() + this.options.everyMs;
    const signal = AbortSignal.timeout(this.options.readTimeoutMs ?? 2000);
    const reading = this.options
      .read(signal)
      .then(
        (state) => {
          this.current = state;
          this.currentView = healthView(
            state,
            this.now(),
            this.options.maxSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS,
          );
        },
        () => {
          // Unreadable health: keep the last view (or all healthy); the next check tries again.
        },
      )
      .finally(() => {
        this.inflight = undefined;
      });
    this.inflight = reading;
    return reading;
  }

  private refreshIfDue(): void {
    if (this.inflight === undefined && this.now() >= this.nextRead) void this.refresh();
  }
}
