import fc from 'fast-check';
import type { Route } from '../../src/routes/model';
import type { RoutedEvent } from '../../src/routing/plan';
import { planDelivery } from '../../src/routing/planner';
import { routeAtStep } from '../../src/rollouts/step-route';
import { lambdaArn, psarnOf, route, split, target } from '../support/routes';

/**
 * A progressive rollout (src/rollouts/) raises the canary's weight step by step and scales every
 * other split target by one factor. With `stickyBy`, a user who reached the canary must stay on
 * it while its weight only grows, and a user still on an old target may move to the canary but
 * never to another old target. Checked against the real planner (weighted rendezvous hashing).
 */
const noRandom = (): number => {
  throw new Error('sticky routing must not draw random numbers');
};

const CANARY = target(lambdaArn('canary'));

function sticky(weights: readonly number[], withCanary: number | undefined): Route {
  return route('/event/p', {
    stickyBy: 'payload.userId',
    targets: [
      ...weights.map((w, i) => split(lambdaArn(`old${i}`), w)),
      ...(withCanary === undefined ? [] : [split(CANARY.arn, withCanary)]),
    ],
  });
}

const event = (userId: string): RoutedEvent => ({
  psarn: psarnOf('/event/p'),
  payload: { userId },
  headers: {},
  traceId: 't',
  eventId: 'e',
});

const where = (r: Route, key: string): string =>
  planDelivery(r, event(key), noRandom).deliveries[0]?.target.arn as string;

/** Rising step percents in (0, 100], 1 to 6 of them, ending at 100 or not. */
const steps = fc
  .uniqueArray(fc.double({ min: 0.01, max: 100, noNaN: true }), { minLength: 1, maxLength: 6 })
  .map((ps) => [...ps].sort((a, b) => a - b));

const oldWeights = fc
  .array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 5 })
  .filter((ws) => ws.some((w) => w > 0));

describe('sticky keys under a rollout (property)', () => {
  it('never moves a key back from the canary, nor between old targets, while the canary weight grows', () => {
    fc.assert(
      fc.property(
        oldWeights,
        fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
        steps,
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 40 }),
        (weights, canaryBefore, percents, keys) => {
          const base = sticky(weights, canaryBefore);
          const routes = [base, ...percents.map((p) => routeAtStep(base, CANARY, p))];
          for (const key of keys) {
            const path = routes.map((r) => where(r, key));
            path.forEach((arn, i) => {
              if (i === 0) return;
              const before = path[i - 1] as string;
              // Once on the canary, always on the canary (its weight never falls after step 1).
              if (i > 1 && before === CANARY.arn) expect(arn).toBe(CANARY.arn);
              // From an old target: stay, or go to the canary; never to another old target.
              if (before !== CANARY.arn && arn !== CANARY.arn) expect(arn).toBe(before);
            });
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the canary the step weight and the old targets the rest in their old proportions', () => {
    fc.assert(
      fc.property(oldWeights, fc.double({ min: 0.01, max: 99.99, noNaN: true }), (weights, p) => {
        const stepped = routeAtStep(sticky(weights, undefined), CANARY, p);
        const total = weights.reduce((a, b) => a + b, 0);
        expect(stepped.targets.at(-1)).toEqual({ ...CANARY, weight: p });
        stepped.targets.slice(0, -1).forEach((t, i) => {
          expect(t.weight).toBeCloseTo(((weights[i] as number) / total) * (100 - p), 9);
        });
      }),
    );
  });
});
