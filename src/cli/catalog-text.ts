import { safe } from './safe-text';
import { textTable } from './text-table';
import type { Catalog, CatalogRoute } from '../discovery/catalog';

/**
 * The catalog for a terminal: a heading, then one block per route (path and description, its
 * owner, labels, contract and last release, and a table of its targets). Route-file text is
 * untrusted: line breaks, tabs and escape sequences in it are shown as `?` so a description cannot
 * break the layout or drive the terminal.
 *
 * @example
 * io.stdout(renderCatalogText(catalog));
 */
export function renderCatalogText(catalog: Catalog): string {
  const count = `${catalog.routes.length} ${catalog.routes.length === 1 ? 'route' : 'routes'}`;
  const out = [
    `Catalog of stage ${catalog.stage}: ${catalog.table}, live release ${catalog.release}, ${count}\n`,
  ];
  for (const route of catalog.routes) out.push('\n', routeBlock(route));
  return out.join('');
}

function routeBlock(route: CatalogRoute): string {
  const lines: string[] = [];
  const title = route.description === null ? route.path : `${route.path}  ${safe(route.description)}`;
  lines.push(`${title}${route.parked ? '  [PARKED]' : ''}`);
  lines.push(`  psarn     ${route.psarn}`);
  const labels = Object.entries(route.labels).map(([k, v]) => `${safe(k)}=${safe(v)}`);
  lines.push(`  owner     ${route.owner === null ? '-' : safe(route.owner)}`);
  lines.push(`  labels    ${labels.length === 0 ? '-' : labels.join(', ')}`);
  lines.push(
    `  contract  ${route.contract.summary === null ? 'no schema' : `schema: ${safe(route.contract.summary)}`}`,
  );
  const c = route.lastChanged;
  lines.push(
    `  changed   ${c === null ? '-' : `release ${c.release}, ${c.at}, by ${safe(c.by)}: ${safe(c.summary)}`}`,
  );
  const policy = [`ttl ${route.ttl}s`, `onFailure ${route.onFailure}`];
  if (route.stickyBy !== null) policy.push(`split sticky by ${safe(route.stickyBy)}`);
  lines.push(`  routing   ${policy.join(', ')}`);

  const rows: string[][] = [['ROLE', 'TARGET', 'WEIGHT', 'SHARE', 'REGISTERED BY']];
  for (const t of route.split) {
    rows.push(['split', t.arn, String(t.weight), `${t.percent}%`, by(t.registeredBy)]);
  }
  for (const t of route.fanout) rows.push(['fanout', t.arn, '', 'every', by(t.registeredBy)]);
  if (route.park !== null)
    rows.push(['park', route.park.queue, '', route.park.enabled ? 'PARKED' : 'standby', '']);
  const table = textTable(rows)
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => `  ${line}`);
  return `${[...lines, ...table].join('\n')}\n`;
}

function by(registeredBy: string | null): string {
  return registeredBy === null ? '-' : safe(registeredBy);
}
