import type { Route } from '../routes/model';

/**
 * Where a rollout is. `running` and `paused` are active (one per psARN); the others are final.
 * A paused rollout does not advance, but its gate still watches: a breach rolls it back.
 */
export type RolloutStatus = 'running' | 'paused' | 'completed' | 'rolled-back' | 'aborted';

export const ACTIVE_STATUSES: ReadonlySet<RolloutStatus> = new Set(['running', 'paused']);

/** What the operator asked for at `psarn rollout start`. */
export interface RolloutSettings {
  /** Canary weight per step, percent, rising, the last one 100. */
  readonly steps: readonly number[];
  /** How long each step runs before the gate may pass it. */
  readonly intervalMs: number;
  /** The gate: failures / (delivered + failed) of the canary above this (a fraction) is a breach… */
  readonly maxFailureRate: number;
  /** …once at least this many of the canary's copies were counted in the step. */
  readonly minEvents: number;
  /** CloudWatch alarms: any of them in ALARM is a breach. */
  readonly alarms: readonly string[];
}

/** The canary's counts over a step's window, as the gate judged them (shown by `status`). */
export interface GateFigures {
  readonly delivered: number;
  readonly failed: number;
  /** Failed copies per reason (`function-error`, `transient`, …). */
  readonly byReason: Readonly<Record<string, number>>;
  /** failed / (delivered + failed), 0 without events. */
  readonly failureRate: number;
  /** Alarms the gate saw in ALARM. */
  readonly alarmsInAlarm?: readonly string[];
}

/**
 * A change the rollout decided on (claimed with a conditional write) but has not yet seen
 * published: whoever reads the state next publishes `route` (idempotent: the same route set twice
 * is one release) and then moves the rollout to `then`. A controller that dies between the claim
 * and the publish thus leaves nothing half done.
 */
export interface PendingChange {
  readonly route: Route;
  /** The release's audit line, e.g. "rollout ro-1a2b step 2/4: 25 %". */
  readonly summary: string;
  readonly then: { readonly status: RolloutStatus; readonly step: number };
  /**
   * The live route the change was decided on. A live route that is neither this nor `route` when
   * the change is published was changed by someone else in between (see `applyPending`).
   */
  readonly over?: Route;
}

export interface RolloutState {
  readonly id: string;
  readonly psarn: string;
  /** The canary target's ARN (a split target of the route, added by the rollout when it was not). */
  readonly canary: string;
  readonly settings: RolloutSettings;
  readonly status: RolloutStatus;
  /** Index into `settings.steps` of the step live now (or being published). */
  readonly step: number;
  /** Epoch ms the current step's release was published: its gate window starts here. */
  readonly stepStartedAt?: number;
  /** The route before the rollout, and the release it was read from: what a rollback restores. */
  readonly baseRoute: Route;
  readonly baseRelease: number;
  /** The route as this rollout last published it: a live route that differs was changed by someone else. */
  readonly expectedRoute?: Route;
  readonly pending?: PendingChange;
  /** Releases this rollout published, in order. */
  readonly releases: readonly number[];
  /** Why it is where it is (a breach, a pause, a drift), for `status`. */
  readonly reason?: string;
  /** The last gate judgement's figures. */
  readonly figures?: GateFigures;
  /** Bumped by every write; writes are conditional on the value read (see rollout-store.ts). */
  readonly rev: number;
  readonly createdAt: number;
  readonly createdBy: string;
  readonly updatedAt: number;
  readonly updatedBy: string;
}

/** The canary's weight, percent, at the rollout's current step. */
export function stepPercent(state: RolloutState): number {
  return state.settings.steps[state.step] ?? 100;
}

/** "2/4". */
export function stepLabel(state: Pick<RolloutState, 'step' | 'settings'>, step = state.step): string {
  return `${step + 1}/${state.settings.steps.length}`;
}
