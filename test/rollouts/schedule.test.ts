import { ErrorCode } from '../../src/errors';
import { evaluateGate, percentText } from '../../src/rollouts/gate';
import type { RolloutSettings } from '../../src/rollouts/rollout-state';
import { parseDuration, parseRate, parseSteps, rolloutSchedule } from '../../src/rollouts/steps';

describe('rollout schedules (--steps, --strategy, --interval)', () => {
  it('reads steps, CodeDeploy-style strategies and durations', () => {
    expect(rolloutSchedule({})).toEqual({ steps: [5, 25, 50, 100], intervalMs: 300_000 });
    expect(rolloutSchedule({ steps: '10, 50%,100', interval: '90s' })).toEqual({
      steps: [10, 50, 100],
      intervalMs: 90_000,
    });
    expect(rolloutSchedule({ strategy: 'Canary10Percent5Minutes' })).toEqual({
      steps: [10, 100],
      intervalMs: 300_000,
    });
    expect(rolloutSchedule({ strategy: 'Linear10PercentEvery1Minute', interval: '1s' })).toEqual({
      steps: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
      intervalMs: 1000,
    });
    expect(parseDuration('1h', '--interval')).toBe(3_600_000);
    expect(parseDuration('1500ms', '--interval')).toBe(1500);
    expect(parseRate('0.5%')).toBe(0.005);
    expect(parseRate('0.02')).toBe(0.02);
  });

  it.each([
    [{ steps: '5,25', strategy: 'Canary10Percent5Minutes' }, 'give --steps or --strategy, not both'],
    [{ strategy: 'Canary5' }, 'unknown --strategy "Canary5"; known: Canary10Percent5Minutes'],
    [{ steps: '5,25,50' }, '--steps must end at 100 (in "5,25,50")'],
    [{ steps: '25,5,100' }, '--steps must rise: 5 comes after 25 (in "25,5,100")'],
    [{ steps: '0,100' }, '--steps: "0" is not a percent in (0, 100] (in "0,100")'],
    [{ steps: '5,,100' }, '--steps: "" is not a percent'],
    [{ interval: '500ms' }, '--interval must be a duration of at least 1s like 90s, 5m or 1h, got "500ms"'],
    [{ interval: 'soon' }, '--interval must be a duration'],
  ])('refuses %j with a usage error naming the flag', (flags, message) => {
    expect(() => rolloutSchedule(flags)).toThrow(
      expect.objectContaining({ code: ErrorCode.USAGE, message: expect.stringContaining(message) }),
    );
  });

  it('refuses failure rates that are no rate', () => {
    for (const bad of ['100%', '-1%', 'x', '%', '', '1']) {
      expect(() => parseRate(bad)).toThrow(/--max-failure-rate must be a rate like 1% or 0.01/);
    }
    expect(() => parseSteps('abc')).toThrow(/is not a percent/);
  });
});

describe('the gate of a step', () => {
  const settings: RolloutSettings = {
    steps: [10, 100],
    intervalMs: 60_000,
    maxFailureRate: 0.01,
    minEvents: 100,
    alarms: [],
  };
  const none = { inAlarm: [], missing: [] };
  const counts = (delivered: number, failed: number) => ({
    delivered,
    failed,
    byReason: failed > 0 ? { transient: failed } : {},
  });

  it('passes a finished step with enough events under the rate, and judges the rate strictly above the maximum', () => {
    expect(evaluateGate(settings, counts(99, 1), none, 60_000)).toMatchObject({
      kind: 'pass',
      figures: { failureRate: 0.01 },
    });
    expect(evaluateGate(settings, counts(98, 2), none, 60_000)).toMatchObject({
      kind: 'breach',
      reason: 'failure rate 2 % (2 of 100 copies failed) is above 1 %',
    });
  });

  it('ignores a high rate over fewer than --min-events copies, and waits for more', () => {
    expect(evaluateGate(settings, counts(0, 99), none, 60_000)).toMatchObject({
      kind: 'wait',
      reason: 'waiting for events: 99 of 100 counted',
    });
  });

  it('breaches at once, before the step ends, and on an alarm whatever the counts', () => {
    expect(evaluateGate(settings, counts(0, 100), none, 1)).toMatchObject({ kind: 'breach' });
    expect(evaluateGate(settings, counts(0, 0), { inAlarm: ['a', 'b'], missing: [] }, 1)).toMatchObject({
      kind: 'breach',
      reason: 'alarm a, b in ALARM',
      figures: { alarmsInAlarm: ['a', 'b'] },
    });
  });

  it('with --min-events 0 passes a step that saw no traffic, and never divides by zero', () => {
    expect(evaluateGate({ ...settings, minEvents: 0 }, counts(0, 0), none, 60_000)).toMatchObject({
      kind: 'pass',
      figures: { failureRate: 0 },
    });
  });

  it('writes rates for people', () => {
    expect(percentText(0.012345)).toBe('1.23 %');
    expect(percentText(1)).toBe('100 %');
  });
});
