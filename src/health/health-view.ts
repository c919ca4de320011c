import { DEFAULT_MAX_CLOCK_SKEW_MS, type HealthState, type TargetStatus } from './health-state';

/** Why a target is not to be sent to: what the planner needs and the report shows. */
export interface UnhealthyMark {
  readonly status: Exclude<TargetStatus, 'healthy'>;
  readonly reason: string;
}

/**
 * The planner's input: which targets are unhealthy right now. Pure data: the planner never reads
 * a clock or the table. `size` 0 is the common case and costs the planner nothing.
 */
export interface HealthView {
  readonly size: number;
  markOf(arn: string): UnhealthyMark | undefined;
}

export const ALL_HEALTHY: HealthView = Object.freeze({ size: 0, markOf: () => undefined });

/**
 * The targets `state` says are unhealthy at `now` (the reader's clock):
 *
 * - a check that found it `unhealthy` or `removed`;
 * - a heartbeat that says `unhealthy`, or that expired more than `maxSkewMs` ago (the sender's
 *   clock may be that far behind ours: a beat is not called missed on a skewed clock alone).
 *   Targets that never sent a heartbeat are judged by checks only.
 *
 * Any one source that says unhealthy marks the target: a live heartbeat does not outvote a check
 * that found the function disabled (the consumer may be healthy but unreachable).
 *
 * @example
 * healthView(state, Date.now()).markOf(queueArn) // { status: 'removed', reason: 'does not exist' }
 */
export function healthView(
  state: HealthState,
  now: number,
  maxSkewMs = DEFAULT_MAX_CLOCK_SKEW_MS,
): HealthView {
  const marks = new Map<string, UnhealthyMark>();
  for (const check of Object.values(state.checks)) {
    if (check.status !== 'healthy') marks.set(check.arn, { status: check.status, reason: check.reason });
  }
  for (const beat of Object.values(state.heartbeats)) {
    if (marks.has(beat.arn)) continue; // a check's finding (removed, disabled) says more
    if (beat.status === 'unhealthy') {
      marks.set(beat.arn, {
        status: 'unhealthy',
        reason: `heartbeat says unhealthy${beat.reason === undefined ? '' : `: ${beat.reason}`}`,
      });
    } else if (now - maxSkewMs > beat.expiresAt) {
      marks.set(beat.arn, {
        status: 'unhealthy',
        reason: `heartbeat missed (expired ${new Date(beat.expiresAt).toISOString()})`,
      });
    }
  }
  return viewOf(marks);
}

/** A view of explicit marks (tests, `psarn resolve`). */
export function viewOf(marks: ReadonlyMap<string, UnhealthyMark>): HealthView {
  return { size: marks.size, markOf: (arn) => marks.get(arn) };
}
