import type { GraphEdge, GraphNode, RouteGraph } from './route-graph';

/**
 * Draw a route map as a Mermaid `flowchart LR`. The output uses a deliberately small part of the
 * grammar, one statement per line, so tests can check every line against it:
 *
 * - nodes: `id(["label"])` psARN (stadium), `id[("label")]` SQS queue (cylinder),
 *   `id["label"]` any other target;
 * - edges: `a -->|"label"| b` split, `a -.->|"label"| b` fanout or standby park queue,
 *   `a ==>|"label"| b` a parked route's queue (thick: where events go now);
 * - `classDef` and `class` lines for psARNs, parked and unknown nodes.
 *
 * Labels are always quoted; characters Mermaid would read as syntax or HTML become entity codes.
 *
 * @example
 * renderMermaid(buildRouteGraph(routes));
 * // flowchart LR
 * //   ps_event_newUser(["/event/newUser"])
 * //   lambda_newUser_live["lambda: newUser:live"]
 * //   ps_event_newUser -->|"90%"| lambda_newUser_live
 */
export function renderMermaid(graph: RouteGraph): string {
  const lines = ['flowchart LR'];
  for (const node of graph.nodes) lines.push(`  ${node.id}${shape(node)}`);
  for (const edge of graph.edges)
    lines.push(`  ${edge.from} ${arrow(edge)}|"${escapeMermaid(edge.label)}"| ${edge.to}`);

  const classes: [string, string, (n: GraphNode) => boolean][] = [
    ['psarn', 'fill:#e8f0fe,stroke:#1a73e8', (n) => n.kind === 'psarn'],
    ['parked', 'fill:#fce8e6,stroke:#c5221f,stroke-width:3px', (n) => n.parked],
    ['unknown', 'fill:#fff,stroke:#c5221f,stroke-dasharray:4 4', (n) => !n.defined],
  ];
  for (const [name, style, applies] of classes) {
    const members = graph.nodes.filter(applies).map((n) => n.id);
    if (members.length === 0) continue;
    lines.push(`  classDef ${name} ${style}`, `  class ${members.join(',')} ${name}`);
  }
  return `${lines.join('\n')}\n`;
}

function shape(node: GraphNode): string {
  const label = `"${escapeMermaid(node.label)}"`;
  if (node.kind === 'psarn') return `([${label}])`;
  if (node.kind === 'sqs') return `[(${label})]`;
  return `[${label}]`;
}

function arrow(edge: GraphEdge): string {
  if (edge.role === 'park') return edge.active ? '==>' : '-.->';
  return edge.role === 'fanout' ? '-.->' : '-->';
}

/**
 * Make text safe inside a quoted Mermaid label: quotes, `#` (entity start), HTML specials, the
 * edge-label bar and backticks (markdown strings) become Mermaid entity codes; line breaks become
 * spaces.
 */
export function escapeMermaid(text: string): string {
  return text.replace(/[#"<>&|`\r\n]/g, (c) => MERMAID_ENTITIES[c] ?? ' ');
}

const MERMAID_ENTITIES: Readonly<Record<string, string>> = {
  '#': '#35;',
  '"': '#quot;',
  '<': '#60;',
  '>': '#62;',
  '&': '#38;',
  '|': '#124;',
  '`': '#96;',
};
