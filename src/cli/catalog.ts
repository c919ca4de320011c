import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { access, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, PsarnError, UsageError } from '../errors';
import { buildCatalog, filterCatalog, type Catalog, type CatalogFilter } from '../discovery/catalog';
import { MAX_MAP_ROUTES, renderCatalogHtml, renderRouteMapSvg } from '../discovery/catalog-html';
import { renderDot } from '../graph/dot';
import { buildRouteGraph } from '../graph/route-graph';
import { didYouMean } from '../routes/did-you-mean';
import { LABEL_KEY } from '../routes/schema';
import type { RegisterCommand } from './commands';
import { progressBar, type Progress } from './progress';
import { renderCatalogText } from './catalog-text';
import { withReleaseStore, withStoreOptions, type StoreFlags } from './store-options';

interface CatalogFlags extends StoreFlags {
  readonly json?: boolean;
  readonly html?: string;
  readonly owner?: string;
  readonly label?: readonly string[];
}

/**
 * `psarn catalog [name]`: every live psARN of the stage's route table, with its description,
 * owner, labels, targets (split shares, fanout, park queue), who registered which target, its
 * payload contract and the release it last changed in. A table for people, `--json` for machines
 * (the shape is in docs/discovery.md), `--html <file>` for a page with the route map drawn.
 *
 * @example
 * psarn catalog --stage prod --label team=payments --html catalog.html
 */
export const registerCatalog: RegisterCommand = (program, io) => {
  withStoreOptions(program.command('catalog'))
    .description('list the live routes of a stage: owners, labels, targets, contracts, last release')
    .argument('[name]', 'only this psARN or path, or the routes under a path prefix (/event)')
    .option('--owner <owner>', 'only routes with this owner')
    .option('--label <key=value>', 'only routes with this label (repeatable: all must match)', collect, [])
    .option('--json', 'print machine-readable JSON')
    .option('--html <file>', 'also write one self-contained HTML page: the route map and the table')
    .action(async (name: string | undefined, flags: CatalogFlags) => {
      const filter = filterFrom(name, flags);
      // Refuse an unwritable --html path before reading a table that may be large.
      const htmlFile = flags.html === undefined ? undefined : path.resolve(io.cwd, flags.html);
      if (htmlFile !== undefined) await checkWritableDir(htmlFile);
      await withReleaseStore(flags, io.env, async (store, target) => {
        const steps = flags.html === undefined ? 3 : 4;
        // A bar on a terminal only: on a pipe a few fast steps would be noise next to the output.
        const bar = io.isTty ? progressBar(io, steps, `reading ${target.tableName}`) : SILENT;
        const { release } = await store.readControl();
        bar.update(1, 'live release');
        const routes = release === 0 ? [] : await store.routesAt(release);
        bar.update(2, `${routes.length} routes`);
        const releases = await store.listReleases();
        bar.update(3, `${releases.length} releases`);
        const all = buildCatalog({ stage: target.stage, table: target.tableName, release, routes, releases });
        const catalog = filterCatalog(all, filter);
        if (flags.html !== undefined) {
          const shown = new Set(catalog.routes.map((r) => r.psarn));
          let svg: string | undefined;
          if (shown.size <= MAX_MAP_ROUTES) {
            bar.update(3, `drawing the route map of ${shown.size} routes`);
            svg = await renderRouteMapSvg(
              renderDot(buildRouteGraph(routes.filter((r) => shown.has(r.psarn)))),
            );
          }
          bar.update(4, svg === undefined ? 'no map' : 'route map drawn');
          bar.finish();
          if (svg === undefined) {
            io.stderr(
              `note: no route map on the page: ${shown.size} routes are more than the ${MAX_MAP_ROUTES} a map is drawn for; narrow the catalog (a path prefix, --owner, --label) to draw one\n`,
            );
          }
          const page = renderCatalogHtml(catalog, svg, { generatedAt: new Date().toISOString() });
          const file = await writeAtomically(htmlFile ?? flags.html, page);
          (flags.json ? io.stderr : io.stdout)(`wrote ${file}: ${summary(catalog)}\n`);
        } else {
          bar.finish();
        }
        if (flags.json) {
          io.stdout(`${JSON.stringify(catalog, null, 2)}\n`);
        } else if (flags.html === undefined) {
          io.stdout(
            catalog.routes.length === 0 ? emptyMessage(catalog, filter, all) : renderCatalogText(catalog),
          );
        }
      });
    });
};

const SILENT: Progress = { update: () => undefined, finish: () => undefined };

function collect(value: string, previous: readonly string[]): string[] {
  return [...previous, value];
}

/** The filter of the command line; a malformed `--label` is a usage error, before any read. */
function filterFrom(name: string | undefined, flags: CatalogFlags): CatalogFilter {
  const labels: Record<string, string> = {};
  for (const text of flags.label ?? []) {
    const at = text.indexOf('=');
    const key = at === -1 ? text : text.slice(0, at);
    if (at === -1 || !LABEL_KEY.test(key)) {
      throw new UsageError(
        `--label ${JSON.stringify(text)} is not key=value with a label key (letters, digits, ".", "_", "-", "/"), like --label team=payments`,
      );
    }
    const value = text.slice(at + 1);
    if (Object.hasOwn(labels, key) && labels[key] !== value) {
      // A label has one value: two different ones can never both match, which is surely a slip.
      throw new UsageError(
        `--label ${key} is given twice, as ${JSON.stringify(labels[key])} and ${JSON.stringify(value)}`,
      );
    }
    labels[key] = value;
  }
  return {
    ...(name === undefined || name === '' ? {} : { name }),
    ...(flags.owner === undefined ? {} : { owner: flags.owner }),
    ...(Object.keys(labels).length === 0 ? {} : { labels }),
  };
}

function summary(catalog: Catalog): string {
  const n = catalog.routes.length;
  return `${n} ${n === 1 ? 'route' : 'routes'} of ${catalog.table} (stage ${catalog.stage}), live release ${catalog.release}`;
}

function emptyMessage(catalog: Catalog, filter: CatalogFilter, all: Catalog): string {
  if (catalog.release === 0) {
    return `No routes in ${catalog.table} yet: nothing has been applied for stage ${catalog.stage} (psarn apply --stage ${catalog.stage} publishes routes/).\n`;
  }
  const conditions =
    Object.keys(filter).length > 0 ? ' matches the name, --owner and --label given' : ' is live';
  // A mistyped name is the likely cause: offer the nearest live one, as `validate` does for keys.
  const ids = filter.name?.startsWith('arn:')
    ? all.routes.map((r) => r.psarn)
    : all.routes.map((r) => r.path);
  const meant = filter.name === undefined ? undefined : didYouMean(filter.name, ids);
  const hint = meant === undefined ? '' : ` Did you mean ${meant}?`;
  return `No route of live release ${catalog.release} of ${catalog.table}${conditions}.${hint}\n`;
}

/**
 * Write the page next to its final name, then rename it into place: a reader (a browser, a web
 * server publishing the file) sees the old page or the new one, never half of one.
 */
async function writeAtomically(file: string, text: string): Promise<string> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID()}.tmp`);
  try {
    await writeFile(temp, text, 'utf8');
    await rename(temp, file);
    return file;
  } catch (err) {
    // The temporary copy is ours alone and the real file was not touched: removing it (or
    // failing to, when it was never created) loses nothing.
    await rm(temp, { force: true }).catch(() => undefined);
    throw notWritable(file, err);
  }
}

/** The page's directory must exist and be writable (the page itself is replaced by a rename). */
async function checkWritableDir(file: string): Promise<void> {
  try {
    await access(path.dirname(file), constants.W_OK);
  } catch (err) {
    throw notWritable(file, err);
  }
}

function notWritable(file: string, err: unknown): PsarnError {
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? `its directory ${path.dirname(file)} does not exist`
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'it is a directory'
          : String((err as Error).message ?? err);
  return new PsarnError(
    ErrorCode.FILE_NOT_WRITABLE,
    `cannot write ${file}: ${why}; pass another --html path`,
    { path: file },
    { cause: err },
  );
}
