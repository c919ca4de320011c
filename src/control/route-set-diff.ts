import type { Route } from '../routes/model';
import { canonicalJson } from './canonical-json';

/** How a new route set differs from the live one, per psARN. Arrays are sorted by psARN. */
export interface RouteSetDiff {
  readonly added: readonly Route[];
  /** Routes whose JSON differs: `before` is live, `after` is the new one. */
  readonly updated: readonly { readonly before: Route; readonly after: Route }[];
  readonly removed: readonly Route[];
  /** Every psARN the new release must write, sorted. */
  readonly touched: readonly string[];
}

/**
 * Compare the live route set with the next one. Two routes are equal when their JSON is equal
 * (key order ignored), so an apply of unchanged files writes nothing.
 *
 * @example
 * diffRouteSets(new Map(), [route]).added // [route]
 */
export function diffRouteSets(live: ReadonlyMap<string, Route>, next: readonly Route[]): RouteSetDiff {
  const nextByPsarn = new Map<string, Route>();
  for (const route of next) nextByPsarn.set(route.psarn, route);
  const added: Route[] = [];
  const updated: { before: Route; after: Route }[] = [];
  const removed: Route[] = [];
  for (const [psarn, after] of nextByPsarn) {
    const before = live.get(psarn);
    if (before === undefined) added.push(after);
    else if (canonicalJson(before) !== canonicalJson(after)) updated.push({ before, after });
  }
  for (const [psarn, before] of live) if (!nextByPsarn.has(psarn)) removed.push(before);
  const byPsarn = (a: { psarn: string }, b: { psarn: string }): number => compare(a.psarn, b.psarn);
  added.sort(byPsarn);
  removed.sort(byPsarn);
  updated.sort((a, b) => compare(a.after.psarn, b.after.psarn));
  const touched = [
    ...added.map((r) => r.psarn),
    ...updated.map((u) => u.after.psarn),
    ...removed.map((r) => r.psarn),
  ];
  return { added, updated, removed, touched: touched.sort(compare) };
}

/** "2 added, 1 changed, 0 removed": the line `psarn apply` prints and history keeps. */
export function summarizeDiff(diff: RouteSetDiff): string {
  return `${diff.added.length} added, ${diff.updated.length} changed, ${diff.removed.length} removed`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
