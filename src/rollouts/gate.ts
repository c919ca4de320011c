import type { GateFigures, RolloutSettings } from './rollout-state';

/** The canary's copies counted over a window (summed over windows and router instances). */
export interface OutcomeCounts {
  readonly delivered: number;
  readonly failed: number;
  readonly byReason: Readonly<Record<string, number>>;
}

/** What the alarms said: names in ALARM, and names CloudWatch does not know. */
export interface AlarmStates {
  readonly inAlarm: readonly string[];
  readonly missing: readonly string[];
}

export type GateVerdict =
  | { readonly kind: 'breach'; readonly reason: string; readonly figures: GateFigures }
  | { readonly kind: 'pass'; readonly figures: GateFigures }
  | { readonly kind: 'wait'; readonly reason: string; readonly figures: GateFigures };

/**
 * The gate of one step, pure. In order:
 *
 * 1. an alarm in ALARM, or a failure rate above `maxFailureRate` over at least `minEvents`
 *    copies, is a breach — at any time in the step, not only at its end;
 * 2. before `intervalMs` has passed, the step waits;
 * 3. with fewer than `minEvents` copies the step waits: no evidence is no pass, so a canary that
 *    gets no traffic never reaches 100 % by itself (`promote` does that);
 * 4. an alarm that does not exist, or alarms that could not be read, hold the step (`alarmError`);
 * 5. otherwise the step passes.
 *
 * @example
 * evaluateGate(settings, { delivered: 98, failed: 2, byReason: {} }, { inAlarm: [], missing: [] }, 60_000)
 */
export function evaluateGate(
  settings: RolloutSettings,
  counts: OutcomeCounts,
  alarms: AlarmStates | { readonly error: string },
  elapsedMs: number,
): GateVerdict {
  const events = counts.delivered + counts.failed;
  const failureRate = events === 0 ? 0 : counts.failed / events;
  const inAlarm = 'inAlarm' in alarms ? alarms.inAlarm : [];
  const figures: GateFigures = {
    delivered: counts.delivered,
    failed: counts.failed,
    byReason: counts.byReason,
    failureRate,
    ...(inAlarm.length === 0 ? {} : { alarmsInAlarm: inAlarm }),
  };
  if (inAlarm.length > 0) return { kind: 'breach', reason: `alarm ${inAlarm.join(', ')} in ALARM`, figures };
  if (events >= settings.minEvents && events > 0 && failureRate > settings.maxFailureRate) {
    return {
      kind: 'breach',
      reason: `failure rate ${percentText(failureRate)} (${counts.failed} of ${events} copies failed) is above ${percentText(settings.maxFailureRate)}`,
      figures,
    };
  }
  if (elapsedMs < settings.intervalMs)
    return {
      kind: 'wait',
      reason: `step runs until ${Math.ceil((settings.intervalMs - elapsedMs) / 1000)} s from now`,
      figures,
    };
  if (events < settings.minEvents)
    return {
      kind: 'wait',
      reason: `waiting for events: ${events} of ${settings.minEvents} counted`,
      figures,
    };
  if ('error' in alarms)
    return { kind: 'wait', reason: `alarms could not be read: ${alarms.error}`, figures };
  if (alarms.missing.length > 0)
    return {
      kind: 'wait',
      reason: `alarm ${alarms.missing.join(', ')} does not exist in CloudWatch`,
      figures,
    };
  return { kind: 'pass', figures };
}

/** 0.0123 → "1.23 %". */
export function percentText(rate: number): string {
  return `${Number((rate * 100).toFixed(2))} %`;
}
