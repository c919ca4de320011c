/** The bench's human output: the goals table (terminal and Markdown) and the scaling tables. */
import { checkGoals, type GoalCheck, type Results } from './results';

export interface ScalingRow {
  readonly dimension: string;
  readonly point: string;
  /** Handler time per invocation (p50, ms) or per event (µs) as `unit` says. */
  readonly time: number | null;
  readonly unit: 'ms' | 'µs';
  readonly costPerMillion: number | null;
  readonly note?: string;
}

function show(value: number | null, unit: string): string {
  if (value === null) return 'n/a';
  if (unit === 'B') return value < 10_000 ? `${value.toFixed(0)} B` : `${(value / 1000).toFixed(0)} kB`;
  if (unit === '×') return `${value.toFixed(3)}×`;
  if (Math.abs(value) >= 100) return `${value.toFixed(0)} ${unit}`;
  return `${Number(value.toPrecision(3))} ${unit}`;
}

function verdict(check: GoalCheck): string {
  if (check.met === null) return 'not measured';
  if (check.met) return 'met';
  const over = (check.over ?? 0) * 100;
  return `missed by ${over < 10 ? over.toFixed(1) : over.toFixed(0)}%`;
}

function goalRows(results: Results): string[][] {
  return checkGoals(results).map((c) => [
    c.goal.label,
    `${c.goal.kind === 'max' ? '≤' : '<'} ${show(c.goal.bound, c.goal.unit)}`,
    show(c.value, c.goal.unit),
    verdict(c),
  ]);
}

function otherRows(results: Results): string[][] {
  return [
    ['DynamoDB reads per 1,000 events, one hot route', show(results.store_reads_per_1000_events, '')],
    ['API calls per event, SQS ingress batch of 10', show(results.batch_api_calls_per_event, '')],
    [
      'router cost per 1M events (1-event invokes)',
      results.cost_usd_per_million_router === null
        ? 'n/a'
        : `$${results.cost_usd_per_million_router.toFixed(3)}`,
    ],
  ];
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function markdown(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function scalingCells(rows: readonly ScalingRow[]): string[][] {
  return rows.map((r) => [
    r.dimension,
    r.point,
    r.time === null ? 'n/a' : `${Number(r.time.toPrecision(3))} ${r.unit}`,
    r.costPerMillion === null ? 'n/a' : `$${r.costPerMillion.toFixed(3)}`,
    r.note ?? '',
  ]);
}

const GOAL_HEAD = ['goal (issue 11)', 'bound', 'measured', ''];
const OTHER_HEAD = ['figure', 'measured'];
const SCALING_HEAD = ['scaling', 'at', 'handler p50', 'cost / 1M events', 'note'];

export function textReport(
  results: Results,
  scaling: readonly ScalingRow[],
  notes: readonly string[],
): string {
  return [
    table(GOAL_HEAD, goalRows(results)),
    '',
    table(OTHER_HEAD, otherRows(results)),
    '',
    table(SCALING_HEAD, scalingCells(scaling)),
    '',
    ...notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
}

export function markdownReport(
  results: Results,
  scaling: readonly ScalingRow[],
  notes: readonly string[],
): string {
  return [
    markdown(GOAL_HEAD, goalRows(results)),
    '',
    markdown(OTHER_HEAD, otherRows(results)),
    '',
    markdown(SCALING_HEAD, scalingCells(scaling)),
    '',
    ...notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
}
