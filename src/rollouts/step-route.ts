import type { Route, SplitTarget, TargetRef } from '../routes/model';

/**
 * The route at one step of a rollout: the canary target gets `percent` as its weight and the other
 * split targets share `100 - percent` in the proportions they had in `base`. Pure.
 *
 * Every other split target is scaled by the same factor, so with `stickyBy` (weighted rendezvous
 * hashing, src/routing/split.ts) a key on the canary stays there while its weight rises, and a key
 * on another target either stays or moves to the canary, never to a third target.
 *
 * A canary that `base` does not name is appended to its split (with the canary's own fields).
 *
 * @example
 * routeAtStep(route90_10, canaryRef, 25).targets.map((t) => t.weight) // [75, 25]
 */
export function routeAtStep(base: Route, canary: TargetRef, percent: number): Route {
  const others = base.targets.filter((t) => t.arn !== canary.arn);
  const sum = others.reduce((s, t) => s + t.weight, 0);
  const share = sum > 0 ? (100 - percent) / sum : 0;
  const existing = base.targets.find((t) => t.arn === canary.arn);
  const canaryTarget: SplitTarget = { ...(existing ?? canary), weight: percent };
  const targets = base.targets.map((t) => (t.arn === canary.arn ? canaryTarget : scaled(t, share)));
  return { ...base, targets: existing === undefined ? [...targets, canaryTarget] : targets };
}

function scaled(target: SplitTarget, factor: number): SplitTarget {
  return { ...target, weight: target.weight * factor };
}

/**
 * Why a route cannot carry a rollout to `canary`, or undefined: a split needs another target with
 * weight to give the rest of the traffic to (a fanout-only or one-target route has none), and a
 * parked route delivers to nothing but its holding queue; a fanout target already gets every event.
 */
export function cannotRollOut(base: Route, canary: TargetRef): string | undefined {
  if (base.park?.enabled === true)
    return 'the route is parked: unpark it first (its events go to the holding queue only)';
  if (base.fanout.some((t) => t.arn === canary.arn))
    return `${canary.arn} is a fanout target of the route: it already gets every event (a split copy would be a second one)`;
  const others = base.targets.filter((t) => t.arn !== canary.arn && t.weight > 0);
  if (others.length === 0)
    return 'a rollout needs another split target with weight > 0 to shift traffic from (the route has none besides the canary)';
  return undefined;
}

/**
 * The route with the rollout's change undone, when someone else changed the live route during
 * the rollout (`live` is not what the rollout published): their change is kept, and only the
 * canary goes back to where it was before the rollout — removed from the split if `base` did not
 * name it, else given back its pre-rollout share of the live weights.
 *
 * When the live route is still the rollout's own, the restore is simply `base` (see the controller).
 *
 * @example
 * // base: a 100; live: a 75, c 25 and a fanout someone added → a 75 and that fanout
 * undoCanary(base, live, c.arn)
 */
export function undoCanary(base: Route, live: Route, canaryArn: string): Route {
  const before = base.targets.find((t) => t.arn === canaryArn);
  if (before === undefined) return { ...live, targets: live.targets.filter((t) => t.arn !== canaryArn) };
  const baseTotal = base.targets.reduce((s, t) => s + t.weight, 0);
  const share = baseTotal > 0 ? before.weight / baseTotal : 0;
  const liveOthers = live.targets.filter((t) => t.arn !== canaryArn).reduce((s, t) => s + t.weight, 0);
  // The weight that gives the canary `share` of the live route: w / (others + w) = share.
  const weight = share >= 1 || liveOthers === 0 ? before.weight : (share * liveOthers) / (1 - share);
  const targets = live.targets.some((t) => t.arn === canaryArn)
    ? live.targets.map((t) => (t.arn === canaryArn ? { ...t, weight } : t))
    : [...live.targets, { ...before, weight }];
  return { ...live, targets };
}
