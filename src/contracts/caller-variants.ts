import type { CallerMatch, Route } from '../routes/model';
import type { CallerIdentity } from '../router/caller';

/** A route's `callers:` compiled once: one matcher and one route variant per override. */
interface CompiledCallers {
  readonly matches: readonly ((caller: CallerIdentity) => boolean)[];
  /** The route with the override's fields in place of its own, and no `callers` of its own. */
  readonly variants: readonly Route[];
}

const compiled = new WeakMap<Route, CompiledCallers>();

/**
 * The index of the first caller override of `route` that matches `caller`, or -1.
 */
export function matchingOverride(route: Route, caller: CallerIdentity | undefined): number {
  if (route.callers === undefined || caller === undefined) return -1;
  const { matches } = compiledCallers(route);
  for (let i = 0; i < matches.length; i++)
    if ((matches[i] as (c: CallerIdentity) => boolean)(caller)) return i;
  return -1;
}

/**
 * The route as `caller` sees it: the first matching override's targets / fanout / park in place
 * of the route's own, else the route itself. The planner stays pure and caller-blind: it plans
 * the variant. Variants are built once per route object and reused, so the planner's own
 * per-route compilation (weights, hash lanes, frozen plans) is cached for each. A route without
 * `callers` costs one property read.
 *
 * @example
 * planDelivery(routeForCaller(route, { labels: { deployment: 'blue' } }), event, random, lookup)
 */
export function routeForCaller(route: Route, caller: CallerIdentity | undefined): Route {
  if (route.callers === undefined || caller === undefined) return route;
  const index = matchingOverride(route, caller);
  return index < 0 ? route : (compiledCallers(route).variants[index] as Route);
}

function compiledCallers(route: Route): CompiledCallers {
  let known = compiled.get(route);
  if (known === undefined) {
    const { callers = [], ...base } = route;
    known = {
      matches: callers.map((override) => matcher(override.match)),
      variants: callers.map((override) =>
        Object.freeze({
          ...base,
          ...(override.targets === undefined ? {} : { targets: override.targets }),
          ...(override.fanout === undefined ? {} : { fanout: override.fanout }),
          ...(override.park === undefined ? {} : { park: override.park }),
        }),
      ),
    };
    compiled.set(route, known);
  }
  return known;
}

function matcher(match: CallerMatch): (caller: CallerIdentity) => boolean {
  const principal = match.principal === undefined ? undefined : glob(match.principal);
  const fn = match.function === undefined ? undefined : glob(match.function);
  const labels = Object.entries(match.labels ?? {}).map(([name, value]) => [name, glob(value)] as const);
  return (caller) => {
    if (principal !== undefined) {
      if (caller.principal === undefined) return false;
      const role = roleArnOf(caller.principal);
      if (!principal.test(caller.principal) && (role === undefined || !principal.test(role))) return false;
    }
    if (fn !== undefined && (caller.function === undefined || !fn.test(caller.function))) return false;
    for (const [name, value] of labels) {
      const label = caller.labels[name];
      if (label === undefined || !value.test(label)) return false;
    }
    return true;
  };
}

/** `*` matches any run of characters; everything else matches itself. Linear: no nested quantifiers. */
function glob(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[\\^$.|?+()[\]{}]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`, 's');
}

/**
 * A session of an assumed role (`arn:aws:sts::123456789012:assumed-role/blue-api/session`, what
 * API Gateway reports for role credentials) as its role's IAM ARN (`arn:aws:iam::123456789012:
 * role/blue-api`), so a match can name the role as IAM writes it. The role's path is not in the
 * session ARN: a match on a role with a path must use the session form or `*`.
 */
export function roleArnOf(principal: string): string | undefined {
  const m = /^arn:(aws[\w-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(principal);
  return m === null ? undefined : `arn:${m[1]}:iam::${m[2]}:role/${m[3]}`;
}
