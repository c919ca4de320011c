/**
 * The health state of a stage's targets, as the route table holds it in its `#health` item: one
 * version number for the whole item (bumped by every write, so a router re-reads only when it
 * moved) and three maps keyed by target ARN, each written by its own kind of writer so they never
 * overwrite each other's findings:
 *
 * - `checks`: what `psarn check --write` (or the scheduled check) found;
 * - `heartbeats`: what consumers say of themselves, valid until `expiresAt`;
 * - `circuits`: trips of a router instance's circuit breaker, shared with every other instance.
 *
 * Health is not a release: it changes without an operator and must not grow `history`.
 */
export type TargetStatus = 'healthy' | 'unhealthy' | 'removed';

/** What one check found about one target. */
export interface TargetCheckResult {
  readonly arn: string;
  readonly status: TargetStatus;
  /** Why: the service's answer (`function state Inactive`, `AccessDenied: …`, `does not exist`). */
  readonly reason: string;
  /** ISO-8601 instant of the check (the checker's clock). */
  readonly checkedAt: string;
}

/** A consumer's own word on its health, valid for its TTL; missing it marks the target unhealthy. */
export interface Heartbeat {
  readonly arn: string;
  readonly status: 'healthy' | 'unhealthy';
  /** Epoch ms (the sender's clock) after which the beat no longer vouches for the target. */
  readonly expiresAt: number;
  readonly reason?: string;
}

/** A circuit breaker's trip (or its closing), as the instance that saw it wrote it. */
export interface CircuitRecord {
  readonly arn: string;
  readonly state: 'open' | 'closed';
  /** Epoch ms (the writer's clock) the circuit opened or closed. */
  readonly at: number;
  /** How long the circuit stays open from `at`. */
  readonly coolDownMs: number;
  /** Consecutive trips without a successful probe: the cool-down grows with it. */
  readonly trips: number;
  /** Which instance wrote it (for logs and `psarn check`). */
  readonly by: string;
}

export interface HealthState {
  /** 0 when the table has no `#health` item yet. */
  readonly version: number;
  readonly checks: Readonly<Record<string, TargetCheckResult>>;
  readonly heartbeats: Readonly<Record<string, Heartbeat>>;
  readonly circuits: Readonly<Record<string, CircuitRecord>>;
}

export const EMPTY_HEALTH: HealthState = Object.freeze({
  version: 0,
  checks: Object.freeze({}),
  heartbeats: Object.freeze({}),
  circuits: Object.freeze({}),
});

/**
 * How far apart the clocks of two machines may be, for comparisons against timestamps another
 * machine wrote (a heartbeat's expiry). A heartbeat counts as missed only once it is this much
 * past its expiry on the reader's clock. Circuit cool-downs are bounded differently: see
 * `remoteOpenMs`.
 */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 5_000;
