import type { RouteIssue } from '../errors';
import { aliasIssues } from './aliases';
import { duplicatePsarns } from './duplicates';
import type { LocatedRoute } from './result';

/**
 * The checks that need every route at once: duplicate psARNs, then aliases. Alias checks see
 * the first definition of a duplicated psARN only, as the duplicate is already an error.
 *
 * @example
 * const issues = checkRouteSet(locatedRoutesOfAllFiles);
 */
export function checkRouteSet(routes: readonly LocatedRoute[]): RouteIssue[] {
  return [...duplicatePsarns(routes), ...aliasIssues(routes)];
}
