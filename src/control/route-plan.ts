import type { Route, SplitTarget, TargetRef } from '../routes/model';
import { canonicalJson } from './canonical-json';
import { diffRouteSets } from './route-set-diff';
import { shortLabel } from './short-label';
import { describeContractChange, describeContracts } from '../contracts/describe-contracts';

export type RoutePlanKind = 'added' | 'changed' | 'removed';

/** One psARN in a plan, with the phrases a reviewer reads at a glance. */
export interface RoutePlanEntry {
  readonly psarn: string;
  readonly kind: RoutePlanKind;
  /**
   * For a change: what changed ("weight live 90→50, canary 10→50", "fanout +arn:…:audit",
   * "parked: no→yes", "ttl 300→60"). For an addition: what the new route does. Empty for a removal.
   */
  readonly changes: readonly string[];
}

export interface RoutePlan {
  /** Sorted: additions, changes, removals, each by psARN. */
  readonly entries: readonly RoutePlanEntry[];
  readonly counts: { readonly added: number; readonly changed: number; readonly removed: number };
}

/** Fields with their own words; any other field that differs is shown as `field old→new`. */
const KNOWN_FIELDS = new Set([
  'psarn',
  'description',
  'ttl',
  'targets',
  'stickyBy',
  'fanout',
  'park',
  'onFailure',
  'schema',
  'onInvalid',
  'callers',
]);
const TARGET_ATTRIBUTES = ['detailType', 'source', 'groupBy'] as const;

/**
 * The semantic diff of a new route set against the live one, per psARN. Pure: `psarn plan`
 * prints it, `psarn apply` shows it before asking.
 *
 * @example
 * planRoutes([live], [next]).entries[0]?.changes // ['weight live 90→50, canary 10→50']
 */
export function planRoutes(live: readonly Route[], next: readonly Route[]): RoutePlan {
  const diff = diffRouteSets(new Map(live.map((r) => [r.psarn, r])), next);
  const entries: RoutePlanEntry[] = [
    ...diff.added.map((r): RoutePlanEntry => ({ psarn: r.psarn, kind: 'added', changes: describeRoute(r) })),
    ...diff.updated.map(({ before, after }): RoutePlanEntry => ({
      psarn: after.psarn,
      kind: 'changed',
      changes: describeChange(before, after),
    })),
    ...diff.removed.map((r): RoutePlanEntry => ({ psarn: r.psarn, kind: 'removed', changes: [] })),
  ];
  return {
    entries,
    counts: { added: diff.added.length, changed: diff.updated.length, removed: diff.removed.length },
  };
}

/** What a new route does, in the same words as a change. */
export function describeRoute(route: Route): string[] {
  const arns = [...route.targets, ...route.fanout].map((t) => t.arn);
  const out: string[] = [];
  if (route.targets.length > 0) {
    out.push(`targets ${route.targets.map((t) => `${shortLabel(t.arn, arns)} ${t.weight}`).join(', ')}`);
  }
  for (const t of route.fanout) out.push(`fanout +${t.arn}${registered(t)}`);
  if (route.stickyBy !== undefined) out.push(`stickyBy ${route.stickyBy}`);
  if (route.park !== undefined)
    out.push(`park queue ${route.park.queue}`, `parked: ${yesNo(route.park.enabled)}`);
  out.push(`ttl ${route.ttl}`, `onFailure ${route.onFailure}`);
  out.push(...describeContracts(route));
  return out;
}

/** The phrases for a route whose JSON changed; never empty. */
export function describeChange(before: Route, after: Route): string[] {
  const out: string[] = [];
  if (before.description !== after.description) {
    out.push(`description ${quoted(before.description)}→${quoted(after.description)}`);
  }
  if (before.ttl !== after.ttl) out.push(`ttl ${before.ttl}→${after.ttl}`);
  out.push(...describeTargets('targets', before.targets, after.targets));
  if (before.stickyBy !== after.stickyBy)
    out.push(`stickyBy ${before.stickyBy ?? 'none'}→${after.stickyBy ?? 'none'}`);
  out.push(...describeTargets('fanout', before.fanout, after.fanout));
  if (before.park?.queue !== after.park?.queue) {
    out.push(`park queue ${before.park?.queue ?? 'none'}→${after.park?.queue ?? 'none'}`);
  }
  const parkedBefore = before.park?.enabled ?? false;
  const parkedAfter = after.park?.enabled ?? false;
  if (parkedBefore !== parkedAfter) out.push(`parked: ${yesNo(parkedBefore)}→${yesNo(parkedAfter)}`);
  if (before.onFailure !== after.onFailure) out.push(`onFailure ${before.onFailure}→${after.onFailure}`);
  out.push(...describeContractChange(before, after));
  const b = before as unknown as Record<string, unknown>;
  const a = after as unknown as Record<string, unknown>;
  for (const key of [...new Set([...Object.keys(b), ...Object.keys(a)])].sort()) {
    if (!KNOWN_FIELDS.has(key) && canonicalJson(b[key]) !== canonicalJson(a[key])) {
      out.push(`${key} ${canonicalJson(b[key]) ?? 'none'}→${canonicalJson(a[key]) ?? 'none'}`);
    }
  }
  return out.length > 0 ? out : ['changed'];
}

function describeTargets(
  field: 'targets' | 'fanout',
  before: readonly (TargetRef | SplitTarget)[],
  after: readonly (TargetRef | SplitTarget)[],
): string[] {
  const arns = [...new Set([...before, ...after].map((t) => t.arn))];
  const label = (arn: string): string => shortLabel(arn, arns);
  const old = new Map(before.map((t) => [t.arn, t]));
  const now = new Map(after.map((t) => [t.arn, t]));
  const out: string[] = [];
  for (const t of after) if (!old.has(t.arn)) out.push(`${field} +${t.arn}${registered(t)}`);
  for (const t of before) if (!now.has(t.arn)) out.push(`${field} -${t.arn}${registered(t)}`);
  const weights: string[] = [];
  for (const t of after) {
    const was = old.get(t.arn);
    if (was === undefined) continue;
    const w0 = 'weight' in was ? was.weight : undefined;
    const w1 = 'weight' in t ? t.weight : undefined;
    if (w0 !== w1) weights.push(`${label(t.arn)} ${w0 ?? 'none'}→${w1 ?? 'none'}`);
    for (const attr of TARGET_ATTRIBUTES) {
      if (was[attr] !== t[attr])
        out.push(`${field} ${label(t.arn)} ${attr} ${was[attr] ?? 'none'}→${t[attr] ?? 'none'}`);
    }
  }
  if (weights.length > 0) out.unshift(`weight ${weights.join(', ')}`);
  const common = (list: readonly TargetRef[], other: ReadonlyMap<string, TargetRef>): string[] =>
    list.filter((t) => other.has(t.arn)).map((t) => t.arn);
  if (out.length === 0 && canonicalJson(common(before, now)) !== canonicalJson(common(after, old))) {
    out.push(`${field} reordered`);
  }
  return out;
}

/** Who registered a target (docs/discovery.md), for a reviewer; '' for a route file's own. */
function registered(t: TargetRef): string {
  return t.registeredBy === undefined ? '' : ` (registered by ${t.registeredBy})`;
}

function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}

function quoted(value: string | undefined): string {
  return value === undefined ? 'none' : JSON.stringify(value);
}
