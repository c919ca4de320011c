import fc from 'fast-check';
import { escapeMermaid, renderMermaid } from '../../src/graph/mermaid';
import { buildRouteGraph } from '../../src/graph/route-graph';
import { lambdaArn, route, snsArn, split, sqsArn, target } from '../support/routes';
import { arbitraryRoutes } from './arbitrary-routes';

// The grammar renderMermaid promises (see its TSDoc), one statement per line.
const ID = '[A-Za-z][A-Za-z0-9_]*';
const LABEL = '"[^"\\r\\n|`<>]*"';
const NODE = new RegExp(`^  (${ID})(?:\\(\\[${LABEL}\\]\\)|\\[\\(${LABEL}\\)\\]|\\[${LABEL}\\])$`);
const EDGE = new RegExp(`^  (${ID}) (?:-->|-\\.->|==>)\\|${LABEL}\\| (${ID})$`);
const CLASS_DEF = /^ {2}classDef (psarn|parked|unknown) [a-z-]+:[^\s,;]+(?:,[a-z-]+:[^,;]+)*$/;
const CLASS = new RegExp(`^  class (${ID}(?:,${ID})*) (psarn|parked|unknown)$`);

/** Check every line of a Mermaid flowchart against the grammar; return the problems found. */
function problems(text: string): string[] {
  const found: string[] = [];
  expect(text.endsWith('\n')).toBe(true);
  const lines = text.slice(0, -1).split('\n');
  if (lines[0] !== 'flowchart LR') found.push(`first line: ${lines[0]}`);
  const declared = new Set<string>();
  const defined = new Set<string>();
  for (const line of lines.slice(1)) {
    let m: RegExpExecArray | null;
    if ((m = NODE.exec(line))) {
      const id = m[1] as string;
      if (declared.has(id)) found.push(`node declared twice: ${id}`);
      if (/^(end|graph|flowchart|subgraph|class|classDef|style|click)$/i.test(id))
        found.push(`keyword id ${id}`);
      declared.add(id);
    } else if ((m = EDGE.exec(line))) {
      for (const id of [m[1], m[2]] as string[])
        if (!declared.has(id)) found.push(`edge to undeclared ${id}`);
    } else if ((m = CLASS_DEF.exec(line))) {
      defined.add(m[1] as string);
    } else if ((m = CLASS.exec(line))) {
      if (!defined.has(m[2] as string)) found.push(`class before its classDef: ${line}`);
      for (const id of (m[1] as string).split(','))
        if (!declared.has(id)) found.push(`class of undeclared ${id}`);
    } else {
      found.push(`not in the grammar: ${JSON.stringify(line)}`);
    }
  }
  return found;
}

/** Characters that mean something to Mermaid, and some that do not. */
const labelChar = fc.constantFrom(
  'a',
  'Z',
  '1',
  ' ',
  ';',
  '"',
  '#',
  '|',
  '`',
  '<',
  '>',
  '&',
  '\n',
  '\r',
  'é',
  '€',
  '😀',
);

/** Undo escapeMermaid's entity codes (the browser does this when it renders). */
const decode = (text: string): string =>
  text.replace(/#quot;/g, '"').replace(/#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));

describe('renderMermaid', () => {
  it('renders a small route map exactly', () => {
    const canary = route('/event/newUser', {
      targets: [split(lambdaArn('newUser:live'), 90), split(lambdaArn('newUser:canary'), 10)],
      fanout: [target(snsArn('audit'))],
      park: { queue: sqsArn('hold'), enabled: true },
    });
    const alias = route('/event/old', { targets: [split(canary.psarn, 1)] });
    expect(renderMermaid(buildRouteGraph([canary, alias]))).toBe(
      [
        'flowchart LR',
        '  ps_event_newUser(["/event/newUser (PARKED)"])',
        '  ps_event_old(["/event/old"])',
        '  lambda_newUser_live["lambda: newUser:live"]',
        '  lambda_newUser_canary["lambda: newUser:canary"]',
        '  sns_audit["sns: audit"]',
        '  sqs_hold[("sqs: hold")]',
        '  ps_event_newUser -->|"90%"| lambda_newUser_live',
        '  ps_event_newUser -->|"10%"| lambda_newUser_canary',
        '  ps_event_newUser -.->|"fanout"| sns_audit',
        '  ps_event_newUser ==>|"PARKED"| sqs_hold',
        '  ps_event_old -->|"alias 100%"| ps_event_newUser',
        '  classDef psarn fill:#e8f0fe,stroke:#1a73e8',
        '  class ps_event_newUser,ps_event_old psarn',
        '  classDef parked fill:#fce8e6,stroke:#c5221f,stroke-width:3px',
        '  class ps_event_newUser,sqs_hold parked',
        '',
      ].join('\n'),
    );
  });

  it('emits only lines of the flowchart grammar, unique ids and edges between declared nodes', () => {
    fc.assert(
      fc.property(arbitraryRoutes, (routes) => {
        const graph = buildRouteGraph(routes);
        const text = renderMermaid(graph);
        expect(problems(text)).toEqual([]);
        // Nothing is lost: one node line per node, one edge line per edge.
        expect(text.split('\n').filter((l) => NODE.test(l))).toHaveLength(graph.nodes.length);
        expect(text.split('\n').filter((l) => EDGE.test(l))).toHaveLength(graph.edges.length);
      }),
      { numRuns: 300 },
    );
  });

  it('escapes any text into a quoted label that decodes back to it', () => {
    fc.assert(
      fc.property(fc.string({ unit: labelChar, maxLength: 40 }), (text) => {
        const escaped = escapeMermaid(text);
        expect(escaped).toMatch(/^[^"\r\n|`<>]*$/);
        expect(decode(escaped)).toBe(text.replace(/[\r\n]/g, ' '));
      }),
    );
  });

  it('flags a line outside the grammar (the checker itself can fail)', () => {
    expect(problems('flowchart LR\n  a["x"]\n  a --> b\n  c["say "hi""]\n')).toEqual([
      'not in the grammar: "  a --> b"',
      'not in the grammar: "  c[\\"say \\"hi\\"\\"]"',
    ]);
  });
});
