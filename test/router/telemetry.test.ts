import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tally } from '../../src/router/telemetry';
import type { DeliveryOutcome } from '../../src/delivery/report';
import type { RouteCacheStats } from '../../src/store/route-cache';

/** EMF lines written during `fn`: Powertools prints one JSON document per published set. */
function emfLines(fn: () => void): Record<string, unknown>[] {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return lines
    .join('')
    .split('\n')
    .filter((l) => l.includes('_aws'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const outcome = (psarn: string, statuses: string[]): DeliveryOutcome => ({
  secured: true,
  unsecured: [],
  report: {
    psarn,
    routeVersion: 1,
    traceId: 't',
    deliveries: statuses.map((status) => ({
      target: 'arn:aws:sqs:us-east-1:000000000000:q',
      role: 'split',
      status: status as 'delivered',
      ...(status === 'delivered'
        ? {}
        : { error: { code: 'TARGET_FAILED', message: 'x', reason: 'rejected' } }),
    })),
  },
});

const stats = (hits: number, misses: number): RouteCacheStats => ({
  hits,
  misses,
  negativeHits: 0,
  staleServes: 0,
  storeReads: misses,
  controlReads: 1,
});

describe('Tally (EMF metrics)', () => {
  beforeEach(() => {
    delete process.env['POWERTOOLS_METRICS_DISABLED'];
    delete process.env['POWERTOOLS_DEV'];
  });

  it('writes one EMF line per psARN and target kind at the end of an invocation, and nothing before', () => {
    const tally = new Tally(new Metrics({ namespace: 'psarn', serviceName: 'psarn-router' }));
    const during = emfLines(() => {
      tally.event('arn:p1');
      tally.outcome(outcome('arn:p1', ['delivered', 'delivered', 'parked']), () => 'sqs');
      tally.rejected('arn:p2');
    });
    expect(during).toEqual([]);

    const lines = emfLines(() => tally.flush(stats(9, 1)));
    const byDims = lines.map((l) => ({
      psarn: l['psarn'],
      kind: l['targetKind'],
      deliveries: l['deliveries'],
      parked: l['parked'],
      events: l['events'],
      rejected: l['rejected'],
      failures: l['failures'],
      cacheHits: l['cacheHits'],
    }));
    expect(byDims).toEqual([
      {
        psarn: 'arn:p1',
        kind: 'all',
        events: 1,
        deliveries: undefined,
        parked: undefined,
        rejected: undefined,
        failures: undefined,
        cacheHits: undefined,
      },
      {
        psarn: 'arn:p1',
        kind: 'sqs',
        events: undefined,
        deliveries: 2,
        parked: 1,
        rejected: undefined,
        failures: 1,
        cacheHits: undefined,
      },
      {
        psarn: 'arn:p2',
        kind: 'all',
        events: undefined,
        deliveries: undefined,
        parked: undefined,
        rejected: 1,
        failures: undefined,
        cacheHits: undefined,
      },
      {
        psarn: undefined,
        kind: undefined,
        events: undefined,
        deliveries: undefined,
        parked: undefined,
        rejected: undefined,
        failures: undefined,
        cacheHits: 9,
      },
    ]);
    expect(lines[0]?.['_aws']).toMatchObject({ CloudWatchMetrics: [{ Namespace: 'psarn' }] });
  });

  it('reports only the cache counters that grew since the last flush', () => {
    const tally = new Tally(new Metrics({ namespace: 'psarn', serviceName: 'psarn-router' }));
    emfLines(() => tally.flush(stats(10, 2)));
    const lines = emfLines(() => tally.flush(stats(15, 2)));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ cacheHits: 5, cacheMisses: 0 });
  });
});
