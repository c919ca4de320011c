import { InvalidWeightsError } from '../errors';
import type { Route, TargetRef } from '../routes/model';
import { compileEventPath, type EventPathReader } from './event-path';
import { hashString64 } from './hash';
import type { DeliveryPlan, PlannedDelivery } from './plan';

/**
 * Everything the planner can work out about a route once instead of once per event: normalised
 * cumulative weights, each split target's hash lanes, the sticky-key reader, and the deliveries
 * (even whole plans) that do not depend on the event. Routes are immutable values, so the
 * compiled form is cached per route object and dropped with it.
 */
export interface CompiledRoute {
  readonly route: Route;
  /** `[route.psarn]`: the `via` of every delivery this route names when planned directly. */
  readonly rootVia: readonly string[];
  /** The whole plan when the route is parked: it does not depend on the event. */
  readonly parkedPlan: DeliveryPlan | undefined;
  /** The park delivery (same object as in `parkedPlan`). */
  readonly parkDelivery: PlannedDelivery | undefined;
  /** Split weights as configured, and normalised cumulative (last positive entry exactly 1). */
  readonly weights: Float64Array;
  readonly cumulative: Float64Array;
  /** Index of the last split target with a positive weight: the answer when `random()` misbehaves. */
  readonly lastPositive: number;
  /** Two 32-bit hash lanes per split target, of its ARN: `[t0, t1, t0, t1, …]`. */
  readonly targetLanes: Uint32Array;
  readonly sticky: EventPathReader | undefined;
  /** Per split target, its delivery when planned directly (`via` = `rootVia`). */
  readonly splitDeliveries: readonly PlannedDelivery[];
  readonly fanoutDeliveries: readonly PlannedDelivery[];
  /** True when any split or fanout target is a psARN: plans then depend on the lookup. */
  readonly hasAlias: boolean;
  /**
   * Without aliases, the plan for "split target i was chosen" is the same for every event: one
   * frozen plan per split target (or one fanout-only plan when there is no split).
   */
  readonly plans: readonly DeliveryPlan[];
}

const compiled = new WeakMap<Route, CompiledRoute>();

/**
 * The compiled form of `route`, built on first use and then served from a WeakMap.
 *
 * @throws InvalidWeightsError when the split has targets but no usable weight (validation should
 *   have rejected the route; a hand-written table item might not have been validated).
 *
 * @example
 * const c = compileRoute(route);
 * c.cumulative; // Float64Array [0.3, 0.8, 1] for weights 30/50/20
 */
export function compileRoute(route: Route): CompiledRoute {
  const known = compiled.get(route);
  if (known !== undefined) return known;
  const built = buildCompiledRoute(route);
  compiled.set(route, built);
  return built;
}

function buildCompiledRoute(route: Route): CompiledRoute {
  const rootVia = Object.freeze([route.psarn]);
  const delivery = (target: TargetRef, role: PlannedDelivery['role']): PlannedDelivery =>
    Object.freeze({ target, role, route, via: rootVia });

  const n = route.targets.length;
  const weights = new Float64Array(n);
  let total = 0;
  let lastPositive = -1;
  route.targets.forEach((t, i) => {
    weights[i] = t.weight;
    if (Number.isFinite(t.weight) && t.weight > 0) lastPositive = i;
    total += t.weight;
  });
  const usable = route.targets.every((t) => Number.isFinite(t.weight) && t.weight >= 0) && total > 0;
  if (n > 0 && (!usable || !Number.isFinite(total))) {
    throw new InvalidWeightsError(
      route.psarn,
      route.targets.map((t) => t.weight),
    );
  }
  const cumulative = new Float64Array(n);
  let running = 0;
  for (let i = 0; i < n; i++) {
    running += weights[i] as number;
    // Pin the tail to exactly 1 so rounding can never leave a gap that random() could fall into.
    cumulative[i] = i >= lastPositive ? 1 : running / total;
  }

  const targetLanes = new Uint32Array(2 * n);
  const lanes = new Uint32Array(2);
  route.targets.forEach((t, i) => {
    hashString64(t.arn, lanes);
    targetLanes[2 * i] = lanes[0] as number;
    targetLanes[2 * i + 1] = lanes[1] as number;
  });

  const splitDeliveries = route.targets.map((t) => delivery(t, 'split'));
  const fanoutDeliveries = route.fanout.map((t) => delivery(t, 'fanout'));
  const parkDelivery = route.park === undefined ? undefined : delivery(parkTarget(route.park), 'park');
  const parkedPlan =
    route.park?.enabled === true && parkDelivery !== undefined
      ? freezePlan(route.psarn, [parkDelivery])
      : undefined;
  const hasAlias = route.targets.some(isAlias) || route.fanout.some(isAlias);
  const plans = hasAlias
    ? []
    : n === 0
      ? [freezePlan(route.psarn, fanoutDeliveries)]
      : splitDeliveries.map((d) => freezePlan(route.psarn, [d, ...fanoutDeliveries]));

  return {
    route,
    rootVia,
    parkedPlan,
    parkDelivery,
    weights,
    cumulative,
    lastPositive,
    targetLanes,
    sticky: route.stickyBy === undefined ? undefined : compileEventPath(route.stickyBy),
    splitDeliveries,
    fanoutDeliveries,
    hasAlias,
    plans,
  };
}

/** psARN targets are the planner's own business: it follows them instead of handing them on. */
export function isAlias(target: TargetRef): boolean {
  return target.kind === 'psarn';
}

function freezePlan(psarn: string, deliveries: readonly PlannedDelivery[]): DeliveryPlan {
  return Object.freeze({ psarn, deliveries: Object.freeze([...deliveries]) });
}

/** The holding queue as a target: a FIFO one carries the MessageGroupId path of its route. */
export function parkTarget(park: NonNullable<Route['park']>): TargetRef {
  return { arn: park.queue, kind: 'sqs', ...(park.groupBy === undefined ? {} : { groupBy: park.groupBy }) };
}
