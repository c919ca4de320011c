import type { GraphEdge, GraphNode, RouteGraph } from './route-graph';

/**
 * Draw a route map as a Graphviz `digraph` (`psarn graph --format dot | dot -Tsvg`): psARNs as
 * blue ovals, SQS queues as cylinders, other targets as boxes; split edges solid with their
 * percentage, fanout dashed, a standby park queue dotted and a parked route's queue bold red.
 * Every id and label is a quoted DOT string.
 *
 * @example
 * renderDot(buildRouteGraph(routes));
 * // digraph psarn {
 * //   rankdir=LR;
 * //   "ps_event_newUser" [label="/event/newUser", shape=oval, style=filled, fillcolor="#e8f0fe"];
 * //   "ps_event_newUser" -> "lambda_newUser_live" [label="90%"];
 * // }
 */
export function renderDot(graph: RouteGraph): string {
  const lines = ['digraph psarn {', '  rankdir=LR;', '  node [fontname="Helvetica", fontsize=11];'];
  lines.push('  edge [fontname="Helvetica", fontsize=10];');
  for (const node of graph.nodes) lines.push(`  ${quote(node.id)} [${attributes(nodeAttributes(node))}];`);
  for (const edge of graph.edges) {
    lines.push(`  ${quote(edge.from)} -> ${quote(edge.to)} [${attributes(edgeAttributes(edge))}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function nodeAttributes(node: GraphNode): [string, string][] {
  const shape = node.kind === 'psarn' ? 'oval' : node.kind === 'sqs' ? 'cylinder' : 'box';
  const attrs: [string, string][] = [
    ['label', quote(node.label)],
    ['shape', shape],
  ];
  const fill = node.parked ? '#fce8e6' : node.kind === 'psarn' ? '#e8f0fe' : undefined;
  if (fill !== undefined)
    attrs.push(['style', node.defined ? 'filled' : '"filled,dashed"'], ['fillcolor', quote(fill)]);
  else if (!node.defined) attrs.push(['style', 'dashed']);
  if (node.parked) attrs.push(['color', quote('#c5221f')], ['penwidth', '2']);
  return attrs;
}

function edgeAttributes(edge: GraphEdge): [string, string][] {
  const attrs: [string, string][] = [['label', quote(edge.label)]];
  if (edge.role === 'fanout') attrs.push(['style', 'dashed']);
  if (edge.role === 'park') {
    if (edge.active) attrs.push(['style', 'bold'], ['color', quote('#c5221f')]);
    else attrs.push(['style', 'dotted']);
  }
  return attrs;
}

function attributes(attrs: readonly [string, string][]): string {
  return attrs.map(([k, v]) => `${k}=${v}`).join(', ');
}

/** A DOT double-quoted string: backslashes and quotes escaped, line breaks as `\n`. */
export function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}
