import {
  AliasCycleError,
  AliasTooDeepError,
  ErrorCode,
  InvalidWeightsError,
  RouteNotFoundError,
} from '../../src/errors';
import type { Route } from '../../src/routes/model';
import type { RoutedEvent, RouteLookup } from '../../src/routing/plan';
import { planDelivery } from '../../src/routing/planner';
import { pickSplitTarget } from '../../src/routing/split';
import { busArn, lambdaArn, psarnOf, route, snsArn, split, sqsArn, target } from '../support/routes';

const event = (payload: unknown = {}, headers: Record<string, string> = {}): RoutedEvent => ({
  psarn: psarnOf('/event/x'),
  payload,
  headers,
  traceId: 't-1',
  eventId: 'e-1',
});

/** A Random that replays fixed values and fails the test if asked for more. */
function replay(...values: number[]): () => number {
  let i = 0;
  return () => {
    if (i >= values.length) throw new Error('random() called more often than expected');
    return values[i++] as number;
  };
}

const noRandom = (): number => {
  throw new Error('random() must not be called');
};

function lookupOf(...routes: Route[]): RouteLookup {
  const byPsarn = new Map(routes.map((r) => [r.psarn, r]));
  return (psarn) => byPsarn.get(psarn);
}

const summary = (plan: ReturnType<typeof planDelivery>) =>
  plan.deliveries.map((d) => ({ role: d.role, arn: d.target.arn, route: d.route.psarn, via: d.via }));

describe('planDelivery', () => {
  const live = lambdaArn('newUser:live');
  const canary = lambdaArn('newUser:canary');
  const third = lambdaArn('newUser:third');

  describe('split', () => {
    const r = route('/event/split', { targets: [split(live, 30), split(canary, 50), split(third, 20)] });

    it.each([
      [0, live],
      [0.2999, live],
      [0.3, canary],
      [0.7999, canary],
      [0.8, third],
      [0.999999, third],
    ])('sends random() = %p to the target whose normalised band holds it', (r0, expected) => {
      const plan = planDelivery(r, event(), replay(r0));
      expect(summary(plan)).toEqual([{ role: 'split', arn: expected, route: r.psarn, via: [r.psarn] }]);
    });

    it('never chooses a zero-weight target, even at the edges of the random range', () => {
      const zeros = route('/event/zeros', {
        targets: [split(live, 0), split(canary, 1), split(third, 0)],
      });
      for (const r0 of [0, 1e-12, 0.5, 0.999999999, 1 - Number.EPSILON / 2]) {
        expect(planDelivery(zeros, event(), replay(r0)).deliveries[0]?.target.arn).toBe(canary);
      }
    });

    it('falls back to the last weighted target when random() misbehaves and returns 1', () => {
      const r2 = route('/event/tail', { targets: [split(live, 1), split(canary, 1), split(third, 0)] });
      expect(planDelivery(r2, event(), replay(1)).deliveries[0]?.target.arn).toBe(canary);
    });

    it('does not draw a random number for a single-target split', () => {
      const one = route('/event/one', { targets: [split(live, 1)] });
      expect(summary(planDelivery(one, event(), noRandom))).toEqual([
        { role: 'split', arn: live, route: one.psarn, via: [one.psarn] },
      ]);
    });

    it('rejects a split whose weights are all zero, naming the route and the weights', () => {
      const bad = route('/event/bad', { targets: [split(live, 0), split(canary, 0)] });
      expect(() => planDelivery(bad, event(), Math.random)).toThrow(InvalidWeightsError);
      expect(() => planDelivery(bad, event(), Math.random)).toThrow(
        `route ${bad.psarn} has no usable split weight (weights [0,0]`,
      );
    });

    it('rejects negative and non-finite weights', () => {
      for (const w of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
        const bad = route(`/event/w${String(w)}`, { targets: [split(live, 1), split(canary, w)] });
        expect(() => planDelivery(bad, event(), Math.random)).toThrow(
          expect.objectContaining({ code: ErrorCode.ROUTE_INVALID }),
        );
      }
    });

    it('returns one shared frozen plan per split target when no alias is involved', () => {
      const a = planDelivery(r, event({ n: 1 }), replay(0.1));
      const b = planDelivery(r, event({ n: 2 }), replay(0.2));
      expect(a).toBe(b);
      expect(Object.isFrozen(a)).toBe(true);
      expect(Object.isFrozen(a.deliveries)).toBe(true);
    });
  });

  describe('fanout', () => {
    it('adds every fanout target after the one split target', () => {
      const r = route('/event/fan', {
        targets: [split(live, 1)],
        fanout: [target(snsArn('audit')), target(busArn('default'), { detailType: 'NewUser' })],
      });
      const plan = planDelivery(r, event(), noRandom);
      expect(plan.psarn).toBe(r.psarn);
      expect(summary(plan)).toEqual([
        { role: 'split', arn: live, route: r.psarn, via: [r.psarn] },
        { role: 'fanout', arn: snsArn('audit'), route: r.psarn, via: [r.psarn] },
        { role: 'fanout', arn: busArn('default'), route: r.psarn, via: [r.psarn] },
      ]);
      expect(plan.deliveries[2]?.target.detailType).toBe('NewUser');
    });

    it('plans only the fanout for a route without a split', () => {
      const r = route('/event/fanonly', { fanout: [target(sqsArn('a')), target(sqsArn('b'))] });
      expect(summary(planDelivery(r, event(), noRandom)).map((d) => [d.role, d.arn])).toEqual([
        ['fanout', sqsArn('a')],
        ['fanout', sqsArn('b')],
      ]);
    });
  });

  describe('park', () => {
    const holding = sqsArn('newUser-holding');
    const base = {
      targets: [split(live, 9), split(canary, 1)],
      fanout: [target(snsArn('audit'))],
    };

    it('sends a parked route only to its park queue, as an SQS target', () => {
      const r = route('/event/parked', { ...base, park: { queue: holding, enabled: true } });
      const plan = planDelivery(r, event(), noRandom);
      expect(plan.deliveries).toEqual([
        { role: 'park', target: { arn: holding, kind: 'sqs' }, route: r, via: [r.psarn] },
      ]);
    });

    it('ignores a park queue that is not enabled', () => {
      const r = route('/event/standby', { ...base, park: { queue: holding, enabled: false } });
      expect(summary(planDelivery(r, event(), replay(0.95))).map((d) => [d.role, d.arn])).toEqual([
        ['split', canary],
        ['fanout', snsArn('audit')],
      ]);
    });

    it('does not follow aliases of a parked route', () => {
      const r = route('/event/parked-alias', {
        targets: [split(psarnOf('/event/missing'), 1)],
        park: { queue: holding, enabled: true },
      });
      expect(summary(planDelivery(r, event(), noRandom))).toEqual([
        { role: 'park', arn: holding, route: r.psarn, via: [r.psarn] },
      ]);
    });
  });

  describe('aliases', () => {
    const b = route('/event/b', {
      targets: [split(live, 1)],
      fanout: [target(snsArn('b-audit'))],
      onFailure: 'park',
    });

    it('plans an aliased split target through the aliased route, with its own fanout', () => {
      const a = route('/event/a', { targets: [split(b.psarn, 1)], fanout: [target(sqsArn('a-copy'))] });
      const plan = planDelivery(a, event(), noRandom, lookupOf(b));
      expect(plan.psarn).toBe(a.psarn);
      expect(summary(plan)).toEqual([
        { role: 'split', arn: live, route: b.psarn, via: [a.psarn, b.psarn] },
        { role: 'fanout', arn: snsArn('b-audit'), route: b.psarn, via: [a.psarn, b.psarn] },
        { role: 'fanout', arn: sqsArn('a-copy'), route: a.psarn, via: [a.psarn] },
      ]);
      // The route that named the target is the one whose onFailure applies.
      expect(plan.deliveries[0]?.route).toBe(b);
    });

    it('follows an alias in the fanout too', () => {
      const a = route('/event/a2', { targets: [split(canary, 1)], fanout: [target(b.psarn)] });
      expect(summary(planDelivery(a, event(), noRandom, lookupOf(b)))).toEqual([
        { role: 'split', arn: canary, route: a.psarn, via: [a.psarn] },
        { role: 'split', arn: live, route: b.psarn, via: [a.psarn, b.psarn] },
        { role: 'fanout', arn: snsArn('b-audit'), route: b.psarn, via: [a.psarn, b.psarn] },
      ]);
    });

    it("parks at the aliased route's queue when the aliased route is parked", () => {
      const parkedB = route('/event/pb', {
        targets: [split(live, 1)],
        park: { queue: sqsArn('pb-holding'), enabled: true },
      });
      const a = route('/event/a3', { targets: [split(parkedB.psarn, 1)], fanout: [target(sqsArn('x'))] });
      expect(summary(planDelivery(a, event(), noRandom, lookupOf(parkedB)))).toEqual([
        { role: 'park', arn: sqsArn('pb-holding'), route: parkedB.psarn, via: [a.psarn, parkedB.psarn] },
        { role: 'fanout', arn: sqsArn('x'), route: a.psarn, via: [a.psarn] },
      ]);
    });

    it('applies the aliased route’s own split weights and sticky key', () => {
      const sticky = route('/event/sticky-b', {
        targets: [split(live, 1), split(canary, 1)],
        stickyBy: 'payload.user',
      });
      const a = route('/event/a4', { targets: [split(sticky.psarn, 1)] });
      const first = planDelivery(a, event({ user: 'u-1' }), noRandom, lookupOf(sticky));
      const direct = planDelivery(sticky, event({ user: 'u-1' }), noRandom);
      expect(first.deliveries[0]?.target.arn).toBe(direct.deliveries[0]?.target.arn);
    });

    /** A chain /hop/0 -> /hop/1 -> ... -> /hop/n, where /hop/n targets a Lambda. */
    function chain(hops: number): Route[] {
      const routes: Route[] = [];
      for (let i = 0; i < hops; i++) {
        routes.push(route(`/hop/${i}`, { targets: [split(psarnOf(`/hop/${i + 1}`), 1)] }));
      }
      routes.push(route(`/hop/${hops}`, { targets: [split(live, 1)] }));
      return routes;
    }

    it('follows a chain of exactly 8 hops', () => {
      const routes = chain(8);
      const plan = planDelivery(routes[0] as Route, event(), noRandom, lookupOf(...routes));
      expect(plan.deliveries).toHaveLength(1);
      expect(plan.deliveries[0]?.target.arn).toBe(live);
      expect(plan.deliveries[0]?.via).toEqual(routes.map((r) => r.psarn));
    });

    it('refuses a ninth hop with AliasTooDeepError naming the chain', () => {
      const routes = chain(9);
      const run = () => planDelivery(routes[0] as Route, event(), noRandom, lookupOf(...routes));
      expect(run).toThrow(AliasTooDeepError);
      expect(run).toThrow(`psARN alias chain longer than 8 hops: ${routes.map((r) => r.psarn).join(' -> ')}`);
    });

    it('reports a cycle with AliasCycleError instead of looping', () => {
      const x = route('/event/cx', { targets: [split(psarnOf('/event/cy'), 1)] });
      const y = route('/event/cy', { fanout: [target(x.psarn)] });
      const run = () => planDelivery(x, event(), noRandom, lookupOf(x, y));
      expect(run).toThrow(AliasCycleError);
      expect(run).toThrow(`psARN alias cycle: ${x.psarn} -> ${y.psarn} -> ${x.psarn}`);
    });

    it('reports a route aliasing itself as a cycle', () => {
      const self = route('/event/self', { targets: [split(psarnOf('/event/self'), 1)] });
      expect(() => planDelivery(self, event(), noRandom, lookupOf(self))).toThrow(AliasCycleError);
    });

    it('plans a diamond twice instead of calling it a cycle', () => {
      const d = route('/event/d', { targets: [split(live, 1)] });
      const l = route('/event/l', { targets: [split(d.psarn, 1)] });
      const r = route('/event/r', { targets: [split(d.psarn, 1)] });
      const top = route('/event/top', { fanout: [target(l.psarn), target(r.psarn)] });
      expect(summary(planDelivery(top, event(), noRandom, lookupOf(d, l, r))).map((x) => x.via)).toEqual([
        [top.psarn, l.psarn, d.psarn],
        [top.psarn, r.psarn, d.psarn],
      ]);
    });

    it('throws RouteNotFoundError for an alias to an unknown psARN', () => {
      const a = route('/event/dangling', { targets: [split(psarnOf('/event/nowhere'), 1)] });
      const run = () => planDelivery(a, event(), noRandom, lookupOf());
      expect(run).toThrow(RouteNotFoundError);
      expect(run).toThrow(expect.objectContaining({ context: { psarn: psarnOf('/event/nowhere') } }));
      // Without a lookup at all, every alias is unknown.
      expect(() => planDelivery(a, event(), noRandom)).toThrow(RouteNotFoundError);
    });
  });

  describe('stickyBy', () => {
    const r = route('/event/sticky', {
      targets: [split(live, 1), split(canary, 1), split(third, 1)],
      stickyBy: 'payload.user.id',
    });

    it('sends the same key to the same target without drawing a random number', () => {
      const first = planDelivery(r, event({ user: { id: 'u-42' } }), noRandom);
      for (let i = 0; i < 20; i++) {
        expect(planDelivery(r, event({ user: { id: 'u-42' }, n: i }), noRandom)).toBe(first);
      }
    });

    it('falls back to the random split when the key is missing or null', () => {
      expect(planDelivery(r, event({}), replay(0.1)).deliveries[0]?.target.arn).toBe(live);
      expect(planDelivery(r, event({ user: { id: null } }), replay(0.9)).deliveries[0]?.target.arn).toBe(
        third,
      );
    });

    it('treats a non-string key as its JSON text', () => {
      const asNumber = pickSplitTarget(r, event({ user: { id: 1234 } }), noRandom);
      const asText = pickSplitTarget(r, event({ user: { id: '1234' } }), noRandom);
      expect(asNumber).toBe(asText);
      const asObject = pickSplitTarget(r, event({ user: { id: { a: 1 } } }), noRandom);
      expect(asObject).toBe(pickSplitTarget(r, event({ user: { id: '{"a":1}' } }), noRandom));
    });

    it('reads a header key, matching the header name case-insensitively', () => {
      const byHeader = route('/event/sticky-h', {
        targets: [split(live, 1), split(canary, 1), split(third, 1)],
        stickyBy: 'headers.X-Tenant',
      });
      const keys = Array.from({ length: 30 }, (_, i) => `tenant-${i}`);
      for (const key of keys) {
        const upper = pickSplitTarget(byHeader, event({}, { 'X-Tenant': key }), noRandom);
        const lower = pickSplitTarget(byHeader, event({}, { 'x-tenant': key }), noRandom);
        const payload = pickSplitTarget(r, event({ user: { id: key } }), noRandom);
        expect(lower).toBe(upper);
        // Same targets, same key: the hash does not depend on the path it was read from.
        expect(upper?.arn).toBe(payload?.arn);
      }
    });

    it('never sends a key to a zero-weight target', () => {
      const z = route('/event/sticky-z', {
        targets: [split(live, 0), split(canary, 1), split(third, 0)],
        stickyBy: 'payload.k',
      });
      for (let i = 0; i < 200; i++) {
        expect(pickSplitTarget(z, event({ k: `key-${i}` }), noRandom)?.arn).toBe(canary);
      }
    });
  });
});
