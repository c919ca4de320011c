import { errorKind } from '../errors';
import type { OutcomeObserver } from '../targets/observed';
import type { CounterDelta, CounterStore } from './counter-store';

/**
 * Seconds per counter window: how finely the controller tells steps apart (a step's counts start
 * at the window it started in, so up to a minute before it), traded against the number of items
 * (see counter-store.ts).
 */
export const COUNTER_WINDOW_SECONDS = 60;

export interface OutcomeCountersOptions {
  /** Where flushes go. A provider, so the router builds its DynamoDB client only when it first flushes. */
  readonly store: () => CounterStore;
  /** Least time between two flushes of this instance (default 2 s). */
  readonly flushEveryMs?: number;
  /** A flush's writes are abandoned after this long (default 2 s). */
  readonly flushTimeoutMs?: number;
  /** Most (target, window) entries held between flushes; counts beyond are dropped (default 1,000). */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

interface Entry {
  target: string;
  windowStart: number;
  delivered: number;
  failed: number;
  byReason: Record<string, number>;
}

/**
 * Per-target outcome counts of one router instance, for the rollout gate (src/rollouts/gate.ts).
 *
 * `observe` is an OutcomeObserver (src/targets/observed.ts) handed to `createForwarders`: it only
 * adds to a map in memory — no I/O, nothing awaited on the event's path. A flush is scheduled on a
 * timer at most every `flushEveryMs`, so it runs after the response (in Lambda, while the instance
 * is still running, or when it thaws for its next invocation), never inside the delivery of an
 * event. One flush at a time, each write bounded by `flushTimeoutMs`.
 *
 * A failed write loses that delta on purpose: ADD is not idempotent, so writing it again after an
 * unknown outcome could count it twice, and an undercount only makes the gate wait for
 * `--min-events` a little longer. Counts of an instance that is shut down before its timer fires
 * are lost the same way. Neither changes what happened to any event.
 *
 * @example
 * const counters = new OutcomeCounters({ store: () => new DynamoCounterStore({ client, tableName }) });
 * const registry = createForwarders({ observe: counters.observe });
 */
export class OutcomeCounters {
  private readonly pending = new Map<string, Entry>();
  private readonly flushEveryMs: number;
  private readonly flushTimeoutMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private lastFlushAt: number;
  /** Counts dropped because `maxEntries` was reached or a write failed (for tests and logs). */
  dropped = 0;

  constructor(private readonly options: OutcomeCountersOptions) {
    this.flushEveryMs = options.flushEveryMs ?? 2000;
    this.flushTimeoutMs = options.flushTimeoutMs ?? 2000;
    this.maxEntries = options.maxEntries ?? 1000;
    this.now = options.now ?? Date.now;
    // The first flush also waits flushEveryMs: a cold instance's first invocations (connections,
    // the route table's first reads) do not share the DynamoDB client with a counter write.
    this.lastFlushAt = this.now();
  }

  readonly observe: OutcomeObserver = (target, _messages, outcomes) => {
    const windowStart = Math.floor(this.now() / 1000 / COUNTER_WINDOW_SECONDS) * COUNTER_WINDOW_SECONDS;
    const key = `${windowStart}\n${target.arn}`;
    let entry = this.pending.get(key);
    if (entry === undefined) {
      if (this.pending.size >= this.maxEntries) {
        this.dropped += outcomes.length;
        return;
      }
      entry = { target: target.arn, windowStart, delivered: 0, failed: 0, byReason: {} };
      this.pending.set(key, entry);
    }
    for (const outcome of outcomes) {
      if (outcome.ok) {
        entry.delivered++;
      } else {
        entry.failed++;
        const reason = errorKind(outcome.error).reason;
        entry.byReason[reason] = (entry.byReason[reason] ?? 0) + 1;
      }
    }
    this.schedule();
  };

  /** Write what is pending now (tests and shutdown); resolves when written or given up. */
  flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.flushing ??= this.write().finally(() => {
      this.flushing = undefined;
      if (this.pending.size > 0) this.schedule();
    });
    return this.flushing;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.flushing !== undefined) return;
    const wait = Math.max(0, this.lastFlushAt + this.flushEveryMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, wait);
    // A pending flush must not keep a process (a CLI's direct client, a test) alive by itself.
    this.timer.unref();
  }

  private async write(): Promise<void> {
    this.lastFlushAt = this.now();
    const deltas: CounterDelta[] = [...this.pending.values()];
    this.pending.clear();
    if (deltas.length === 0) return;
    const signal = AbortSignal.timeout(this.flushTimeoutMs);
    let store: CounterStore;
    try {
      store = this.options.store();
    } catch {
      // No store (no table configured): counting is telemetry, the deltas are dropped (see above).
      this.dropped += deltas.reduce((n, d) => n + d.delivered + d.failed, 0);
      return;
    }
    const results = await Promise.allSettled(deltas.map((d) => store.add(d, signal)));
    results.forEach((r, i) => {
      const d = deltas[i] as CounterDelta;
      // Failed writes are dropped, not retried: see the class comment (ADD twice would double-count).
      if (r.status === 'rejected') this.dropped += d.delivered + d.failed;
    });
  }
}
