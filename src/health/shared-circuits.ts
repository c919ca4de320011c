import type { CircuitChange, RemoteOpen } from './circuit-breakers';
import type { CircuitRecord, HealthState } from './health-state';
import type { HealthStore } from './health-store';

export interface SharedCircuitsOptions {
  readonly write: HealthStore['write'];
  /** The `#health` state as this instance last read it (HealthWatcher.state). */
  readonly state: () => HealthState;
  /** This instance's name in the records it writes; its own records are not read back as trips. */
  readonly by: string;
  /** A write still unanswered after this is aborted (default 1000 ms). */
  readonly writeTimeoutMs?: number;
  /** Writes in flight at most; a change past it is not shared (the local breaker still acts). */
  readonly maxPending?: number;
  readonly now?: () => number;
  /** Told when a write failed, for the log (never throws). */
  readonly onWriteFailed?: (arn: string, error: unknown) => void;
}

/**
 * Shares circuit trips between instances through the `#health` item, so every router and direct
 * client stops sending to a failing target within `epochCheckSeconds`, not only the instance
 * that counted the failures.
 *
 * Writes happen off the per-event path: `report` starts the UpdateItem and returns; at most
 * `maxPending` are in flight, each bounded by `writeTimeoutMs`, and a failed one is logged and
 * forgotten — the copies concerned were already kept by the engine, and the local breaker acts
 * regardless. `settled()` lets a caller (the end of an invocation, a test) wait for them.
 *
 * Clock skew: a record says when (writer's clock) the circuit opened and for how long. This
 * instance treats it as open for what is left of the cool-down by its own clock, but never longer
 * than the cool-down counted from when it first read the record — so a writer whose clock runs
 * ahead cannot hold a circuit open past one cool-down, and one running behind at worst makes the
 * reader probe earlier (one copy; its failure re-opens the circuit).
 */
export class SharedCircuits {
  private readonly pending = new Set<Promise<void>>();
  private readonly firstSeen = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: SharedCircuitsOptions) {
    this.now = options.now ?? Date.now;
  }

  /** A trip another instance shared and that is still open here, for CircuitBreakers.remoteOpen. */
  remoteOpen(arn: string): RemoteOpen | undefined {
    const record = this.options.state().circuits[arn];
    if (record === undefined || record.state !== 'open' || record.by === this.options.by) return undefined;
    const key = `${record.by}#${record.at}`;
    const now = this.now();
    let seen = this.firstSeen.get(key);
    if (seen === undefined) {
      seen = now;
      if (this.firstSeen.size > 10_000) this.firstSeen.clear();
      this.firstSeen.set(key, seen);
    }
    const until = Math.min(record.at + record.coolDownMs, seen + record.coolDownMs);
    return now < until ? { key, until, trips: record.trips } : undefined;
  }

  /** Shares a local open or close (other changes are not written). Never throws, never waits. */
  report(change: CircuitChange): void {
    if (change.source !== 'local' || change.state === 'half-open') return;
    if (this.pending.size >= (this.options.maxPending ?? 100)) return;
    const record: CircuitRecord = {
      arn: change.arn,
      state: change.state,
      at: change.at,
      coolDownMs: change.coolDownMs,
      trips: change.trips,
      by: this.options.by,
    };
    const signal = AbortSignal.timeout(this.options.writeTimeoutMs ?? 1000);
    const write = this.options
      .write('circuits', [record], { signal })
      .then(
        () => undefined,
        (error: unknown) => {
          try {
            this.options.onWriteFailed?.(change.arn, error);
          } catch {
            // Logging a failed share must not throw out of a promise nobody awaits. The share is
            // telemetry for other instances: this one's breaker acted already and its copies are kept.
          }
        },
      )
      .finally(() => this.pending.delete(write));
    this.pending.add(write);
  }

  /** Resolves when every write started so far has answered or timed out. */
  /**
   * Waits for the shared writes in flight, at most `maxWaitMs`: the end of an invocation must
   * never wait past its own time (a Lambda timeout after every copy was secured would have AWS
   * send the whole invocation again). A write still running goes on, bounded by its own timeout.
   */
  async settled(maxWaitMs = Number.POSITIVE_INFINITY): Promise<void> {
    if (this.pending.size === 0) return;
    const all = Promise.all([...this.pending]).then(() => undefined);
    if (!Number.isFinite(maxWaitMs)) return all;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, maxWaitMs));
      timer.unref();
    });
    try {
      await Promise.race([all, gaveUp]);
    } finally {
      clearTimeout(timer);
    }
  }
}
