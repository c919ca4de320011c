import { assembleResults, checkGoals, RESULT_KEYS, type ResultKey } from '../../bench/results';
import { routerCostPerMillion } from '../../bench/cost';
import { PRICES } from '../../bench/prices';
import { percentile } from '../../bench/samples';
import { scalingChart } from '../../bench/chart';

// bench/results.json is read by scripts and compared across runs: every stable key is always
// there, a number or null with the reason beside it.
describe('bench results', () => {
  it('has every stable key of issue 11', () => {
    expect(RESULT_KEYS).toEqual(
      expect.arrayContaining([
        'overhead_us_p50',
        'overhead_us_p99',
        'ratio_router_vs_direct_sqs_p50',
        'ratio_router_vs_direct_lambda_p50',
        'ratio_direct_mode_vs_direct_p50',
        'store_reads_per_1000_events',
        'bundle_bytes',
        'cold_init_ms_delta',
        'batch_api_calls_per_event',
        'cost_usd_per_million_router',
        'heap_bytes_per_route',
      ]),
    );
  });

  it('writes every key: measured numbers as they are, the rest null with <key>_reason', () => {
    const results = assembleResults(
      {
        bundle_bytes: 594_482,
        overhead_us_p50: 12.5,
        heap_bytes_per_route: { reason: 'global.gc is not exposed: run node with --expose-gc' },
        cold_init_ms_delta: Number.NaN,
      },
      { node: 'v22' },
    );
    for (const key of RESULT_KEYS) expect(results).toHaveProperty(key);
    expect(results.bundle_bytes).toBe(594_482);
    expect(results.overhead_us_p50).toBe(12.5);
    expect(results.heap_bytes_per_route).toBeNull();
    expect(results['heap_bytes_per_route_reason']).toBe(
      'global.gc is not exposed: run node with --expose-gc',
    );
    expect(results.cold_init_ms_delta).toBeNull();
    expect(results['cold_init_ms_delta_reason']).toBe('the measurement gave NaN');
    expect(results.store_reads_per_1000_events).toBeNull();
    expect(results['store_reads_per_1000_events_reason']).toBe('not measured in this run');
    expect(results['bundle_bytes_reason']).toBeUndefined();
    expect(results['details']).toEqual({ node: 'v22' });
    // Keys in their stable order, then details: a diff of two results.json files lines up.
    expect(Object.keys(results).filter((k) => !k.endsWith('_reason'))).toEqual([...RESULT_KEYS, 'details']);
  });

  it('says which goals are met, missed by how much, or not measured', () => {
    const figures: Partial<Record<ResultKey, number>> = {
      overhead_us_p50: 25,
      overhead_us_p99: 100,
      bundle_bytes: 400_000,
    };
    const checks = new Map(checkGoals(assembleResults(figures, {})).map((c) => [c.goal.key, c]));
    expect(checks.get('overhead_us_p50')).toMatchObject({ met: false, over: 0.25 });
    expect(checks.get('overhead_us_p99')).toMatchObject({ met: true, over: 0 });
    expect(checks.get('bundle_bytes')).toMatchObject({ met: true });
    expect(checks.get('cold_init_ms_delta')).toMatchObject({ met: null, value: null });
    const expired = checkGoals(assembleResults({ ratio_expired_route_vs_direct_sqs_p50: 3.35 }, {})).find(
      (c) => c.goal.key === 'ratio_expired_route_vs_direct_sqs_p50',
    );
    expect(expired?.met).toBe(false); // "below 3.35×": equal is not below
  });
});

describe('bench cost and statistics', () => {
  it('prices a million 1-event invocations: requests, GB-s billed per started ms, route reads', () => {
    const cost = routerCostPerMillion({
      durationMs: 2.2,
      events: 1,
      readUnitsPerEvent: 0.002,
      memoryMb: 512,
    });
    const expected =
      0.2 + 1e6 * 0.003 * 0.5 * PRICES.lambdaGbSecond.arm64 + 1e6 * 0.002 * PRICES.dynamoReadRequestUnit;
    expect(cost).toBeCloseTo(expected, 9);
  });

  it('spreads an ingress batch invocation over its events', () => {
    const one = routerCostPerMillion({ durationMs: 5, events: 1, readUnitsPerEvent: 0 });
    const ten = routerCostPerMillion({ durationMs: 5, events: 10, readUnitsPerEvent: 0 });
    expect(ten).toBeCloseTo(one / 10, 9);
  });

  it('takes percentiles by nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('draws each series point and leaves an unmeasured one out', () => {
    const svg = scalingChart(
      [
        {
          title: 'fanout <width>',
          xLabel: 'targets',
          yLabel: 'USD',
          categories: ['1', '5', '20'],
          series: [{ name: 'cost', values: [0.3, null, 0.9] }],
        },
      ],
      'caption',
    );
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<circle /g)).toHaveLength(2);
    expect(svg).toContain('fanout &lt;width&gt;');
  });
});
