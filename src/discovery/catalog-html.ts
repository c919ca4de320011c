import type { Catalog, CatalogRoute } from './catalog';

/**
 * The catalog as ONE self-contained HTML page (`psarn catalog --html <file>`): the route map as
 * inline SVG (drawn by Graphviz from the DOT of `psarn graph`, see {@link renderRouteMapSvg}) and
 * the catalog table. No script, no external file, no network: the page can be mailed, attached to
 * a ticket or opened from a disk. Everything a route file or a registration wrote (descriptions,
 * owners, labels, schema summaries) is untrusted text: every such string goes through
 * {@link escapeHtml}, and the page's Content-Security-Policy forbids scripts besides, so a
 * `<script>` in a description is shown, never run.
 */
export interface CatalogHtmlOptions {
  /** ISO time the page was made, shown in its header. */
  readonly generatedAt: string;
  /**
   * More columns after the built-in ones, for what later joins the catalog (target health,
   * rollout state). A column returns plain text; the page escapes it like every other cell.
   */
  readonly columns?: readonly CatalogColumn[];
}

export interface CatalogColumn {
  readonly header: string;
  readonly cell: (route: CatalogRoute) => string;
}

/**
 * The most routes the page draws a map of. Graphviz's layout grows faster than the graph: on the
 * 2-core CI machine 100 routes take 0.4 s, 500 take 5 s and 1,000 take 28 s, and a map of
 * hundreds of routes is unreadable anyway. Above this the page says how to get a map (a filter).
 */
export const MAX_MAP_ROUTES = 300;

/**
 * Render the page. `svg` is Graphviz's SVG output of the route map (its XML prolog is dropped;
 * the SVG is embedded as is, since Graphviz escapes the labels it draws); undefined when the
 * catalog has more than {@link MAX_MAP_ROUTES} routes and no map was drawn.
 *
 * @example
 * await writeFile('catalog.html', renderCatalogHtml(catalog, await renderRouteMapSvg(dot), { generatedAt }));
 */
export function renderCatalogHtml(
  catalog: Catalog,
  svg: string | undefined,
  options: CatalogHtmlOptions,
): string {
  const columns = options.columns ?? [];
  const title = `psarn catalog: stage ${catalog.stage}`;
  const head = [
    'psARN',
    'Description',
    'Owner',
    'Labels',
    'Targets',
    'Contract',
    'Last changed',
    ...columns.map((c) => c.header),
  ];
  const rows = catalog.routes.map((route) => {
    const cells = [
      `<th scope="row" id="${escapeHtml(anchor(route))}"><span class="path">${escapeHtml(route.path)}</span><br><span class="arn">${escapeHtml(route.psarn)}</span>${route.parked ? ' <span class="parked">PARKED</span>' : ''}</th>`,
      `<td>${route.description === null ? none() : escapeHtml(route.description)}</td>`,
      `<td>${route.owner === null ? none() : escapeHtml(route.owner)}</td>`,
      `<td>${labels(route)}</td>`,
      `<td>${targets(route)}</td>`,
      `<td>${route.contract.summary === null ? 'no schema' : `schema: ${escapeHtml(route.contract.summary)}`}</td>`,
      `<td>${lastChanged(route)}</td>`,
      // Health and rollout state join here, as options.columns.
      ...columns.map((c) => `<td>${escapeHtml(c.cell(route))}</td>`),
    ];
    return `<tr>${cells.join('')}</tr>`;
  });
  const empty =
    catalog.routes.length === 0
      ? `<p>No live routes${catalog.release === 0 ? ': nothing has been applied to this table yet' : ''}.</p>`
      : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<p>Route table <code>${escapeHtml(catalog.table)}</code>, live release ${catalog.release}, ${catalog.routes.length} ${catalog.routes.length === 1 ? 'route' : 'routes'}. Generated ${escapeHtml(options.generatedAt)} by <code>psarn catalog --html</code>.</p>
</header>
<section id="map">
<h2>Route map</h2>
<p class="legend">Solid: weighted split (share of events). Dashed: fanout (every event). Dotted: park queue on standby; bold red: parked now.</p>
${svg === undefined ? noMap(catalog) : `<figure>${embeddableSvg(svg)}</figure>`}
</section>
<section id="catalog">
<h2>Routes</h2>
${empty}<table>
<thead><tr>${head.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</section>
</body>
</html>
`;
}

/**
 * The Graphviz package, named through a variable so that esbuild leaves the import to run time:
 * inlined, its 1.6 MB (WebAssembly as base64) made the CLI bundle half as big again (3.3 → 4.9
 * MB) and every `psarn` command slower to start (by about 0.4 s in one run on the busy 2-core
 * machine), though only `catalog --html` uses it.
 */
const VIZ_PACKAGE = '@viz-js/viz';
type VizModule = typeof import('@viz-js/viz');

/**
 * Draw DOT as SVG with Graphviz compiled to WebAssembly (@viz-js/viz, ESM only: a dynamic
 * import, on first use).
 */
export async function renderRouteMapSvg(dot: string): Promise<string> {
  const viz = (await import(VIZ_PACKAGE)) as VizModule;
  const instance = await viz.instance();
  const result = instance.render(dot, { format: 'svg', engine: 'dot' });
  if (result.status !== 'success') {
    const messages = result.errors.map((e) => e.message).join('; ');
    throw new Error(`Graphviz could not draw the route map: ${messages}`);
  }
  return result.output;
}

/** Text as HTML character data or a quoted attribute value: `& < > " '` become references. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Graphviz's SVG without the XML prolog and DOCTYPE, which are not allowed inside HTML. */
function embeddableSvg(svg: string): string {
  const start = svg.indexOf('<svg');
  return start === -1 ? svg : svg.slice(start);
}

function noMap(catalog: Catalog): string {
  return `<p class="nomap">No map: ${catalog.routes.length} routes are more than the ${MAX_MAP_ROUTES} a map is drawn for. Narrow the catalog (a path prefix, <code>--owner</code> or <code>--label</code>) to draw one.</p>`;
}

function anchor(route: CatalogRoute): string {
  return `route-${route.path.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '')}`;
}

function none(): string {
  return '<span class="none">—</span>';
}

function labels(route: CatalogRoute): string {
  const entries = Object.entries(route.labels);
  if (entries.length === 0) return none();
  return entries.map(([k, v]) => `<span class="label">${escapeHtml(k)}=${escapeHtml(v)}</span>`).join(' ');
}

function targets(route: CatalogRoute): string {
  const items: string[] = [];
  const by = (registeredBy: string | null): string =>
    registeredBy === null ? '' : ` <span class="by">registered by ${escapeHtml(registeredBy)}</span>`;
  for (const t of route.split) {
    items.push(
      `<li><span class="role">split ${t.percent}%</span> <code>${escapeHtml(t.arn)}</code> <span class="weight">(weight ${t.weight})</span>${by(t.registeredBy)}</li>`,
    );
  }
  for (const t of route.fanout) {
    items.push(
      `<li><span class="role">fanout</span> <code>${escapeHtml(t.arn)}</code>${by(t.registeredBy)}</li>`,
    );
  }
  if (route.park !== null) {
    items.push(
      `<li><span class="role">park${route.park.enabled ? ' (PARKED)' : ' (standby)'}</span> <code>${escapeHtml(route.park.queue)}</code></li>`,
    );
  }
  const sticky =
    route.stickyBy === null
      ? ''
      : `<p class="sticky">split sticky by <code>${escapeHtml(route.stickyBy)}</code></p>`;
  return `<ul>${items.join('')}</ul>${sticky}`;
}

function lastChanged(route: CatalogRoute): string {
  const c = route.lastChanged;
  if (c === null) return none();
  return `release ${c.release}<br><span class="when">${escapeHtml(c.at)}</span><br>by ${escapeHtml(c.by)}`;
}

const STYLE = `
body { font-family: Helvetica, Arial, sans-serif; margin: 1.5rem; color: #202124; }
h1 { font-size: 1.4rem; margin: 0 0 .3rem; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
header p, .legend { color: #5f6368; margin: .2rem 0; }
figure { margin: 0; overflow-x: auto; border: 1px solid #dadce0; padding: .5rem; }
figure svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: .85rem; }
th, td { border: 1px solid #dadce0; padding: .35rem .5rem; text-align: left; vertical-align: top; }
thead th { background: #f1f3f4; }
tbody th { font-weight: normal; }
.path { font-weight: bold; }
.arn, .when, .weight, .by { color: #5f6368; font-size: .8rem; }
.label { display: inline-block; background: #e8f0fe; border-radius: 3px; padding: 0 .3rem; margin: .1rem 0; }
.parked { color: #c5221f; font-weight: bold; }
.role { font-weight: bold; }
.none { color: #9aa0a6; }
ul { margin: 0; padding-left: 1rem; }
code { font-size: .8rem; overflow-wrap: anywhere; }
.sticky { margin: .2rem 0 0; }
.nomap { border: 1px dashed #dadce0; padding: .5rem; }
`;
