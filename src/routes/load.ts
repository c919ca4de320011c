import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { RouteIssue } from '../errors';
import type { RouteContext } from './model';
import { locateRouteSource } from './parse-source';
import { sortIssues, type LoadResult, type LocatedRoute } from './result';
import { checkRouteSet } from './route-set';

export { parseRouteSource } from './parse-source';
export { routesOrThrow, type LoadResult, type LoadedRoute } from './result';
export { routeContextFrom, DEFAULT_STAGE } from './context';

const ROUTE_FILE = /\.ya?ml$/;

/**
 * Read every `*.yml` / `*.yaml` file directly in `dir` (sorted by name), validate each for the
 * context's stage, then check all routes together (duplicate psARNs, aliases). Issues name files
 * as `dir` joined with the file name, so a relative `dir` gives paths relative to where the user
 * stands. `cwd` (default: the process's) is what a relative `dir` is read from. A missing or
 * empty directory is an issue, not an exception, so the CLI lists it like any other.
 *
 * @example
 * const result = await loadRoutes({ dir: 'routes', context: { stage: 'dev', region: 'eu-west-1' } });
 * const routes = routesOrThrow(result);
 */
export async function loadRoutes(options: {
  dir: string;
  context: RouteContext;
  cwd?: string;
}): Promise<LoadResult> {
  const absolute = path.resolve(options.cwd ?? process.cwd(), options.dir);
  const dirIssue = (message: string): LoadResult => ({
    routes: [],
    files: [],
    issues: [{ file: options.dir, line: 1, column: 1, path: '', message, severity: 'error' }],
  });

  let names: string[];
  try {
    names = (await readdir(absolute, { withFileTypes: true }))
      .filter((entry) => entry.isFile() && ROUTE_FILE.test(entry.name))
      .map((entry) => entry.name)
      .sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return dirIssue(
      code === 'ENOENT'
        ? `routes directory ${options.dir} does not exist: pass --dir <directory with *.yml route files>`
        : `cannot read routes directory ${options.dir}: ${(err as Error).message}`,
    );
  }
  if (names.length === 0) return dirIssue(`no route files (*.yml, *.yaml) in ${options.dir}`);

  const files = names.map((name) => path.join(options.dir, name));
  const routes: LocatedRoute[] = [];
  const issues: RouteIssue[] = [];
  for (const [i, name] of names.entries()) {
    const file = files[i] as string;
    const text = await readFile(path.join(absolute, name), 'utf8');
    const one = locateRouteSource(file, text, options.context);
    routes.push(...one.routes);
    issues.push(...one.issues);
  }
  issues.push(...checkRouteSet(routes));
  return {
    routes: routes.map(({ route, file, line, column }) => ({ route, file, line, column })),
    issues: sortIssues(issues, files),
    files,
  };
}
