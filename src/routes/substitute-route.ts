import type { FieldPath } from './field-path';
import type { RouteContext } from './model';
import { substitute, unknownVariables } from './substitute';

export type Reporter = (path: FieldPath, message: string, severity?: 'error' | 'warning') => void;

/**
 * Substitute variables in every string of a route's fields. An unset variable is reported once
 * per route (at its first use), not at every ARN that uses it, so a missing `--region` reads as
 * one problem per route rather than a wall of them. Returns undefined when anything failed.
 *
 * @example
 * substituteRoute({ psarn: 'arn:aws:psarns:${region}:...' }, { stage: 'dev', region: 'eu-west-1' }, report)
 */
export function substituteRoute<T>(fields: T, context: RouteContext, report: Reporter): T | undefined {
  const reported = new Set<string>();
  let failed = false;
  const walk = (value: unknown, path: FieldPath): unknown => {
    if (typeof value === 'string') {
      const result = substitute(value, context);
      if (result.ok) return result.value;
      failed = true;
      for (const problem of result.problems) {
        if (reported.has(problem.variable)) continue;
        reported.add(problem.variable);
        report(path, problem.message);
      }
      return value;
    }
    if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, i]));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [key, walk(item, [...path, key])]),
      );
    }
    return value;
  };
  const substituted = walk(fields, []) as T;
  return failed ? undefined : substituted;
}

/**
 * Report every `${...}` naming no known variable anywhere in a route document, stages not
 * selected included: a typo in the prod override must fail when validating for dev too.
 */
export function reportUnknownVariables(value: unknown, report: Reporter, path: FieldPath = []): boolean {
  let found = false;
  if (typeof value === 'string') {
    for (const unknown of unknownVariables(value)) {
      report(path, unknown.message);
      found = true;
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      found = reportUnknownVariables(item, report, [...path, i]) || found;
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      found = reportUnknownVariables(item, report, [...path, key]) || found;
    }
  }
  return found;
}
