/**
 * bench/results.json: one flat object with stable keys, so a script or a later run can compare
 * figures without knowing the bench's internals. Every key is always present: a number, or null
 * with `<key>_reason` beside it saying why it could not be measured in this run.
 */
export const RESULT_KEYS = [
  'overhead_us_p50',
  'overhead_us_p99',
  'ratio_router_vs_direct_sqs_p50',
  'ratio_router_vs_direct_lambda_p50',
  'ratio_direct_mode_vs_direct_p50',
  'ratio_expired_route_vs_direct_sqs_p50',
  'store_reads_per_1000_events',
  'bundle_bytes',
  'cold_init_ms_delta',
  'batch_api_calls_per_event',
  'cost_usd_per_million_router',
  'heap_bytes_per_route',
] as const;

export type ResultKey = (typeof RESULT_KEYS)[number];

/** A measured number, or why there is none. */
export type Figure = number | { readonly reason: string };

export type Results = { readonly [K in ResultKey]: number | null } & Readonly<Record<string, unknown>>;

/**
 * The results object: every key of RESULT_KEYS, in that order, then `details` (anything else the
 * run wants to keep: scaling curves, samples, the machine). A figure that is missing, not finite
 * or given as a reason becomes null with its `<key>_reason`.
 *
 * @example
 * assembleResults({ bundle_bytes: 594482 }, {}).overhead_us_p50 // null (overhead_us_p50_reason: 'not measured in this run')
 */
export function assembleResults(
  figures: Partial<Record<ResultKey, Figure>>,
  details: Readonly<Record<string, unknown>>,
): Results {
  const out: Record<string, unknown> = {};
  for (const key of RESULT_KEYS) {
    const figure = figures[key];
    if (typeof figure === 'number' && Number.isFinite(figure)) {
      out[key] = figure;
      continue;
    }
    out[key] = null;
    out[`${key}_reason`] =
      figure === undefined
        ? 'not measured in this run'
        : typeof figure === 'number'
          ? `the measurement gave ${String(figure)}`
          : figure.reason;
  }
  out['details'] = details;
  return out as Results;
}

/** A goal of issue 11: the figure, the bound, and which side of it is good. */
export interface Goal {
  readonly key: ResultKey;
  readonly label: string;
  readonly bound: number;
  /** 'max': the figure must be at most `bound`; 'below': strictly under it. */
  readonly kind: 'max' | 'below';
  readonly unit: string;
}

export const GOALS: readonly Goal[] = [
  {
    key: 'overhead_us_p50',
    label: 'handler work, 1 event, no-op target, p50',
    bound: 20,
    kind: 'max',
    unit: 'µs',
  },
  {
    key: 'overhead_us_p99',
    label: 'handler work, 1 event, no-op target, p99',
    bound: 100,
    kind: 'max',
    unit: 'µs',
  },
  {
    key: 'ratio_router_vs_direct_sqs_p50',
    label: 'handler → SQS ÷ SendMessage',
    bound: 1.05,
    kind: 'max',
    unit: '×',
  },
  {
    key: 'ratio_router_vs_direct_lambda_p50',
    label: 'handler → Lambda ÷ Invoke',
    bound: 1.05,
    kind: 'max',
    unit: '×',
  },
  {
    key: 'ratio_direct_mode_vs_direct_p50',
    label: 'DirectClient → SQS ÷ SendMessage',
    bound: 1.02,
    kind: 'max',
    unit: '×',
  },
  { key: 'bundle_bytes', label: 'router bundle loaded at init', bound: 400_000, kind: 'max', unit: 'B' },
  {
    key: 'cold_init_ms_delta',
    label: 'cold init: router − empty handler',
    bound: 60,
    kind: 'max',
    unit: 'ms',
  },
  {
    key: 'ratio_expired_route_vs_direct_sqs_p50',
    label: 'expired route, per event ÷ SendMessage',
    bound: 3.35,
    kind: 'below',
    unit: '×',
  },
  { key: 'heap_bytes_per_route', label: 'heap per cached route', bound: 1024, kind: 'max', unit: 'B' },
];

export interface GoalCheck {
  readonly goal: Goal;
  readonly value: number | null;
  readonly met: boolean | null;
  /** How far past the bound, as a fraction of it (0.25: 25% over); 0 when met; null unmeasured. */
  readonly over: number | null;
}

/** Each goal against the results: met, missed by how much, or not measured. */
export function checkGoals(results: Results): GoalCheck[] {
  return GOALS.map((goal) => {
    const value = results[goal.key];
    if (value === null) return { goal, value, met: null, over: null };
    const met = goal.kind === 'max' ? value <= goal.bound : value < goal.bound;
    return { goal, value, met, over: met ? 0 : (value - goal.bound) / goal.bound };
  });
}
