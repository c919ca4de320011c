import { DeliveryEngine } from '../../src/delivery/engine';
import { Router } from '../../src/router/router';
import type { Route } from '../../src/routes/model';
import { planDelivery } from '../../src/routing/planner';
import { InMemoryRouteStore } from '../../src/store/in-memory-route-store';
import { RouteCache } from '../../src/store/route-cache';
import { createForwarders } from '../../src/targets/registry';
import { psarnOf, route, split, sqsArn } from '../support/routes';

const blueA = sqsArn('blue-a');
const blueB = sqsArn('blue-b');
const r: Route = route('/event/split-by-caller', {
  targets: [split(sqsArn('green'), 1)],
  callers: [{ match: { labels: { deployment: 'blue' } }, targets: [split(blueA, 50), split(blueB, 50)] }],
});
const alias: Route = route('/event/alias', { targets: [split(psarnOf('/event/split-by-caller'), 1)] });
const blue = { 'psarn-caller': '{"labels":{"deployment":"blue"}}' };

async function router(): Promise<Router> {
  const store = new InMemoryRouteStore();
  await store.publishRelease([r, alias], { by: 'test' });
  const forwarders = createForwarders().forwarderFor;
  return new Router({
    cache: new RouteCache({ store }),
    engine: new DeliveryEngine({ forwarders }),
    forwarders,
    plan: planDelivery,
  });
}

async function targetsOf(rt: Router, psarn: string, eventId: string, retry = false): Promise<string[]> {
  const prepared = await rt.prepare(
    { psarn, payload: {}, headers: blue, eventId, traceId: eventId },
    { passthrough: false, retry },
  );
  if (!prepared.ok) throw prepared.error;
  return prepared.item.plan.deliveries.map((d) => d.target.arn);
}

describe('the router with caller overrides', () => {
  it("draws a caller's split from the event id: a retry takes the same branch, other events both", async () => {
    const rt = await router();
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const first = await targetsOf(rt, r.psarn, `event-${i}`);
      expect(await targetsOf(rt, r.psarn, `event-${i}`, true)).toEqual(first);
      seen.add(first.join());
    }
    expect([...seen].sort()).toEqual([blueA, blueB]);
  });

  it("follows an alias into the aliased route's override for the same caller", async () => {
    const rt = await router();
    const [target] = await targetsOf(rt, alias.psarn, 'e1');
    expect([blueA, blueB]).toContain(target);
  });

  it('rejects a header that claims a principal, whatever the route', async () => {
    const rt = await router();
    const prepared = await rt.prepare(
      {
        psarn: r.psarn,
        payload: {},
        headers: { 'psarn-caller': '{"principal":"arn:aws:iam::000000000000:role/admin"}' },
      },
      { passthrough: false },
    );
    expect(prepared.ok === false && prepared.error.code).toBe('INVALID_HEADER');
  });
});

describe('payload contracts through an alias', () => {
  it("rejects a payload that breaks the aliased route's schema, and lets a valid one through", async () => {
    const typed = route('/event/typed', {
      targets: [split(sqsArn('typed'), 1)],
      schema: { type: 'object', required: ['userId'] },
      onInvalid: 'park',
      park: { queue: sqsArn('typed-holding'), enabled: false },
    });
    const front = route('/event/front', { targets: [split(psarnOf('/event/typed'), 1)] });
    const store = new InMemoryRouteStore();
    await store.publishRelease([typed, front], { by: 'test' });
    const forwarders = createForwarders().forwarderFor;
    const rt = new Router({
      cache: new RouteCache({ store }),
      engine: new DeliveryEngine({ forwarders }),
      forwarders,
      plan: planDelivery,
    });
    const bad = await rt.prepare(
      { psarn: front.psarn, payload: { nope: 1 }, headers: {} },
      { passthrough: false },
    );
    expect(bad.ok === false && bad.error.code).toBe('PAYLOAD_INVALID');
    expect(bad.ok === false && bad.error.message).toContain(typed.psarn);
    const good = await rt.prepare(
      { psarn: front.psarn, payload: { userId: 'u' }, headers: {} },
      { passthrough: false },
    );
    expect(good.ok && good.item.plan.deliveries.map((d) => d.target.arn)).toEqual([sqsArn('typed')]);
  });
});
