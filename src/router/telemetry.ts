import type { DeliveryOutcome } from '../delivery/report';
import type { RouteCacheStats } from '../store/route-cache';

/** The metric names the router emits (namespace `psarn`). */
export const MetricName = {
  events: 'events',
  rejected: 'rejected',
  delivered: 'deliveries',
  failed: 'failures',
  parked: 'parked',
  deadLettered: 'deadLettered',
  cacheHits: 'cacheHits',
  cacheMisses: 'cacheMisses',
  staleServes: 'staleServes',
} as const;

type Counts = Partial<Record<(typeof MetricName)[keyof typeof MetricName], number>>;

/** Where and how a {@link Tally} writes; `write` and `now` are seams for tests and the bench. */
export interface EmfOptions {
  namespace: string;
  /** Emitted as the `service` dimension on every line, as Powertools Metrics did. */
  serviceName: string;
  /** Receives all of one flush's lines in one string; process.stdout.write by default. */
  write?: (text: string) => void;
  /** Epoch milliseconds for `_aws.Timestamp`; Date.now by default. */
  now?: () => number;
}

/**
 * One CloudWatch Embedded Metric Format document (one log line, no newline): the `_aws` envelope
 * names the namespace, the dimension keys and the metrics; their values are root members.
 * Everything is a Count, the only unit the router emits. Dimension values go through
 * JSON.stringify because they come from producers (a psARN may hold any character).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export function emfLine(
  namespace: string,
  timestamp: number,
  dimensions: Readonly<Record<string, string>>,
  counts: Readonly<Record<string, number>>,
): string {
  let dimKeys = '';
  let members = '';
  for (const key in dimensions) {
    const quoted = quote(key);
    dimKeys += dimKeys === '' ? quoted : `,${quoted}`;
    members += `,${quoted}:${JSON.stringify(dimensions[key])}`;
  }
  let defs = '';
  for (const name in counts) {
    const quoted = quote(name);
    defs += `${defs === '' ? '' : ','}{"Name":${quoted},"Unit":"Count"}`;
    members += `,${quoted}:${counts[name]}`;
  }
  return (
    `{"_aws":{"Timestamp":${timestamp},"CloudWatchMetrics":[{"Namespace":${quote(namespace)},` +
    `"Dimensions":[[${dimKeys}]],"Metrics":[${defs}]}]}${members}}`
  );
}

// Namespace, dimension and metric names are a handful of constants: quote each once (measured:
// JSON.stringify on every name was most of a flush's cost). Producer-supplied dimension values
// are not cached, so this map cannot grow with traffic.
const quoted = new Map<string, string>();
function quote(name: string): string {
  let q = quoted.get(name);
  if (q === undefined) {
    q = JSON.stringify(name);
    if (quoted.size < 64) quoted.set(name, q);
  }
  return q;
}

const writeStdout = (text: string): void => {
  process.stdout.write(text);
};

/**
 * Counts an invocation's events in memory and flushes them once, at its end, as EMF lines on
 * stdout (DESIGN.md "Hot path rules": no CloudWatch call per event or per invocation). One EMF
 * line per (psARN, target kind) pair, because EMF dimensions apply to a whole line, and all of a
 * flush's lines in one stdout write. Written by hand rather than with Powertools Metrics, which
 * cost ~30 µs per invocation (it re-reads environment variables on every flush and writes each
 * set separately, issue 11).
 *
 * @example
 * const tally = new Tally({ namespace: 'psarn', serviceName: 'psarn-router' });
 * tally.outcome(outcome, kindOf);
 * tally.flush(cache.stats);
 */
export class Tally {
  /** The dimension value of events whose psARN names no live route (unknown, malformed). */
  static readonly UNROUTED = 'unrouted';
  private readonly byKey = new Map<string, { psarn: string; kind: string; counts: Counts }>();
  private lastCache: RouteCacheStats | undefined;
  private readonly write: (text: string) => void;
  private readonly now: () => number;

  constructor(private readonly options: EmfOptions) {
    this.write = options.write ?? writeStdout;
    this.now = options.now ?? Date.now;
  }

  event(psarn: string): void {
    this.bump(psarn, 'all', MetricName.events);
  }

  rejected(psarn: string): void {
    this.bump(psarn, 'all', MetricName.rejected);
  }

  /** Records one event's fate per target; `kindOf` maps a target ARN to its kind. */
  outcome(outcome: DeliveryOutcome, kindOf: (arn: string) => string): void {
    const psarn = outcome.report.psarn;
    for (const delivery of outcome.report.deliveries) {
      const kind = kindOf(delivery.target);
      if (delivery.status === 'delivered') this.bump(psarn, kind, MetricName.delivered);
      else if (delivery.status === 'parked') this.bump(psarn, kind, MetricName.parked);
      else this.bump(psarn, kind, MetricName.deadLettered);
      if (delivery.error !== undefined) this.bump(psarn, kind, MetricName.failed);
    }
  }

  /** Emits what was counted since the last flush, and the cache counters' growth: one write. */
  flush(cache: RouteCacheStats): void {
    const { namespace, serviceName: service } = this.options;
    const timestamp = this.now();
    let text = '';
    for (const { psarn, kind, counts } of this.byKey.values())
      text += emfLine(namespace, timestamp, { service, psarn, targetKind: kind }, counts) + '\n';
    this.byKey.clear();
    const before = this.lastCache;
    const hits = cache.hits - (before?.hits ?? 0);
    const misses = cache.misses - (before?.misses ?? 0);
    const stale = cache.staleServes - (before?.staleServes ?? 0);
    if (hits + misses + stale > 0) {
      const counts = {
        [MetricName.cacheHits]: hits,
        [MetricName.cacheMisses]: misses,
        [MetricName.staleServes]: stale,
      };
      text += emfLine(namespace, timestamp, { service }, counts) + '\n';
    }
    this.lastCache = { ...cache };
    if (text !== '') this.write(text);
  }

  private bump(psarn: string, kind: string, name: keyof Counts): void {
    const key = `${kind} ${psarn}`;
    let entry = this.byKey.get(key);
    if (entry === undefined) {
      entry = { psarn, kind, counts: {} };
      this.byKey.set(key, entry);
    }
    entry.counts[name] = (entry.counts[name] ?? 0) + 1;
  }
}
