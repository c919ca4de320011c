import type { Dirent } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { RouteIssue } from '../errors';
import type { RouteContext } from './model';
import { locateRouteSource } from './parse-source';
import { sortIssues, type LoadResult, type LocatedRoute } from './result';
import { checkRouteSet } from './route-set';
import { schemaFileReader } from '../contracts/schema-file';

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
    const entries = (await readdir(absolute, { withFileTypes: true })).filter((entry) =>
      ROUTE_FILE.test(entry.name),
    );
    const kept = await Promise.all(entries.map((entry) => isRouteFile(entry, absolute)));
    names = entries
      .filter((_, i) => kept[i])
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
  const invalid = new Set<string>();
  for (const [i, name] of names.entries()) {
    const file = files[i] as string;
    let text: string;
    try {
      text = await readFile(path.join(absolute, name), 'utf8');
    } catch (err) {
      // One unreadable file (a dangling symlink, no permission) is an issue there; the others still count.
      issues.push({
        file,
        line: 1,
        column: 1,
        path: '',
        message: `cannot read route file ${file}: ${(err as Error).message}`,
        severity: 'error',
      });
      continue;
    }
    const one = locateRouteSource(file, text, options.context, {
      readSchemaFile: schemaFileReader(path.join(absolute, name)),
    });
    routes.push(...one.routes);
    issues.push(...one.issues);
    for (const psarn of one.invalid) invalid.add(psarn);
  }
  issues.push(...checkRouteSet(routes, invalid));
  return {
    routes: routes.map(({ route, file, line, column }) => ({ route, file, line, column })),
    issues: sortIssues(issues, files),
    files,
  };
}

/**
 * A regular file, or a symlink to one: a route file linked in from elsewhere is a route file, and
 * skipping it would make `apply` remove its routes. A symlink that cannot be followed (dangling)
 * is kept, so reading it reports the problem; one to a directory is skipped like a directory.
 */
async function isRouteFile(entry: Dirent, dir: string): Promise<boolean> {
  if (entry.isFile()) return true;
  if (!entry.isSymbolicLink()) return false;
  try {
    return !(await stat(path.join(dir, entry.name))).isDirectory();
  } catch {
    // A dangling link is kept as a route file so that reading it reports it at file:1:1;
    // dropping it here would let apply remove its routes without a word.
    return true;
  }
}
