/**
 * What one invocation's metrics flush costs: Powertools Metrics (what the router used before
 * issue 11, kept here as the reference) against the hand-written EMF writer in Tally, on the same
 * counts: one event delivered to one SQS target, plus the cache counters, i.e. three EMF sets.
 * stdout is swapped for a counting sink while the pair runs, so the figure is the CPU work and
 * the number of write calls, not the terminal's speed.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tally } from '../src/router/telemetry';
import type { DeliveryOutcome } from '../src/delivery/report';
import type { RouteCacheStats } from '../src/store/route-cache';
import { comparePair, type PairResult } from './measure';

const outcome: DeliveryOutcome = {
  secured: true,
  unsecured: [],
  report: {
    psarn: 'arn:aws:psarns:us-east-1:000000000000:/bench/metrics',
    routeVersion: 1,
    traceId: 't',
    deliveries: [{ target: 'arn:aws:sqs:us-east-1:000000000000:q', role: 'split', status: 'delivered' }],
  },
};

export interface MetricsPair {
  readonly result: PairResult;
  /** stdout write calls per flush, for each variant. */
  readonly writesPerFlush: { readonly powertools: number; readonly emf: number };
}

export async function metricsFlushPair(): Promise<MetricsPair> {
  let writes = 0;
  const realWrite = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => {
    writes++;
    return true;
  }) as typeof process.stdout.write;
  try {
    const metrics = new Metrics({ namespace: 'psarn', serviceName: 'psarn-router' });
    let hits = 0;
    // The pre-issue-11 Tally.flush, verbatim in its Powertools calls.
    const powertoolsInvocation = (): void => {
      metrics.addDimensions({ psarn: outcome.report.psarn, targetKind: 'all' });
      metrics.addMetric('events', MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
      metrics.addDimensions({ psarn: outcome.report.psarn, targetKind: 'sqs' });
      metrics.addMetric('deliveries', MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
      metrics.addMetric('cacheHits', MetricUnit.Count, 1);
      metrics.addMetric('cacheMisses', MetricUnit.Count, 0);
      metrics.addMetric('staleServes', MetricUnit.Count, 0);
      metrics.publishStoredMetrics();
    };
    const tally = new Tally({ namespace: 'psarn', serviceName: 'psarn-router' });
    const stats = (): RouteCacheStats => ({
      hits: ++hits,
      misses: 0,
      negativeHits: 0,
      staleServes: 0,
      storeReads: 0,
      controlReads: 0,
    });
    const emfInvocation = (): void => {
      tally.event(outcome.report.psarn);
      tally.outcome(outcome, () => 'sqs');
      tally.flush(stats());
    };
    writes = 0;
    powertoolsInvocation();
    const powertools = writes;
    writes = 0;
    emfInvocation();
    const emf = writes;
    const result = await comparePair(
      'metrics flush of one invocation (3 EMF sets)',
      { name: 'hand-written EMF, 1 write', run: (ops) => repeatSync(ops, emfInvocation) },
      { name: 'Powertools Metrics', run: (ops) => repeatSync(ops, powertoolsInvocation) },
      { ops: 20_000 },
    );
    return { result, writesPerFlush: { powertools, emf } };
  } finally {
    process.stdout.write = realWrite;
  }
}

function repeatSync(times: number, fn: () => void): void {
  for (let n = 0; n < times; n++) fn();
}
