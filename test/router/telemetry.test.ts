import { Tally } from '../../src/router/telemetry';
import type { DeliveryOutcome } from '../../src/delivery/report';
import type { RouteCacheStats } from '../../src/store/route-cache';

/** EMF lines written to stdout during `fn`: one JSON document per line. */
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
  it('writes one EMF line per psARN and target kind at the end of an invocation, and nothing before', () => {
    const tally = new Tally({ namespace: 'psarn', serviceName: 'psarn-router' });
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
    const tally = new Tally({ namespace: 'psarn', serviceName: 'psarn-router' });
    emfLines(() => tally.flush(stats(10, 2)));
    const lines = emfLines(() => tally.flush(stats(15, 2)));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ cacheHits: 5, cacheMisses: 0 });
  });

  it('writes all of a flush in one write, as EMF documents with the envelope Powertools wrote', () => {
    const writes: string[] = [];
    const tally = new Tally({
      namespace: 'psarn',
      serviceName: 'psarn-router',
      write: (text) => writes.push(text),
      now: () => 1_700_000_000_000,
    });
    tally.event('arn:p1');
    tally.outcome(outcome('arn:p1', ['delivered']), () => 'sqs');
    tally.rejected('arn:"quoted"\n');
    tally.flush(stats(3, 1));
    expect(writes).toHaveLength(1);
    const docs = (writes[0] as string)
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(docs).toHaveLength(4);
    expect(docs[1]).toEqual({
      _aws: {
        Timestamp: 1_700_000_000_000,
        CloudWatchMetrics: [
          {
            Namespace: 'psarn',
            Dimensions: [['service', 'psarn', 'targetKind']],
            Metrics: [{ Name: 'deliveries', Unit: 'Count' }],
          },
        ],
      },
      service: 'psarn-router',
      psarn: 'arn:p1',
      targetKind: 'sqs',
      deliveries: 1,
    });
    // A producer-chosen value cannot break the line or the JSON around it.
    expect(docs[2]).toMatchObject({ psarn: 'arn:"quoted"\n', rejected: 1 });
    expect(docs[3]).toEqual({
      _aws: {
        Timestamp: 1_700_000_000_000,
        CloudWatchMetrics: [
          {
            Namespace: 'psarn',
            Dimensions: [['service']],
            Metrics: [
              { Name: 'cacheHits', Unit: 'Count' },
              { Name: 'cacheMisses', Unit: 'Count' },
              { Name: 'staleServes', Unit: 'Count' },
            ],
          },
        ],
      },
      service: 'psarn-router',
      cacheHits: 3,
      cacheMisses: 1,
      staleServes: 0,
    });
  });

  it('writes nothing when nothing was counted and the cache counters did not grow', () => {
    const writes: string[] = [];
    const tally = new Tally({
      namespace: 'psarn',
      serviceName: 'psarn-router',
      write: (t) => writes.push(t),
    });
    tally.flush(stats(0, 0));
    expect(writes).toEqual([]);
  });
});
