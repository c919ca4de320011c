import fc from 'fast-check';
import { ErrorCode, PsarnError } from '../../src/errors';
import { MAX_ALIAS_HOPS, type Route, type TargetRef } from '../../src/routes/model';
import type { RoutedEvent } from '../../src/routing/plan';
import { planDelivery } from '../../src/routing/planner';
import { seededRandom } from '../../src/routing/seeded-random';
import { lambdaArn, psarnOf, route, sqsArn } from '../support/routes';

/**
 * Random route tables where any route may alias any other (or a psARN with no route), with
 * random weights, fanout and park states: the planner must either return a plan that keeps its
 * invariants or throw one of the three typed alias errors. It must never loop or hand a psARN on
 * as if it were a real target.
 */
const ROUTES = 6;
const psarnAt = (i: number): string => psarnOf(`/r/${i}`);

const targetRef: fc.Arbitrary<TargetRef> = fc.oneof(
  fc.integer({ min: 0, max: 3 }).map((i) => ({ arn: lambdaArn(`fn${i}`), kind: 'lambda' as const })),
  // ROUTES itself is a psARN without a route.
  fc.integer({ min: 0, max: ROUTES }).map((i) => ({ arn: psarnAt(i), kind: 'psarn' as const })),
);

const routeAt = (i: number): fc.Arbitrary<Route> =>
  fc
    .record({
      targets: fc.array(fc.tuple(targetRef, fc.integer({ min: 0, max: 5 })), { maxLength: 3 }),
      fanout: fc.array(targetRef, { maxLength: 2 }),
      parked: fc.option(fc.boolean(), { nil: undefined }),
      sticky: fc.boolean(),
    })
    .filter(({ targets, fanout }) => targets.length + fanout.length > 0)
    .map(({ targets, fanout, parked, sticky }) => {
      const split = targets.map(([t, w], j) => ({ ...t, weight: j === 0 ? w + 1 : w }));
      return route(`/r/${i}`, {
        targets: split,
        fanout,
        ...(parked === undefined ? {} : { park: { queue: sqsArn(`hold${i}`), enabled: parked } }),
        ...(sticky ? { stickyBy: 'payload.k' } : {}),
      });
    });

const table = fc.tuple(...Array.from({ length: ROUTES }, (_, i) => routeAt(i)));

describe('planDelivery over random alias graphs (property)', () => {
  it('returns a plan that keeps its invariants, or a typed alias error', () => {
    fc.assert(
      fc.property(
        table,
        fc.nat(ROUTES - 1),
        fc.integer(),
        fc.option(fc.string(), { nil: undefined }),
        (routes, start, seed, key) => {
          const byPsarn = new Map(routes.map((r) => [r.psarn, r]));
          const root = routes[start] as Route;
          const event: RoutedEvent = {
            psarn: root.psarn,
            payload: key === undefined ? {} : { k: key },
            headers: {},
            traceId: 't',
            eventId: 'e',
          };
          let plan;
          try {
            plan = planDelivery(root, event, seededRandom(seed), (p) => byPsarn.get(p));
          } catch (err) {
            expect(err).toBeInstanceOf(PsarnError);
            expect([ErrorCode.ALIAS_CYCLE, ErrorCode.ALIAS_TOO_DEEP, ErrorCode.ROUTE_NOT_FOUND]).toContain(
              (err as PsarnError).code,
            );
            return;
          }
          expect(plan.psarn).toBe(root.psarn);
          for (const d of plan.deliveries) {
            expect(d.target.kind).not.toBe('psarn');
            expect(d.via[0]).toBe(root.psarn);
            expect(d.via[d.via.length - 1]).toBe(d.route.psarn);
            expect(new Set(d.via).size).toBe(d.via.length);
            expect(d.via.length - 1).toBeLessThanOrEqual(MAX_ALIAS_HOPS);
            expect(byPsarn.get(d.route.psarn)).toBe(d.route);
            if (d.role === 'park') {
              expect(d.route.park?.enabled).toBe(true);
              expect(d.target).toEqual({ arn: d.route.park?.queue, kind: 'sqs' });
            } else {
              expect(d.route.park?.enabled).not.toBe(true);
              const named = d.role === 'split' ? d.route.targets : d.route.fanout;
              expect(named.some((t) => t === d.target || t.arn === d.target.arn)).toBe(true);
            }
          }
          // A parked start route plans exactly its park delivery.
          if (root.park?.enabled === true) expect(plan.deliveries.map((d) => d.role)).toEqual(['park']);
        },
      ),
      { numRuns: 500 },
    );
  });
});
