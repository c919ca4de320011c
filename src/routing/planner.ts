import { AliasCycleError, AliasTooDeepError, RouteNotFoundError } from '../errors';
import { AllTargetsUnhealthyError } from '../health/health-errors';
import { ALL_HEALTHY, type HealthView } from '../health/health-view';
import { MAX_ALIAS_HOPS, type Route, type TargetRef } from '../routes/model';
import { compileRoute, isAlias, type CompiledRoute } from './compiled-route';
import type { DeliveryPlan, DeliveryRole, PlannedDelivery, Random, RouteLookup, RoutedEvent } from './plan';
import { chooseHealthySplitIndex, chooseSplitIndex, NO_HEALTHY_TARGET } from './split';

/** The lookup of a caller that has no other routes: any alias target is then unknown. */
const noRoutes: RouteLookup = () => undefined;

/**
 * Decide where one event goes: the deliveries of `route` for `event`. Pure: the same route,
 * event, random sequence and lookup always give the same plan.
 *
 * - A parked route (`park.enabled`) plans one delivery, role `park`, to its park queue.
 * - Otherwise exactly one split target (by weight, or by `stickyBy` hashing; see
 *   `chooseSplitIndex`) plus every fanout target. A fanout-only route has no split delivery.
 * - A psARN target (an alias, in the split or the fanout) is replaced by the plan of the aliased
 *   route, found through `lookup`: its own split, fanout and park apply, and its deliveries name it
 *   as `route` and carry the grown `via` chain. Roles are those within the route that named the
 *   target. Two paths to the same route (a diamond) plan it twice: each path is its own copy.
 *
 * - With `health` (the targets the health state marks unhealthy or removed; see
 *   src/health/health-view.ts): unhealthy split targets get weight 0 and the others are
 *   renormalised (sticky keys of healthy targets stay where they are); a fanout copy to an
 *   unhealthy target is planned with its `unhealthy` mark, for the engine to keep instead of send.
 *   When no split target is healthy the split copy is planned, marked, to the target the weights
 *   pick (it is parked and drained back there) if the route has a park queue; otherwise the event
 *   is refused with ALL_TARGETS_UNHEALTHY before anything is sent. Fail-open rule: health only
 *   removes targets a writer marked; an unreadable or empty health state is "all healthy".
 *
 * Hot path: compiled per route once (WeakMap); a route without aliases returns a shared, frozen
 * plan and allocates nothing per event. With aliases, only the plan and the aliased deliveries
 * are allocated.
 *
 * @throws AliasCycleError when an alias leads back to a psARN already on the path.
 * @throws AliasTooDeepError when following would take more than MAX_ALIAS_HOPS (8) hops.
 * @throws RouteNotFoundError when an alias names a psARN that `lookup` does not know.
 * @throws InvalidWeightsError when a split has no usable weight.
 * @throws AllTargetsUnhealthyError when no split target is healthy and the route cannot park.
 *
 * @example
 * const plan = planDelivery(route, event, Math.random, (psarn) => routes.get(psarn));
 * for (const d of plan.deliveries) console.log(d.role, d.target.arn, d.via.join(' > '));
 */
export function planDelivery(
  route: Route,
  event: RoutedEvent,
  random: Random,
  lookup: RouteLookup = noRoutes,
  health: HealthView = ALL_HEALTHY,
): DeliveryPlan {
  const root = compileRoute(route);
  if (root.parkedPlan !== undefined) return root.parkedPlan;
  // One unhealthy target anywhere in the table must not make every other route allocate its plan.
  if (!root.hasAlias && !touchesMarked(root, health)) {
    const index = chooseSplitIndex(root, event, random);
    return root.plans[index < 0 ? 0 : index] as DeliveryPlan;
  }
  const deliveries: PlannedDelivery[] = [];
  appendRoute(root, root.rootVia, event, random, lookup, health, deliveries);
  return { psarn: route.psarn, deliveries };
}

function appendRoute(
  compiled: CompiledRoute,
  via: readonly string[],
  event: RoutedEvent,
  random: Random,
  lookup: RouteLookup,
  health: HealthView,
  out: PlannedDelivery[],
): void {
  const direct = via === compiled.rootVia;
  if (compiled.parkedPlan !== undefined) {
    const park = compiled.parkDelivery as PlannedDelivery;
    out.push(direct ? park : { ...park, via });
    return;
  }
  const { route } = compiled;
  let index: number;
  let heldSplit = false;
  if (!touchesMarked(compiled, health)) {
    index = chooseSplitIndex(compiled, event, random);
  } else {
    const down = route.targets.map((t) => !isAlias(t) && health.markOf(t.arn) !== undefined);
    index = down.includes(true)
      ? chooseHealthySplitIndex(compiled, event, random, down)
      : chooseSplitIndex(compiled, event, random);
    if (index === NO_HEALTHY_TARGET) {
      if (route.park === undefined)
        throw new AllTargetsUnhealthyError(
          route.psarn,
          route.targets.map((t) => t.arn),
        );
      index = chooseSplitIndex(compiled, event, random);
      heldSplit = true;
    }
  }
  if (index >= 0) {
    const target = route.targets[index] as TargetRef;
    if (isAlias(target)) follow(target, via, event, random, lookup, health, out);
    else if (heldSplit) out.push(marked(at(target, 'split')));
    else out.push(direct ? (compiled.splitDeliveries[index] as PlannedDelivery) : at(target, 'split'));
  }
  route.fanout.forEach((target, i) => {
    if (isAlias(target)) follow(target, via, event, random, lookup, health, out);
    else if (health.size > 0 && health.markOf(target.arn) !== undefined)
      out.push(marked(at(target, 'fanout')));
    else out.push(direct ? (compiled.fanoutDeliveries[i] as PlannedDelivery) : at(target, 'fanout'));
  });

  function at(target: TargetRef, role: DeliveryRole): PlannedDelivery {
    return { target, role, route, via };
  }
  function marked(delivery: PlannedDelivery): PlannedDelivery {
    const mark = health.markOf(delivery.target.arn);
    return mark === undefined ? delivery : { ...delivery, unhealthy: mark };
  }
}

/** Per health view (a new one per `#health` read), whether a route names a marked target. */
const touchedBy = new WeakMap<HealthView, WeakMap<CompiledRoute, boolean>>();

/**
 * Whether any real split or fanout target of `compiled` is marked in `health`: computed once per
 * route and view, so a route the marks do not touch plans exactly as with no marks — its shared,
 * frozen plans, no allocation per event.
 */
function touchesMarked(compiled: CompiledRoute, health: HealthView): boolean {
  if (health.size === 0) return false;
  let byRoute = touchedBy.get(health);
  if (byRoute === undefined) {
    byRoute = new WeakMap();
    touchedBy.set(health, byRoute);
  }
  let touched = byRoute.get(compiled);
  if (touched === undefined) {
    const { targets, fanout } = compiled.route;
    touched = [...targets, ...fanout].some((t) => !isAlias(t) && health.markOf(t.arn) !== undefined);
    byRoute.set(compiled, touched);
  }
  return touched;
}

function follow(
  alias: TargetRef,
  via: readonly string[],
  event: RoutedEvent,
  random: Random,
  lookup: RouteLookup,
  health: HealthView,
  out: PlannedDelivery[],
): void {
  const chain = [...via, alias.arn];
  if (via.includes(alias.arn)) throw new AliasCycleError(chain);
  // via holds the psARNs already visited: via.length - 1 hops taken, this would be hop via.length.
  if (via.length > MAX_ALIAS_HOPS) throw new AliasTooDeepError(chain, MAX_ALIAS_HOPS);
  const next = lookup(alias.arn);
  if (next === undefined) throw new RouteNotFoundError(alias.arn);
  appendRoute(compileRoute(next), chain, event, random, lookup, health, out);
}
