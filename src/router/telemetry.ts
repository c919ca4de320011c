import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
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

/**
 * Counts an invocation's events in memory and flushes them once, at its end, as EMF lines on
 * stdout (DESIGN.md "Hot path rules": no CloudWatch call per event or per invocation). One EMF
 * line per (psARN, target kind) pair, because EMF dimensions apply to a whole line.
 *
 * @example
 * const tally = new Tally(metrics);
 * tally.outcome(outcome, kindOf);
 * tally.flush(cache.stats);
 */
export class Tally {
  /** The dimension value of events whose psARN names no live route (unknown, malformed). */
  static readonly UNROUTED = 'unrouted';
  private readonly byKey = new Map<string, { psarn: string; kind: string; counts: Counts }>();
  private lastCache: RouteCacheStats | undefined;

  constructor(private readonly metrics: Metrics) {}

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

  /** Emits what was counted since the last flush, and the cache counters' growth. */
  flush(cache: RouteCacheStats): void {
    for (const { psarn, kind, counts } of this.byKey.values()) {
      this.metrics.addDimensions({ psarn, targetKind: kind });
      for (const [name, value] of Object.entries(counts))
        this.metrics.addMetric(name, MetricUnit.Count, value);
      this.metrics.publishStoredMetrics();
    }
    this.byKey.clear();
    const before = this.lastCache;
    const hits = cache.hits - (before?.hits ?? 0);
    const misses = cache.misses - (before?.misses ?? 0);
    const stale = cache.staleServes - (before?.staleServes ?? 0);
    if (hits + misses + stale > 0) {
      this.metrics.addMetric(MetricName.cacheHits, MetricUnit.Count, hits);
      this.metrics.addMetric(MetricName.cacheMisses, MetricUnit.Count, misses);
      this.metrics.addMetric(MetricName.staleServes, MetricUnit.Count, stale);
      this.metrics.publishStoredMetrics();
    }
    this.lastCache = { ...cache };
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
