import type { Route } from '../routes/model';
import { parkTarget } from '../routing/compiled-route';
import type { DeliveryPlan } from '../routing/plan';

interface KeepPlan {
  readonly plan: DeliveryPlan;
  readonly status: 'parked' | 'dead-lettered';
}

/** Per route variant and DLQ: the plan that keeps its invalid payloads. */
const plans = new WeakMap<Route, Map<string | undefined, KeepPlan>>();

/**
 * The plan of a payload that broke the route's schema under `onInvalid: park`: one copy, role
 * `park`, to the route's park queue, else to the router's DLQ. Undefined when there is neither.
 * The copy is kept whole (drain re-plans it through the route), whatever the route's split.
 */
export function invalidPayloadPlan(route: Route, deadLetterQueue: string | undefined): KeepPlan | undefined {
  let byQueue = plans.get(route);
  const known = byQueue?.get(deadLetterQueue);
  if (known !== undefined) return known;
  const target =
    route.park !== undefined
      ? parkTarget(route.park)
      : deadLetterQueue !== undefined
        ? ({ arn: deadLetterQueue, kind: 'sqs' } as const)
        : undefined;
  if (target === undefined) return undefined;
  const via = Object.freeze([route.psarn]);
  const plan: DeliveryPlan = Object.freeze({
    psarn: route.psarn,
    deliveries: Object.freeze([Object.freeze({ target, role: 'park' as const, route, via })]),
  });
  const keep = { plan, status: route.park !== undefined ? ('parked' as const) : ('dead-lettered' as const) };
  if (byQueue === undefined) plans.set(route, (byQueue = new Map()));
  byQueue.set(deadLetterQueue, keep);
  return keep;
}
