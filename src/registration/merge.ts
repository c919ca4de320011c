import { DEFAULT_TTL_SECONDS, type Route, type SplitTarget, type TargetRef } from '../routes/model';
import type { Registration, RegistrationSet } from './model';

/** Why a registration is not (or not as written) in the effective route. */
export type MergeNoteKind =
  /** The psARN has no route (the files dropped it, or it never existed) and nothing creates it. */
  | 'dormant'
  /** The route file names the same target: the file's entry wins, the registration waits. */
  | 'covered'
  /** Another, earlier registrant already registered this target on this psARN. */
  | 'conflict'
  /** The route did not exist: this registration created it. */
  | 'created';

export interface MergeNote {
  readonly kind: MergeNoteKind;
  readonly registrant: string;
  readonly psarn: string;
  readonly arn: string;
  /** The earlier registrant, for a conflict. */
  readonly owner?: string;
}

export interface MergedRoutes {
  readonly routes: readonly Route[];
  readonly notes: readonly MergeNote[];
}

/**
 * The effective route set: `base` (the route files, or the live release without its registered
 * targets) with every registration applied. Pure and deterministic, so `plan`, `apply`,
 * `register` and `deregister` all compute the same release from the same inputs.
 *
 * Precedence (docs/discovery.md "Self-registration"):
 * - registered split targets are appended to the route's split with their weight, fanout targets
 *   to its fanout, each with `registeredBy`;
 * - a target the route file names already is left as the file writes it (`covered`);
 * - two registrants of the same target on one psARN: the set registered first (`since`, then
 *   name) keeps it, the other is a `conflict` and is left out;
 * - a psARN without a route: a registration with `create` makes one (ttl, description from the
 *   first such registration, onFailure dlq), others are `dormant` and left out.
 *
 * @example
 * mergeRegistrations(fileRoutes, sets).routes
 */
export function mergeRegistrations(base: readonly Route[], sets: readonly RegistrationSet[]): MergedRoutes {
  const routes = new Map<string, Route>(base.map((r) => [r.psarn, r]));
  const owners = new Map<string, string>();
  const notes: MergeNote[] = [];
  const ordered = [...sets].sort((a, b) => compare(a.since, b.since) || compare(a.registrant, b.registrant));
  // Routes first, so a registration without `create` joins a route another registrant creates,
  // whatever the order of the two.
  const creators = new Map<string, string>();
  for (const set of ordered) {
    for (const reg of set.registrations) {
      if (reg.create === undefined || routes.has(reg.psarn)) continue;
      routes.set(reg.psarn, createdRoute(reg));
      creators.set(`${reg.psarn} ${reg.target.arn}`, set.registrant);
    }
  }
  for (const set of ordered) {
    for (const reg of set.registrations) {
      const note = (kind: MergeNoteKind, owner?: string): void => {
        notes.push({
          kind,
          registrant: set.registrant,
          psarn: reg.psarn,
          arn: reg.target.arn,
          ...(owner === undefined ? {} : { owner }),
        });
      };
      const route = routes.get(reg.psarn);
      const key = `${reg.psarn} ${reg.target.arn}`;
      if (route === undefined) {
        note('dormant');
        continue;
      }
      if (creators.get(key) === set.registrant) note('created');
      const named = [...route.targets, ...route.fanout].find((t) => t.arn === reg.target.arn);
      if (named !== undefined) {
        const owner = owners.get(key);
        if (owner === undefined) note('covered');
        else if (owner !== set.registrant) note('conflict', owner);
        continue;
      }
      owners.set(key, set.registrant);
      const target: TargetRef = { ...reg.target, registeredBy: set.registrant };
      routes.set(
        reg.psarn,
        reg.role === 'split'
          ? {
              ...route,
              targets: [...route.targets, { ...target, weight: reg.weight ?? 1 } satisfies SplitTarget],
            }
          : { ...route, fanout: [...route.fanout, target] },
      );
    }
  }
  return { routes: [...routes.values()].sort((a, b) => compare(a.psarn, b.psarn)), notes };
}

/**
 * The live routes as the route files left them: every registered target removed, and a route
 * that only registrations made (no target of its own left) dropped. What `register` and
 * `deregister` merge the registrations into, so they never need the route files.
 *
 * @example
 * withoutRegistrations(live.routes)
 */
export function withoutRegistrations(routes: readonly Route[]): Route[] {
  const out: Route[] = [];
  for (const route of routes) {
    const targets = route.targets.filter((t) => t.registeredBy === undefined);
    const fanout = route.fanout.filter((t) => t.registeredBy === undefined);
    const registered = targets.length !== route.targets.length || fanout.length !== route.fanout.length;
    if (!registered) out.push(route);
    else if (targets.length > 0 || fanout.length > 0) out.push({ ...route, targets, fanout });
  }
  return out;
}

function createdRoute(reg: Registration): Route {
  return {
    psarn: reg.psarn,
    ...(reg.create?.description === undefined ? {} : { description: reg.create.description }),
    ttl: reg.create?.ttl ?? DEFAULT_TTL_SECONDS,
    targets: [],
    fanout: [],
    onFailure: 'dlq',
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
