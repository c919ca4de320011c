import type { TargetKind } from '../psarn/target-arn';
import type { OnFailure, Route, TargetRef } from '../routes/model';
import type { ReleaseRecord } from '../store/release-store';

/**
 * The catalog of one stage: every live psARN with what a person needs to know about it (who owns
 * it, where its events go, who registered which target, what payload it accepts, when it last
 * changed). Pure data, built by {@link buildCatalog}; `psarn catalog` prints it as a table, as
 * JSON (this shape, documented in docs/discovery.md) or as an HTML page.
 */
export interface Catalog {
  /** Version of this JSON shape: fields are only ever added within a version. */
  readonly version: 1;
  readonly stage: string;
  readonly table: string;
  /** The live release the routes were read from (0: nothing applied yet). */
  readonly release: number;
  /** Sorted by psARN. */
  readonly routes: readonly CatalogRoute[];
}

export interface CatalogRoute {
  readonly psarn: string;
  /** The psARN's path (`/event/newUser`), what people call the route. */
  readonly path: string;
  readonly description: string | null;
  readonly owner: string | null;
  /** Key order. Empty when the route has none. */
  readonly labels: Readonly<Record<string, string>>;
  readonly ttl: number;
  readonly stickyBy: string | null;
  readonly onFailure: OnFailure;
  /** Events wait in the park queue now. */
  readonly parked: boolean;
  /** The weighted split, in route order. */
  readonly split: readonly CatalogSplitTarget[];
  readonly fanout: readonly CatalogTarget[];
  readonly park: { readonly queue: string; readonly enabled: boolean } | null;
  readonly contract: CatalogContract;
  /** Every distinct `registeredBy` of the route's targets (`<service>/<stage>`), sorted. */
  readonly registeredBy: readonly string[];
  /** The newest committed release that wrote this route; null when no release record names it. */
  readonly lastChanged: CatalogChange | null;
}

export interface CatalogTarget {
  readonly arn: string;
  /** `psarn` for an alias to another route. */
  readonly kind: TargetKind;
  /** The consumer service that registered this target itself (`<service>/<stage>`); null: a route file. */
  readonly registeredBy: string | null;
}

export interface CatalogSplitTarget extends CatalogTarget {
  readonly weight: number;
  /** The weight normalised over the split, 0–100, at most two decimals. */
  readonly percent: number;
}

/** The payload contract of a route (the route's `schema` field, when it has one). */
export interface CatalogContract {
  readonly schema: boolean;
  /** One line saying what the schema asks for (`object, requires userId`); null without a schema. */
  readonly summary: string | null;
}

export interface CatalogChange {
  readonly release: number;
  readonly at: string;
  readonly by: string;
  readonly summary: string;
}

export interface CatalogInput {
  readonly stage: string;
  readonly table: string;
  readonly release: number;
  /** The live route set (of `release`). */
  readonly routes: readonly Route[];
  /** Committed release records, any order; those above `release` are ignored. */
  readonly releases: readonly ReleaseRecord[];
}

/** Longest contract summary: it shares a table row with the route. */
export const CONTRACT_SUMMARY_MAX = 80;

/**
 * Build the catalog of a stage from its live routes and the release records.
 *
 * @example
 * buildCatalog({ stage: 'dev', table: 'psarn-dev-routes', release: 2, routes, releases }).routes[0]?.lastChanged?.release // 2
 */
export function buildCatalog(input: CatalogInput): Catalog {
  const lastChange = lastChangeByPsarn(input.releases, input.release);
  const routes = [...input.routes]
    .sort((a, b) => (a.psarn < b.psarn ? -1 : a.psarn > b.psarn ? 1 : 0))
    .map((route) => catalogRoute(route, lastChange.get(route.psarn) ?? null));
  return { version: 1, stage: input.stage, table: input.table, release: input.release, routes };
}

function catalogRoute(route: Route, lastChanged: CatalogChange | null): CatalogRoute {
  const total = route.targets.reduce((sum, t) => sum + t.weight, 0);
  const split = route.targets.map((t): CatalogSplitTarget => ({
    ...target(t),
    weight: t.weight,
    percent: total > 0 ? round2((t.weight / total) * 100) : 0,
  }));
  const fanout = route.fanout.map(target);
  const registeredBy = [
    ...new Set([...split, ...fanout].flatMap((t) => (t.registeredBy === null ? [] : [t.registeredBy]))),
  ].sort();
  return {
    psarn: route.psarn,
    path: pathOf(route.psarn),
    description: route.description ?? null,
    owner: route.owner ?? null,
    labels: route.labels ?? {},
    ttl: route.ttl,
    stickyBy: route.stickyBy ?? null,
    onFailure: route.onFailure,
    parked: route.park?.enabled === true,
    split,
    fanout,
    park: route.park === undefined ? null : { queue: route.park.queue, enabled: route.park.enabled },
    contract: contractOf(route),
    registeredBy,
    lastChanged,
  };
}

function target(t: TargetRef): CatalogTarget {
  // Read defensively: a release written by an older psarn has no registeredBy, a hand-edited one
  // might hold anything there.
  const registeredBy = typeof t.registeredBy === 'string' && t.registeredBy !== '' ? t.registeredBy : null;
  return { arn: t.arn, kind: t.kind, registeredBy };
}

/** Per psARN, the newest committed release at or below `live` whose record lists it as changed. */
function lastChangeByPsarn(releases: readonly ReleaseRecord[], live: number): Map<string, CatalogChange> {
  const out = new Map<string, CatalogChange>();
  for (const r of releases) {
    if (r.release > live) continue;
    for (const psarn of r.changed) {
      const seen = out.get(psarn);
      if (seen === undefined || r.release > seen.release) {
        out.set(psarn, { release: r.release, at: r.at, by: r.by, summary: r.summary });
      }
    }
  }
  return out;
}

/**
 * The route's payload contract. `schema` (a JSON Schema, stored inline in the release) is read off
 * the stored route as unknown data: routes written before contracts existed have none, and the
 * shape is the contracts code's to define, so nothing here may assume more than JSON.
 *
 * @example
 * contractOf({ ...route, schema: { type: 'object', required: ['userId'] } }).summary // 'object, requires userId'
 */
export function contractOf(route: Route): CatalogContract {
  const fields = route as unknown as Readonly<Record<string, unknown>>;
  if (!Object.hasOwn(fields, 'schema') || fields['schema'] === undefined || fields['schema'] === null) {
    return { schema: false, summary: null };
  }
  const parts = [schemaSummary(fields['schema'])];
  const onInvalid = fields['onInvalid'];
  if (typeof onInvalid === 'string' && onInvalid !== '') parts.push(`invalid: ${onInvalid}`);
  return { schema: true, summary: clip(oneLine(parts.join('; ')), CONTRACT_SUMMARY_MAX) };
}

/** How many required property names a summary lists before "+N more". */
const REQUIRED_SHOWN = 3;

function schemaSummary(schema: unknown): string {
  if (schema === true) return 'any payload (schema true)';
  if (schema === false) return 'no payload passes (schema false)';
  if (typeof schema === 'string') return `schema ${schema}`;
  if (typeof schema !== 'object' || Array.isArray(schema)) return 'schema (not a JSON Schema object)';
  const s = schema as Readonly<Record<string, unknown>>;
  const what: string[] = [];
  const type = s['type'];
  if (typeof type === 'string') what.push(type);
  else if (Array.isArray(type) && type.every((t) => typeof t === 'string')) what.push(type.join(' | '));
  const required = Array.isArray(s['required'])
    ? s['required'].filter((r): r is string => typeof r === 'string')
    : [];
  if (required.length > 0) {
    const more = required.length > REQUIRED_SHOWN ? ` +${required.length - REQUIRED_SHOWN} more` : '';
    what.push(`requires ${required.slice(0, REQUIRED_SHOWN).join(', ')}${more}`);
  }
  const title = typeof s['title'] === 'string' && s['title'] !== '' ? `${s['title']}: ` : '';
  return `${title}${what.length > 0 ? what.join(', ') : 'JSON Schema'}`;
}

/** `/event/newUser` of `arn:aws:psarns:…:/event/newUser`. */
function pathOf(psarn: string): string {
  const at = psarn.indexOf(':/');
  return at === -1 ? psarn : psarn.slice(at + 1);
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Control characters (line breaks, ANSI escapes) would break a table row or a terminal. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** What `psarn catalog` narrows the list to; every given condition must hold. */
export interface CatalogFilter {
  /** A psARN or path, or a prefix of either that ends at a segment (`/event` matches `/event/newUser`). */
  readonly name?: string;
  readonly owner?: string;
  /** Each label must have exactly this value. */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * The routes of a catalog that match a filter (all of them for an empty filter).
 *
 * @example
 * filterCatalog(catalog, { name: '/event', labels: { team: 'signup' } }).routes.map((r) => r.path)
 */
export function filterCatalog(catalog: Catalog, filter: CatalogFilter): Catalog {
  const { name, owner, labels = {} } = filter;
  const prefix = name === undefined || name.endsWith('/') ? name : `${name}/`;
  const named = (r: CatalogRoute): boolean =>
    name === undefined ||
    prefix === undefined ||
    [r.psarn, r.path].some((id) => id === name || id.startsWith(prefix));
  const routes = catalog.routes.filter(
    (r) =>
      named(r) &&
      (owner === undefined || r.owner === owner) &&
      Object.entries(labels).every(([k, v]) => Object.hasOwn(r.labels, k) && r.labels[k] === v),
  );
  return { ...catalog, routes };
}
