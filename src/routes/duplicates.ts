import type { RouteIssue } from '../errors';
import type { LocatedRoute } from './result';

/**
 * A psARN defined twice (in one file or two) is an error at the second definition, naming the
 * first: which one would win in the table would otherwise depend on file order.
 *
 * @example
 * duplicatePsarns(routes) // [{ message: 'duplicate psARN ...: already defined at routes/a.yml:1:1', ... }]
 */
export function duplicatePsarns(routes: readonly LocatedRoute[]): RouteIssue[] {
  const first = new Map<string, LocatedRoute>();
  const issues: RouteIssue[] = [];
  for (const loaded of routes) {
    const earlier = first.get(loaded.route.psarn);
    if (earlier === undefined) {
      first.set(loaded.route.psarn, loaded);
      continue;
    }
    const at = loaded.locate(['psarn']);
    const where = earlier.locate(['psarn']);
    issues.push({
      file: loaded.file,
      line: at.line,
      column: at.column,
      path: at.path,
      message: `duplicate psARN ${loaded.route.psarn}: already defined at ${earlier.file}:${where.line}:${where.column}; each psARN has exactly one route`,
      severity: 'error',
    });
  }
  return issues;
}
