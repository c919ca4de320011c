import { RouteValidationError, type RouteIssue } from '../errors';
import type { FieldPath } from './field-path';
import type { Route } from './model';

/** A valid route and where it was written. */
export interface LoadedRoute {
  readonly route: Route;
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** Routes that validated, every issue found (errors and warnings), and the files read. */
export interface LoadResult {
  readonly routes: readonly LoadedRoute[];
  readonly issues: readonly RouteIssue[];
  readonly files: readonly string[];
}

/** A loaded route that can still point at its own fields, for checks across routes. */
export interface LocatedRoute extends LoadedRoute {
  /** Position and rendered document path of a field of the (stage-merged) route. */
  readonly locate: (path: FieldPath) => { line: number; column: number; path: string };
}

/**
 * The routes of a result, or a {@link RouteValidationError} listing every error when there is any.
 * Warnings alone do not throw.
 *
 * @example
 * const routes = routesOrThrow(await loadRoutes({ dir: 'routes', context }));
 */
export function routesOrThrow(result: LoadResult): readonly Route[] {
  if (result.issues.some((issue) => issue.severity === 'error'))
    throw new RouteValidationError(result.issues);
  return result.routes.map((loaded) => loaded.route);
}

/** Errors first within a position, files in the order read, then line and column. */
export function sortIssues(issues: readonly RouteIssue[], files: readonly string[]): RouteIssue[] {
  const order = (file: string): number => {
    const index = files.indexOf(file);
    return index === -1 ? files.length : index;
  };
  return [...issues].sort((a, b) => order(a.file) - order(b.file) || a.line - b.line || a.column - b.column);
}
