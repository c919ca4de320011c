import { UsageError } from '../errors';

/** How a rollout moves: the canary's weight per step (percent, rising, ending at 100) and the wait. */
export interface RolloutSchedule {
  readonly steps: readonly number[];
  readonly intervalMs: number;
}

/**
 * CodeDeploy's predefined Lambda configurations, by their names, so an operator who knows those
 * gets what they mean: `Canary10Percent5Minutes` is 10 % for five minutes then everything,
 * `Linear10PercentEvery1Minute` ten steps of 10 % a minute apart.
 */
const STRATEGIES: Readonly<Record<string, RolloutSchedule>> = {
  Canary10Percent5Minutes: { steps: [10, 100], intervalMs: 5 * 60_000 },
  Canary10Percent10Minutes: { steps: [10, 100], intervalMs: 10 * 60_000 },
  Canary10Percent15Minutes: { steps: [10, 100], intervalMs: 15 * 60_000 },
  Canary10Percent30Minutes: { steps: [10, 100], intervalMs: 30 * 60_000 },
  Linear10PercentEvery1Minute: { steps: linear(10), intervalMs: 60_000 },
  Linear10PercentEvery2Minutes: { steps: linear(10), intervalMs: 2 * 60_000 },
  Linear10PercentEvery3Minutes: { steps: linear(10), intervalMs: 3 * 60_000 },
  Linear10PercentEvery10Minutes: { steps: linear(10), intervalMs: 10 * 60_000 },
};

export const STRATEGY_NAMES: readonly string[] = Object.keys(STRATEGIES);
/** Without --steps or --strategy. */
export const DEFAULT_STEPS: readonly number[] = [5, 25, 50, 100];
export const DEFAULT_INTERVAL_MS = 5 * 60_000;

function linear(step: number): number[] {
  return Array.from({ length: 100 / step }, (_, i) => (i + 1) * step);
}

/**
 * The schedule of `--steps`, `--strategy` and `--interval`: one of steps or strategy; an interval
 * given with a strategy overrides the strategy's own.
 *
 * @example
 * rolloutSchedule({ steps: '5,25,50,100', interval: '1s' }) // { steps: [5, 25, 50, 100], intervalMs: 1000 }
 */
export function rolloutSchedule(flags: {
  readonly steps?: string;
  readonly strategy?: string;
  readonly interval?: string;
}): RolloutSchedule {
  if (flags.steps !== undefined && flags.strategy !== undefined)
    throw new UsageError('give --steps or --strategy, not both');
  let schedule: RolloutSchedule = { steps: DEFAULT_STEPS, intervalMs: DEFAULT_INTERVAL_MS };
  if (flags.strategy !== undefined) {
    const known = STRATEGIES[flags.strategy];
    if (known === undefined)
      throw new UsageError(`unknown --strategy "${flags.strategy}"; known: ${STRATEGY_NAMES.join(', ')}`);
    schedule = known;
  }
  if (flags.steps !== undefined) schedule = { ...schedule, steps: parseSteps(flags.steps) };
  if (flags.interval !== undefined)
    schedule = { ...schedule, intervalMs: parseDuration(flags.interval, '--interval') };
  return schedule;
}

/**
 * `5,25,50,100`: percents in (0, 100], strictly rising, the last one 100 (a rollout that stops
 * short of 100 % would never finish).
 */
export function parseSteps(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim().replace(/%$/, ''));
  const steps = parts.map(Number);
  steps.forEach((s, i) => {
    if (parts[i] === '' || !Number.isFinite(s) || s <= 0 || s > 100)
      throw new UsageError(`--steps: "${parts[i] ?? ''}" is not a percent in (0, 100] (in "${text}")`);
    if (i > 0 && s <= (steps[i - 1] as number))
      throw new UsageError(`--steps must rise: ${s} comes after ${steps[i - 1]} (in "${text}")`);
  });
  if (steps.at(-1) !== 100) throw new UsageError(`--steps must end at 100 (in "${text}")`);
  return steps;
}

/**
 * `90s`, `5m`, `1h`, `500ms`, or bare seconds: a whole number of milliseconds, at least 1 s.
 *
 * @example
 * parseDuration('5m', '--interval') // 300000
 */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
  const ms = match === null ? NaN : Number(match[1]) * unit[(match[2] ?? 's') as keyof typeof unit];
  if (!Number.isFinite(ms) || ms < 1000)
    throw new UsageError(`${flag} must be a duration of at least 1s like 90s, 5m or 1h, got "${text}"`);
  return Math.round(ms);
}

/**
 * `1%`, `0.5%` or a fraction `0.01`: the failure rate as a fraction in [0, 1).
 *
 * @example
 * parseRate('1%') // 0.01
 */
export function parseRate(text: string): number {
  const trimmed = text.trim();
  const percent = trimmed.endsWith('%');
  const value = Number(percent ? trimmed.slice(0, -1) : trimmed);
  const rate = percent ? value / 100 : value;
  if (trimmed === '' || trimmed === '%' || !Number.isFinite(rate) || rate < 0 || rate >= 1)
    throw new UsageError(`--max-failure-rate must be a rate like 1% or 0.01, below 100%, got "${text}"`);
  return rate;
}

/** `--min-events`: a non-negative whole number. */
export function parseCount(text: string, flag: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value))
    throw new UsageError(`${flag} must be a whole number, got "${text}"`);
  return value;
}
