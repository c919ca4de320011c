import { errorKind, type FailureReason } from '../errors';

/** Consecutive counted failures that open a target's circuit. */
export const DEFAULT_FAILURE_THRESHOLD = 5;
/** First cool-down; each further trip without a successful probe doubles it, up to the cap. */
export const DEFAULT_COOL_DOWN_MS = 30_000;
export const DEFAULT_MAX_COOL_DOWN_MS = 300_000;

/**
 * Failures that say the target is in trouble. `rejected` (the input or the request is wrong,
 * e.g. a payload over the limit), `held` (FIFO order) and the breaker's own `circuit-open` /
 * `unhealthy` say nothing about the target, so they neither count nor reset the count.
 */
const COUNTED: ReadonlySet<FailureReason> = new Set(['throttled', 'transient', 'function-error', 'deadline']);

export type CircuitState = 'closed' | 'open' | 'half-open';

/** A state change, for the one log line, the metric and the shared health state. */
export interface CircuitChange {
  readonly arn: string;
  readonly state: CircuitState;
  /** Local clock, epoch ms. */
  readonly at: number;
  /** For `open`: how long it stays open. */
  readonly coolDownMs: number;
  /** Consecutive trips without a successful probe (0 once closed). */
  readonly trips: number;
  /** `local`: this instance's failures or probe; `shared`: another instance's trip, read from the table. */
  readonly source: 'local' | 'shared';
}

/** A trip another instance wrote, as this instance's clock reads it (see shared-circuits.ts). */
export interface RemoteOpen {
  /** Identifies the record, so one trip is applied once (and an instance's own is not echoed). */
  readonly key: string;
  /** Local epoch ms until which the circuit is open. */
  readonly until: number;
  readonly trips: number;
}

export interface CircuitBreakerOptions {
  readonly threshold?: number;
  readonly coolDownMs?: number;
  readonly maxCoolDownMs?: number;
  readonly now?: () => number;
  /** Trips other instances shared (the `#health` item's circuits); none when absent. */
  readonly remoteOpen?: (arn: string) => RemoteOpen | undefined;
  /** Told every state change; must not throw or block (it schedules I/O, never awaits it). */
  readonly onChange?: (change: CircuitChange) => void;
}

/** What the breaker lets a send do. */
export type Admission =
  | { readonly kind: 'closed' }
  /** The one probe after the cool-down: send one copy; its outcome closes or re-opens the circuit. */
  | { readonly kind: 'probe' }
  | { readonly kind: 'open'; readonly until: number };

interface Circuit {
  state: CircuitState;
  failures: number;
  trips: number;
  openUntil: number;
  /** When the probe in flight was let through (half-open), or 0 when none is. */
  probeSince: number;
  /** Remote records already applied (or written by this instance). */
  seen: Set<string>;
}

/**
 * Per-target circuit breakers of one router instance, in the manner of Envoy's outlier
 * detection: `threshold` consecutive counted failures open the circuit for a cool-down (30 s,
 * doubling with each trip without a successful probe, capped at 300 s); while open, sends are
 * refused at once (the caller keeps the copies: parked or dead-lettered, never dropped or retried
 * in a loop); after the cool-down exactly one probe goes out, and its outcome closes the circuit
 * or re-opens it for longer. A probe that never reports back frees its slot after a cool-down.
 *
 * State is in memory and synchronous: no I/O on the per-event path. Sharing with other instances
 * goes through `remoteOpen` (read) and `onChange` (write, in the background).
 *
 * @example
 * const breakers = new CircuitBreakers({ onChange: (c) => log(c) });
 * createForwarders({ breaker: breakers });
 */
export class CircuitBreakers {
  private readonly threshold: number;
  private readonly coolDownMs: number;
  private readonly maxCoolDownMs: number;
  private readonly now: () => number;
  private readonly circuits = new Map<string, Circuit>();

  constructor(private readonly options: CircuitBreakerOptions = {}) {
    this.threshold = options.threshold ?? DEFAULT_FAILURE_THRESHOLD;
    this.coolDownMs = options.coolDownMs ?? DEFAULT_COOL_DOWN_MS;
    this.maxCoolDownMs = options.maxCoolDownMs ?? DEFAULT_MAX_COOL_DOWN_MS;
    this.now = options.now ?? Date.now;
    if (!Number.isInteger(this.threshold) || this.threshold < 1)
      throw new Error(`circuit breaker threshold must be a positive integer, got ${this.threshold}`);
  }

  /** The state of `arn`'s circuit now (closed for a target never seen). */
  stateOf(arn: string): CircuitState {
    return this.circuits.get(arn)?.state ?? 'closed';
  }

  /** Remembers a record this instance wrote, so reading it back does not count as another trip. */
  markSeen(arn: string, key: string): void {
    this.circuit(arn).seen.add(key);
  }

  /** May a send to `arn` go out now? */
  admit(arn: string): Admission {
    const now = this.now();
    const circuit = this.circuits.get(arn);
    const remote = this.options.remoteOpen?.(arn);
    if (
      remote !== undefined &&
      now < remote.until &&
      (circuit === undefined || !circuit.seen.has(remote.key))
    ) {
      const c = circuit ?? this.circuit(arn);
      c.seen.add(remote.key);
      if (c.state === 'closed' || remote.until > c.openUntil) {
        c.state = 'open';
        c.openUntil = remote.until;
        c.trips = Math.max(c.trips, remote.trips);
        c.failures = 0;
        c.probeSince = 0;
        this.changed(arn, c, remote.until - now, 'shared');
      }
    }
    if (circuit === undefined && remote === undefined) return CLOSED;
    const c = this.circuits.get(arn);
    if (c === undefined || c.state === 'closed') return CLOSED;
    if (c.state === 'open') {
      if (now < c.openUntil) return { kind: 'open', until: c.openUntil };
      c.state = 'half-open';
      c.probeSince = 0;
      this.changed(arn, c, 0, 'local');
    }
    // Half-open: one probe at a time; a probe lost for a whole cool-down frees the slot.
    if (c.probeSince !== 0 && now - c.probeSince < this.coolDownMs) return { kind: 'open', until: now };
    c.probeSince = now;
    return PROBE;
  }

  /** Told each outcome of a send `admit` let through (`probe`: it was the probe). */
  record(arn: string, error: Error | undefined, probe: boolean): void {
    const c = this.circuits.get(arn);
    const counted = error !== undefined && COUNTED.has(errorKind(error).reason);
    if (c === undefined) {
      if (counted) this.circuit(arn).failures = 1;
      if (counted && this.threshold <= 1) this.open(arn, this.circuit(arn));
      return;
    }
    if (probe) {
      c.probeSince = 0;
      if (error === undefined) {
        c.state = 'closed';
        c.failures = 0;
        c.trips = 0;
        this.changed(arn, c, 0, 'local');
      } else if (counted) {
        this.open(arn, c);
      }
      // A probe refused for its input says nothing: the circuit stays half-open for the next.
      return;
    }
    // Late outcomes of sends let through before the circuit opened change nothing.
    if (c.state !== 'closed') return;
    if (error === undefined) c.failures = 0;
    else if (counted && ++c.failures >= this.threshold) this.open(arn, c);
  }

  private open(arn: string, c: Circuit): void {
    c.trips += 1;
    const coolDown = Math.min(this.maxCoolDownMs, this.coolDownMs * 2 ** (c.trips - 1));
    c.state = 'open';
    c.openUntil = this.now() + coolDown;
    c.failures = 0;
    c.probeSince = 0;
    this.changed(arn, c, coolDown, 'local');
  }

  private circuit(arn: string): Circuit {
    let c = this.circuits.get(arn);
    if (c === undefined) {
      c = { state: 'closed', failures: 0, trips: 0, openUntil: 0, probeSince: 0, seen: new Set() };
      this.circuits.set(arn, c);
    }
    return c;
  }

  private changed(arn: string, c: Circuit, coolDownMs: number, source: CircuitChange['source']): void {
    try {
      this.options.onChange?.({ arn, state: c.state, at: this.now(), coolDownMs, trips: c.trips, source });
    } catch {
      // Only the report of a change can fail here (a log, a metric, a shared write): the breaker's
      // decision is already made and every copy it refused is kept by the engine, so nothing is lost.
    }
  }
}

const CLOSED: Admission = Object.freeze({ kind: 'closed' });
const PROBE: Admission = Object.freeze({ kind: 'probe' });
