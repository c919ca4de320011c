import { buildCatalog } from '../../src/discovery/catalog';
import { escapeHtml, renderCatalogHtml, renderRouteMapSvg } from '../../src/discovery/catalog-html';
import { renderDot } from '../../src/graph/dot';
import { buildRouteGraph } from '../../src/graph/route-graph';
import type { Route } from '../../src/routes/model';
import { route, split, sqsArn } from '../support/routes';

const routes: Route[] = [
  route('/event/a', { targets: [split(sqsArn('a'), 1)], description: '<i>a</i> & "b"', owner: "o'neil" }),
];
const catalog = buildCatalog({ stage: 'dev', table: 'psarn-dev-routes', release: 1, routes, releases: [] });
const generatedAt = '2026-12-01T00:00:00.000Z';

describe('escapeHtml', () => {
  it('turns every character that could open markup or end an attribute into a reference', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;',
    );
  });
});

describe('renderCatalogHtml', () => {
  it('escapes route text and declares a policy under which no script may run', () => {
    const page = renderCatalogHtml(catalog, '<svg></svg>', { generatedAt });
    expect(page).toContain('&lt;i&gt;a&lt;/i&gt; &amp; &quot;b&quot;');
    expect(page).toContain('o&#39;neil');
    expect(page).not.toContain('<i>');
    expect(page).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    expect(page).not.toMatch(/<script\b/);
  });

  it('embeds Graphviz SVG without its XML prolog and DOCTYPE', async () => {
    const svg = await renderRouteMapSvg(renderDot(buildRouteGraph(routes)));
    expect(svg).toMatch(/^<\?xml/);
    const page = renderCatalogHtml(catalog, svg, { generatedAt });
    expect(page).not.toContain('<?xml');
    expect(page).not.toContain('<!DOCTYPE svg');
    expect(page).toContain('<text');
    expect(page).toContain('>/event/a</text>');
  });

  it('adds the columns others join the catalog with, escaped like every cell', () => {
    const page = renderCatalogHtml(catalog, '<svg></svg>', {
      generatedAt,
      columns: [{ header: 'Health <now>', cell: (r) => `<b>${r.path}</b> healthy` }],
    });
    expect(page).toContain('<th scope="col">Health &lt;now&gt;</th>');
    expect(page).toContain('<td>&lt;b&gt;/event/a&lt;/b&gt; healthy</td>');
  });

  it('says how to get a map when no map was drawn (too many routes)', () => {
    const page = renderCatalogHtml(catalog, undefined, { generatedAt });
    expect(page).not.toContain('<svg');
    expect(page).toContain(
      '<p class="nomap">No map: 1 routes are more than the 300 a map is drawn for. Narrow the catalog',
    );
  });

  it('says when a table has nothing applied yet', () => {
    const empty = buildCatalog({
      stage: 'qa',
      table: 'psarn-qa-routes',
      release: 0,
      routes: [],
      releases: [],
    });
    expect(renderCatalogHtml(empty, '<svg></svg>', { generatedAt })).toContain(
      '<p>No live routes: nothing has been applied to this table yet.</p>',
    );
  });
});
