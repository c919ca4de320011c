/**
 * The planner with health as input (pure: a HealthView in, a plan out). Unhealthy split targets
 * get weight 0 and the rest are renormalised, sticky keys of healthy targets do not move, fanout
 * copies to unhealthy targets are marked for the engine to keep, and a split with no healthy
 * target is parked when the route can park, else refused with ALL_TARGETS_UNHEALTHY.
 */
import fc from 'fast-check';
import { ErrorCode, PsarnError } from '../../src/errors';
import { viewOf, type UnhealthyMark } from '../../src/health/health-view';
import type { RoutedEvent } from '../../src/routing/plan';
import { planDelivery } from '../../src/routing/planner';
import { seededRandom } from '../../src/routing/seeded-random';
import { lambdaArn, psarnOf, route, snsArn, split, sqsArn, target } from '../support/routes';

const removed: UnhealthyMark = { status: 'removed', reason: 'does not exist' };
const down = (...arns: string[]) => viewOf(new Map(arns.map((a) => [a, removed])));
const event = (payload: unknown = {}): RoutedEvent => ({
  psarn: psarnOf('/event/h'),
  payload,
  headers: {},
  traceId: 't',
  eventId: 'e',
});

const a = lambdaArn('fnA');
const b = lambdaArn('fnB');
const c = lambdaArn('fnC');
const audit = snsArn('audit');
const holding = sqsArn('holding');

describe('planDelivery with health', () => {
  const r = route('/event/h', { targets: [split(a, 30), split(b, 50), split(c, 20)] });

  it('never picks an unhealthy split target and renormalises the rest (30/20 becomes 60/40)', () => {
    const random = seededRandom(7);
    const counts = new Map<string, number>();
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const [d] = planDelivery(r, event(), random, undefined, down(b)).deliveries;
      counts.set(d?.target.arn ?? '', (counts.get(d?.target.arn ?? '') ?? 0) + 1);
    }
    expect(counts.get(b)).toBeUndefined();
    // 5 standard deviations of a binomial share of 0.6 over 20,000 draws is ~0.017.
    expect(Math.abs((counts.get(a) ?? 0) / n - 0.6)).toBeLessThan(0.02);
    expect(Math.abs((counts.get(c) ?? 0) / n - 0.4)).toBeLessThan(0.02);
  });

  it('with an empty view plans exactly as without health', () => {
    const random1 = seededRandom(3);
    const random2 = seededRandom(3);
    for (let i = 0; i < 100; i++) {
      expect(planDelivery(r, event(), random1, undefined, viewOf(new Map()))).toEqual(
        planDelivery(r, event(), random2),
      );
    }
  });

  it('keeps every sticky key of a healthy target where it was, and moves only the unhealthy target`s keys', () => {
    const sticky = route('/event/h', { targets: r.targets, stickyBy: 'payload.k' });
    const noRandom = () => {
      throw new Error('sticky routing draws no random number');
    };
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 50 }),
        (keys) => {
          for (const k of keys) {
            const before = planDelivery(sticky, event({ k }), noRandom).deliveries[0]?.target.arn;
            const after = planDelivery(sticky, event({ k }), noRandom, undefined, down(b)).deliveries[0]
              ?.target.arn;
            if (before === b) expect(after).not.toBe(b);
            else expect(after).toBe(before);
          }
        },
      ),
    );
  });

  it('marks a fanout copy to an unhealthy target, and leaves healthy ones as they are', () => {
    const withFanout = route('/event/h', { targets: [split(a, 1)], fanout: [target(audit), target(c)] });
    const plan = planDelivery(withFanout, event(), () => 0.5, undefined, down(audit));
    expect(plan.deliveries.map((d) => [d.role, d.target.arn, d.unhealthy?.status])).toEqual([
      ['split', a, undefined],
      ['fanout', audit, 'removed'],
      ['fanout', c, undefined],
    ]);
  });

  it('parks the split copy (marked) when every split target is unhealthy and the route has a park queue', () => {
    const parkable = route('/event/h', {
      targets: [split(a, 1), split(b, 1)],
      park: { queue: holding, enabled: false },
    });
    const plan = planDelivery(parkable, event(), () => 0.1, undefined, down(a, b));
    expect(plan.deliveries).toHaveLength(1);
    expect(plan.deliveries[0]).toMatchObject({ role: 'split', target: { arn: a }, unhealthy: removed });
  });

  it('refuses the event with ALL_TARGETS_UNHEALTHY when no split target is healthy and nothing can park it', () => {
    const unparkable = route('/event/h', { targets: [split(a, 1), split(b, 0)] });
    // b has weight 0: with a down, no target with a positive weight is left.
    let thrown: unknown;
    try {
      planDelivery(unparkable, event(), () => 0.1, undefined, down(a));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(PsarnError);
    expect((thrown as PsarnError).code).toBe(ErrorCode.ALL_TARGETS_UNHEALTHY);
    expect((thrown as PsarnError).message).toMatch(/every split target of .* is unhealthy .*no park queue/);
  });

  it('applies health to the routes an alias leads to', () => {
    const inner = route('/event/inner', { targets: [split(a, 1), split(b, 1)] });
    const outer = route('/event/h', { targets: [split(inner.psarn, 1)] });
    const lookup = (p: string) => (p === inner.psarn ? inner : undefined);
    for (const x of [0.01, 0.3, 0.6, 0.99]) {
      const plan = planDelivery(outer, event(), () => x, lookup, down(a));
      expect(plan.deliveries.map((d) => d.target.arn)).toEqual([b]);
    }
  });
});
