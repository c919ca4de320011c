import type { RoutedEvent } from '../../src/routing/plan';
import { sampleSplit } from '../../src/routing/sample-split';
import { seededRandom } from '../../src/routing/seeded-random';
import { pickSplitTarget } from '../../src/routing/split';
import { lambdaArn, psarnOf, route, split, sqsArn, target } from '../support/routes';

const event: RoutedEvent = {
  psarn: psarnOf('/event/s'),
  payload: {},
  headers: {},
  traceId: 't',
  eventId: 'e',
};

describe('sampleSplit', () => {
  it('counts each split target and reports its configured and normalised weight', () => {
    const r = route('/event/s', {
      targets: [split(lambdaArn('a'), 3), split(lambdaArn('b'), 1), split(lambdaArn('c'), 0)],
    });
    const result = sampleSplit(r, event, seededRandom(1), 40_000);
    expect(result.map((t) => [t.arn, t.weight, t.expected])).toEqual([
      [lambdaArn('a'), 3, 0.75],
      [lambdaArn('b'), 1, 0.25],
      [lambdaArn('c'), 0, 0],
    ]);
    expect(result.reduce((sum, t) => sum + t.count, 0)).toBe(40_000);
    expect(result[2]?.count).toBe(0);
    for (const t of result) {
      expect(t.share).toBe(t.count / 40_000);
      expect(Math.abs(t.share - t.expected)).toBeLessThan(0.011);
    }
  });

  it('samples the split of a parked route as configured, and nothing for a fanout-only route', () => {
    const parked = route('/event/p', {
      targets: [split(lambdaArn('a'), 1)],
      park: { queue: sqsArn('hold'), enabled: true },
    });
    expect(sampleSplit(parked, event, Math.random, 5).map((t) => t.count)).toEqual([5]);
    const fanoutOnly = route('/event/f', { fanout: [target(sqsArn('q'))] });
    expect(sampleSplit(fanoutOnly, event, Math.random, 5)).toEqual([]);
    expect(pickSplitTarget(fanoutOnly, event, Math.random)).toBeUndefined();
  });
});
