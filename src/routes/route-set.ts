import type { RouteIssue } from '../errors';
import { aliasIssues } from './aliases';
import { duplicatePsarns } from './duplicates';
import type { LocatedRoute } from './result';

/**
 * The checks that need every route at once: duplicate psARNs, then aliases. Alias checks see
 * the first definition of a duplicated psARN only, as the duplicate is already an error; `invalid`
 * are the psARNs of routes rejected for their own errors (see `locateRouteSource`).
 *
 * @example
 * const issues = checkRouteSet(locatedRoutesOfAllFiles);
 */
export function checkRouteSet(
  routes: readonly LocatedRoute[],
  invalid: ReadonlySet<string> = new Set(),
): RouteIssue[] {
  return [...duplicatePsarns(routes), ...aliasIssues(routes, invalid)];
}
