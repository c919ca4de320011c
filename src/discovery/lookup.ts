import { AliasCycleError, ErrorCode, PsarnError, RouteNotFoundError } from '../errors';
import { formatPsarn, parsePsarn } from '../psarn/psarn';
import { MAX_ALIAS_HOPS, type OnFailure, type Route } from '../routes/model';
import type { CachedRoute } from '../store/route-cache';

/** Where `lookup` reads routes: the client's (or the CLI's) route cache and live release. */
export interface LookupSource {
  /** The live route of a psARN (the route cache: the same read the router does). */
  route(psarn: string): Promise<CachedRoute>;
  /**
   * The live release's routes, to find a path's psARN when the account is not known. Only read for
   * a bare path without `account`.
   */
  liveRoutes(): Promise<{ readonly release: number; readonly routes: readonly Route[] }>;
  /** The client's region and account, to turn `/event/newUser` into a psARN. */
  readonly region?: string;
  readonly account?: string;
  /** Named in messages: which table (and stage) was asked. */
  readonly where: string;
}

export interface LookupTarget {
  readonly target: string;
  readonly kind: string;
  /** A psARN target: where that name leads in turn. */
  readonly leadsTo?: LookupAnswer;
}

export interface LookupSplit extends LookupTarget {
  readonly weight: number;
  /** This target's share of the split's total weight, 0-1. */
  readonly share: number;
}

/** Where a name leads: the live route, aliases followed. */
export interface LookupAnswer {
  readonly psarn: string;
  /** The release the route was read at. */
  readonly release: number;
  readonly description?: string;
  readonly ttl: number;
  readonly split: readonly LookupSplit[];
  readonly stickyBy?: string;
  readonly fanout: readonly LookupTarget[];
  /** Events are held in the park queue now (every copy goes there). */
  readonly parked: boolean;
  readonly parkQueue?: string;
  readonly onFailure: OnFailure;
}

/**
 * Answers "where does this name lead?" for a path (`/event/newUser`) or a whole psARN: the live
 * route's split (weights and shares), fanout, park state and release, with psARN targets followed
 * to their own routes. One implementation for `client.lookup` and `psarn lookup`.
 *
 * @example
 * await lookupName('/event/newUser', source) // { psarn: 'arn:aws:psarns:…:/event/newUser', release: 4, split: [...], … }
 * @throws PsarnError ROUTE_NOT_FOUND, INVALID_PSARN, ALIAS_CYCLE
 */
export async function lookupName(name: string, source: LookupSource): Promise<LookupAnswer> {
  const psarn = await psarnOfName(name, source);
  return answer(psarn, source, [psarn]);
}

async function psarnOfName(name: string, source: LookupSource): Promise<string> {
  if (typeof name !== 'string' || name === '')
    throw new PsarnError(
      ErrorCode.INVALID_PSARN,
      'lookup needs a path such as /event/newUser or a whole psARN',
      {},
    );
  if (!name.startsWith('/')) return parsePsarn(name).arn;
  const { region, account } = source;
  if (region !== undefined && account !== undefined) return formatPsarn({ region, account, path: name });
  // Validate the path the way a psARN's path is validated, before reading anything.
  formatPsarn({ region: region ?? 'us-east-1', account: account ?? '000000000000', path: name });
  const { routes } = await source.liveRoutes();
  const same = routes.filter((r) => parsePsarn(r.psarn).path === name);
  const here = region === undefined ? same : same.filter((r) => parsePsarn(r.psarn).region === region);
  const found = here.length > 0 ? here : same;
  if (found.length === 1) return (found[0] as Route).psarn;
  if (found.length === 0)
    throw new PsarnError(
      ErrorCode.ROUTE_NOT_FOUND,
      `no route with path ${name} in the live release of ${source.where}: check the stage, or list routes with \`psarn graph\``,
      { path: name },
    );
  throw new PsarnError(
    ErrorCode.INVALID_PSARN,
    `path ${name} names ${found.length} routes in ${source.where} (${found.map((r) => r.psarn).join(', ')}): give the whole psARN`,
    { path: name, candidates: found.map((r) => r.psarn) },
  );
}

async function answer(psarn: string, source: LookupSource, chain: readonly string[]): Promise<LookupAnswer> {
  const { route, release } = await source.route(psarn);
  const follow = async (target: string, kind: string): Promise<LookupAnswer | undefined> => {
    if (kind !== 'psarn') return undefined;
    if (chain.includes(target)) throw new AliasCycleError([...chain, target]);
    if (chain.length > MAX_ALIAS_HOPS) return undefined;
    try {
      return await answer(target, source, [...chain, target]);
    } catch (err) {
      // An alias to a route that is gone is worth showing, not failing the whole lookup over:
      // the router would reject such events with ROUTE_NOT_FOUND, which the caller then sees.
      if (err instanceof RouteNotFoundError) return undefined;
      throw err;
    }
  };
  const total = route.targets.reduce((sum, t) => sum + t.weight, 0);
  const split: LookupSplit[] = [];
  for (const t of route.targets) {
    const leadsTo = await follow(t.arn, t.kind);
    split.push({
      target: t.arn,
      kind: t.kind,
      weight: t.weight,
      share: total === 0 ? 0 : t.weight / total,
      ...(leadsTo === undefined ? {} : { leadsTo }),
    });
  }
  const fanout: LookupTarget[] = [];
  for (const t of route.fanout) {
    const leadsTo = await follow(t.arn, t.kind);
    fanout.push({ target: t.arn, kind: t.kind, ...(leadsTo === undefined ? {} : { leadsTo }) });
  }
  return {
    psarn,
    release,
    ...(route.description === undefined ? {} : { description: route.description }),
    ttl: route.ttl,
    split,
    ...(route.stickyBy === undefined ? {} : { stickyBy: route.stickyBy }),
    fanout,
    parked: route.park?.enabled === true,
    ...(route.park === undefined ? {} : { parkQueue: route.park.queue }),
    onFailure: route.onFailure,
  };
}
