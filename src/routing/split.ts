import type { Route, SplitTarget } from '../routes/model';
import { compileRoute, type CompiledRoute } from './compiled-route';
import { hashString64, rendezvousUnit } from './hash';
import type { Random, RoutedEvent } from './plan';

// Scratch lanes for the key hash. Planning is synchronous, so one pair per process suffices and
// the hot path allocates nothing for hashing.
const keyLanes = new Uint32Array(2);
// A module binding, not a global lookup per call (see hash.ts).
const log = Math.log;

/**
 * Index of the split target this event goes to, or -1 when the route has no split (fanout only).
 *
 * - With `stickyBy` and a key present: weighted rendezvous hashing. Each target scores
 *   `w / -ln(u)` with `u` uniform in (0, 1) from hash(key, target ARN); the highest score wins.
 *   A target wins with probability w / Σw, the same key always wins on the same target, and a
 *   change to one target (added, removed, re-weighted) only moves keys onto or off that target.
 * - With `stickyBy` but no key in the event (missing or null): a random pick, like no `stickyBy`.
 *   Losing stickiness is better than losing or refusing the event.
 * - Otherwise: one `random()` draw against the normalised cumulative weights.
 *
 * Zero-weight targets are never chosen either way.
 */
export function chooseSplitIndex(compiled: CompiledRoute, event: RoutedEvent, random: Random): number {
  const n = compiled.weights.length;
  if (n <= 1) return n - 1;
  if (compiled.sticky !== undefined) {
    const key = stickyKeyText(compiled.sticky(event));
    if (key !== undefined) return rendezvous(compiled, key);
  }
  const r = random();
  const cumulative = compiled.cumulative;
  for (let i = 0; i < n; i++) {
    if (r < (cumulative[i] as number)) return i;
  }
  return compiled.lastPositive;
}

/**
 * The sticky key as text: strings as they are, anything else JSON-stringified (so `42` and `"42"`
 * are the same key). `undefined` when the event has no key there.
 */
export function stickyKeyText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  // JSON.stringify returns undefined for functions and symbols, which JSON payloads never hold.
  return JSON.stringify(value) as string | undefined;
}

function rendezvous(compiled: CompiledRoute, key: string, out?: readonly boolean[]): number {
  hashString64(key, keyLanes);
  const k0 = keyLanes[0] as number;
  const k1 = keyLanes[1] as number;
  const { weights, targetLanes } = compiled;
  let best = -1;
  let bestScore = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i] as number;
    if (!(w > 0) || out?.[i] === true) continue;
    const u = rendezvousUnit(k0, k1, targetLanes[2 * i] as number, targetLanes[2 * i + 1] as number);
    // ln(u) < 0 for u in (0, 1): the score is positive and grows with the weight.
    const score = w / -log(u);
    if (score > bestScore) {
      best = i;
      bestScore = score;
    }
  }
  return best;
}

/**
 * The split target this event goes to on `route` itself (aliases are not followed), or
 * `undefined` for a fanout-only route. Ignores parking: it answers "where would the split send
 * it", which is what `psarn resolve --samples` measures.
 *
 * @example
 * const counts = new Map<string, number>();
 * for (let i = 0; i < 10_000; i++) {
 *   const t = pickSplitTarget(route, event, Math.random);
 *   if (t) counts.set(t.arn, (counts.get(t.arn) ?? 0) + 1);
 * }
 */
export function pickSplitTarget(route: Route, event: RoutedEvent, random: Random): SplitTarget | undefined {
  const index = chooseSplitIndex(compileRoute(route), event, random);
  return index < 0 ? undefined : route.targets[index];
}

/** `chooseHealthySplitIndex`'s answer when every split target is out. */
export const NO_HEALTHY_TARGET = -2;

/**
 * Like `chooseSplitIndex`, with the split targets `out[i]` (unhealthy, removed) given weight 0 and
 * the rest renormalised. Returns -1 for a route without split, NO_HEALTHY_TARGET when no target
 * with a positive weight is left.
 *
 * Sticky keys of healthy targets do not move: rendezvous hashing scores each target on its own,
 * so dropping a target only re-homes the keys that target had won (to their second-best score);
 * when it comes back exactly those keys return. Without `stickyBy` the same draw is taken against
 * the healthy targets' cumulative weights.
 */
export function chooseHealthySplitIndex(
  compiled: CompiledRoute,
  event: RoutedEvent,
  random: Random,
  out: readonly boolean[],
): number {
  const { weights } = compiled;
  const n = weights.length;
  if (n === 0) return -1;
  let total = 0;
  let lastHealthy = NO_HEALTHY_TARGET;
  for (let i = 0; i < n; i++) {
    const w = weights[i] as number;
    if (out[i] === true || !(w > 0)) continue;
    total += w;
    lastHealthy = i;
  }
  if (lastHealthy === NO_HEALTHY_TARGET) return NO_HEALTHY_TARGET;
  if (compiled.sticky !== undefined) {
    const key = stickyKeyText(compiled.sticky(event));
    if (key !== undefined) return rendezvous(compiled, key, out);
  }
  const r = random() * total;
  let running = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i] as number;
    if (out[i] === true || !(w > 0)) continue;
    running += w;
    if (r < running) return i;
  }
  return lastHealthy;
}
