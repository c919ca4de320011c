import fc from 'fast-check';
import type { Route, SplitTarget } from '../../src/routes/model';
import type { RoutedEvent } from '../../src/routing/plan';
import { planDelivery } from '../../src/routing/planner';
import { seededRandom } from '../../src/routing/seeded-random';
import { pickSplitTarget } from '../../src/routing/split';
import { lambdaArn, psarnOf, route, split, sqsArn, target } from '../support/routes';

/**
 * Statistical properties use a tolerance of 5 standard deviations of a binomial share, so a
 * correct implementation fails one run in ~3.5 million, while a real bias of a few percent of a
 * share fails every run.
 */
const tolerance = (p: number, n: number): number => 5 * Math.sqrt((p * (1 - p)) / n) + 1e-9;

const noRandom = (): number => {
  throw new Error('sticky routing must not draw random numbers');
};

const eventWithKey = (key: string): RoutedEvent => ({
  psarn: psarnOf('/event/p'),
  payload: { key },
  headers: {},
  traceId: 't',
  eventId: 'e',
});

/** 2 to 6 split targets with non-negative integer weights, at least one positive. */
const weightVector = fc
  .array(fc.integer({ min: 0, max: 100 }), { minLength: 2, maxLength: 6 })
  .filter((ws) => ws.some((w) => w > 0));

function weightedRoute(weights: readonly number[], extra: Partial<Route> = {}): Route {
  return route('/event/p', {
    targets: weights.map((w, i) => split(lambdaArn(`fn${i}`), w)),
    ...extra,
  });
}

/** Which target each key lands on, by ARN. */
function assignments(r: Route, keys: readonly string[]): string[] {
  return keys.map((k) => (pickSplitTarget(r, eventWithKey(k), noRandom) as SplitTarget).arn);
}

const keyPrefix = fc.string({ maxLength: 8 });
const keysFrom = (prefix: string, n: number): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('split by weight (property)', () => {
  it('converges sampled frequencies to the normalised weights', () => {
    fc.assert(
      fc.property(weightVector, fc.integer(), (weights, seed) => {
        const r = weightedRoute(weights);
        const total = weights.reduce((a, b) => a + b, 0);
        const random = seededRandom(seed);
        const n = 20_000;
        const counts = new Map<string, number>();
        const event = eventWithKey('unused');
        for (let i = 0; i < n; i++) {
          const arn = planDelivery(r, event, random).deliveries[0]?.target.arn as string;
          counts.set(arn, (counts.get(arn) ?? 0) + 1);
        }
        weights.forEach((w, i) => {
          const count = counts.get(lambdaArn(`fn${i}`)) ?? 0;
          if (w === 0) expect(count).toBe(0);
          const p = w / total;
          expect(Math.abs(count / n - p)).toBeLessThanOrEqual(tolerance(p, n));
        });
      }),
      { numRuns: 40 },
    );
  });

  it('spreads distinct sticky keys over the targets in proportion to the weights', () => {
    fc.assert(
      fc.property(weightVector, keyPrefix, (weights, prefix) => {
        const r = weightedRoute(weights, { stickyBy: 'payload.key' });
        const total = weights.reduce((a, b) => a + b, 0);
        const n = 20_000;
        const landed = assignments(r, keysFrom(prefix, n));
        weights.forEach((w, i) => {
          const count = landed.filter((arn) => arn === lambdaArn(`fn${i}`)).length;
          if (w === 0) expect(count).toBe(0);
          const p = w / total;
          expect(Math.abs(count / n - p)).toBeLessThanOrEqual(tolerance(p, n));
        });
      }),
      { numRuns: 25 },
    );
  });
});

describe('sticky keys (property)', () => {
  it('never moves a key when unrelated routes change', () => {
    fc.assert(
      fc.property(
        weightVector,
        keyPrefix,
        fc.array(weightVector, { minLength: 1, maxLength: 4 }),
        (weights, prefix, others) => {
          const keys = keysFrom(prefix, 300);
          const sticky = weightedRoute(weights, { stickyBy: 'payload.key' });
          const front = route('/event/front', { targets: [split(sticky.psarn, 1)] });
          const viaAlias = (routes: readonly Route[]) => {
            const table = new Map(routes.map((x) => [x.psarn, x]));
            return keys.map(
              (k) =>
                planDelivery(front, eventWithKey(k), noRandom, (p) => table.get(p)).deliveries[0]?.target.arn,
            );
          };
          const before = assignments(sticky, keys);
          const aliasedBefore = viaAlias([sticky]);

          // Plan other routes — same target ARNs, other weights, other sticky paths — in between.
          const unrelated = others.map((ws, i) =>
            route(`/event/other${i}`, {
              targets: ws.map((w, j) => split(lambdaArn(`fn${j}`), w)),
              stickyBy: 'payload.key',
              fanout: i % 2 === 0 ? [] : [target(sqsArn(`q${i}`))],
            }),
          );
          for (const u of unrelated) assignments(u, keys);

          expect(assignments(sticky, keys)).toEqual(before);
          // Through an alias, with the unrelated routes now in the table, the same keys land the same.
          expect(viaAlias([sticky, ...unrelated])).toEqual(aliasedBefore);
          expect(aliasedBefore).toEqual(before);
          // An equal route rebuilt from scratch (a new release) keeps every key too.
          expect(assignments(weightedRoute([...weights], { stickyBy: 'payload.key' }), keys)).toEqual(before);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('moves about w/total of the keys when a target of weight w is added, all to the new target', () => {
    fc.assert(
      fc.property(weightVector, fc.integer({ min: 1, max: 100 }), keyPrefix, (weights, added, prefix) => {
        const n = 10_000;
        const keys = keysFrom(prefix, n);
        const before = assignments(weightedRoute(weights, { stickyBy: 'payload.key' }), keys);
        const grown = weightedRoute([...weights, added], { stickyBy: 'payload.key' });
        const after = assignments(grown, keys);
        const newcomer = lambdaArn(`fn${weights.length}`);

        const movedTo = after.filter((arn, i) => arn !== before[i]);
        // Never between two old targets: every key that moved went to the newcomer.
        expect(movedTo.filter((arn) => arn !== newcomer)).toEqual([]);
        const moved = movedTo.length;
        const p = added / (weights.reduce((a, b) => a + b, 0) + added);
        expect(Math.abs(moved / n - p)).toBeLessThanOrEqual(tolerance(p, n));
      }),
      { numRuns: 40 },
    );
  });

  it('only moves keys onto or off a target whose weight changed', () => {
    fc.assert(
      fc.property(
        weightVector,
        fc.nat(),
        fc.integer({ min: 0, max: 100 }),
        keyPrefix,
        (weights, which, newWeight, prefix) => {
          const j = which % weights.length;
          const changed = weights.map((w, i) => (i === j ? newWeight : w));
          fc.pre(changed.some((w) => w > 0));
          const keys = keysFrom(prefix, 2_000);
          const before = assignments(weightedRoute(weights, { stickyBy: 'payload.key' }), keys);
          const after = assignments(weightedRoute(changed, { stickyBy: 'payload.key' }), keys);
          const touched = lambdaArn(`fn${j}`);
          const moves = before
            .map((from, i) => [from, after[i]] as const)
            .filter(([from, to]) => from !== to);
          const old = weights[j] as number;
          // A heavier target only gains keys, a lighter one only loses them, an unchanged one keeps them.
          const allowed = ([from, to]: readonly [string, string | undefined]): boolean =>
            newWeight > old ? to === touched : newWeight < old ? from === touched : false;
          expect(moves.filter((move) => !allowed(move))).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('only moves the keys of a target that is removed', () => {
    fc.assert(
      fc.property(weightVector, fc.nat(), keyPrefix, (weights, which, prefix) => {
        const j = which % weights.length;
        const kept = weights.map((w, i) => [w, i] as const).filter(([, i]) => i !== j);
        fc.pre(kept.some(([w]) => w > 0));
        const keys = keysFrom(prefix, 2_000);
        const before = assignments(weightedRoute(weights, { stickyBy: 'payload.key' }), keys);
        const shrunk = route('/event/p', {
          targets: kept.map(([w, i]) => split(lambdaArn(`fn${i}`), w)),
          stickyBy: 'payload.key',
        });
        const after = assignments(shrunk, keys);
        const removed = lambdaArn(`fn${j}`);
        expect(before.filter((from, i) => from !== after[i] && from !== removed)).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });
});
