import { createHash } from 'node:crypto';
import { canonicalJson } from '../control/canonical-json';
import type { Route } from '../routes/model';

/**
 * The plan's words for a route's payload contract and caller overrides. A schema may be 32 KiB:
 * the plan names it by a short digest of its canonical JSON instead of printing it whole.
 *
 * @example
 * describeContractChange(before, after) // ['schema 3f2a91c0→b71d04e2', 'onInvalid reject→park', 'callers 1→2 overrides']
 */
export function describeContractChange(before: Route, after: Route): string[] {
  const out: string[] = [];
  if (canonicalJson(before.schema) !== canonicalJson(after.schema))
    out.push(`schema ${schemaLabel(before)}→${schemaLabel(after)}`);
  if (before.onInvalid !== after.onInvalid)
    out.push(`onInvalid ${before.onInvalid ?? 'none'}→${after.onInvalid ?? 'none'}`);
  if (canonicalJson(before.callers) !== canonicalJson(after.callers))
    out.push(
      `callers ${before.callers?.length ?? 0}→${after.callers?.length ?? 0} overrides${sameCount(before, after) ? ' (changed)' : ''}`,
    );
  return out;
}

/** What a new route's contract and overrides are, in the same words. */
export function describeContracts(route: Route): string[] {
  const out: string[] = [];
  if (route.schema !== undefined)
    out.push(`schema ${schemaLabel(route)}`, `onInvalid ${route.onInvalid ?? 'reject'}`);
  if (route.callers !== undefined) out.push(`callers ${route.callers.length} overrides`);
  return out;
}

function schemaLabel(route: Route): string {
  if (route.schema === undefined) return 'none';
  return createHash('sha256').update(canonicalJson(route.schema)).digest('hex').slice(0, 8);
}

function sameCount(before: Route, after: Route): boolean {
  return (before.callers?.length ?? 0) === (after.callers?.length ?? 0);
}
