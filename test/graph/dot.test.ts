import fc from 'fast-check';
import { quote, renderDot } from '../../src/graph/dot';
import { buildRouteGraph } from '../../src/graph/route-graph';
import { lambdaArn, route, snsArn, split, sqsArn, target } from '../support/routes';
import { arbitraryRoutes } from './arbitrary-routes';

// The DOT subset renderDot emits: quoted ids, attribute lists of key=value.
const STRING = '"(?:[^"\\\\\\n]|\\\\.)*"';
const VALUE = `(?:${STRING}|[A-Za-z0-9_.]+)`;
const ATTRS = `\\[[a-z]+=${VALUE}(?:, [a-z]+=${VALUE})*\\]`;
const NODE = new RegExp(`^  (${STRING}) ${ATTRS};$`);
const EDGE = new RegExp(`^  (${STRING}) -> (${STRING}) ${ATTRS};$`);
const HEADER = ['digraph psarn {', '  rankdir=LR;'];
const DEFAULTS = /^ {2}(node|edge) \[[^\]]*\];$/;

function problems(text: string): string[] {
  const found: string[] = [];
  const lines = text.slice(0, -1).split('\n');
  if (lines.slice(0, 2).join('\n') !== HEADER.join('\n')) found.push('header');
  if (lines[lines.length - 1] !== '}') found.push('no closing brace');
  const declared = new Set<string>();
  for (const line of lines.slice(2, -1)) {
    let m: RegExpExecArray | null;
    if (DEFAULTS.test(line)) continue;
    if ((m = NODE.exec(line))) {
      if (declared.has(m[1] as string)) found.push(`node twice: ${m[1]}`);
      declared.add(m[1] as string);
    } else if ((m = EDGE.exec(line))) {
      for (const id of [m[1], m[2]] as string[])
        if (!declared.has(id)) found.push(`edge to undeclared ${id}`);
    } else {
      found.push(`not DOT: ${JSON.stringify(line)}`);
    }
  }
  return found;
}

describe('renderDot', () => {
  it('renders a small route map exactly', () => {
    const r = route('/event/x', {
      targets: [split(lambdaArn('a'), 3), split(lambdaArn('b'), 1)],
      fanout: [target(snsArn('audit'))],
      park: { queue: sqsArn('hold'), enabled: false },
    });
    expect(renderDot(buildRouteGraph([r]))).toBe(
      [
        'digraph psarn {',
        '  rankdir=LR;',
        '  node [fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=10];',
        '  "ps_event_x" [label="/event/x", shape=oval, style=filled, fillcolor="#e8f0fe"];',
        '  "lambda_a" [label="lambda: a", shape=box];',
        '  "lambda_b" [label="lambda: b", shape=box];',
        '  "sns_audit" [label="sns: audit", shape=box];',
        '  "sqs_hold" [label="sqs: hold", shape=cylinder];',
        '  "ps_event_x" -> "lambda_a" [label="75%"];',
        '  "ps_event_x" -> "lambda_b" [label="25%"];',
        '  "ps_event_x" -> "sns_audit" [label="fanout", style=dashed];',
        '  "ps_event_x" -> "sqs_hold" [label="park (standby)", style=dotted];',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('emits a valid digraph for any route set', () => {
    fc.assert(
      fc.property(arbitraryRoutes, (routes) => {
        const graph = buildRouteGraph(routes);
        const text = renderDot(graph);
        expect(problems(text)).toEqual([]);
        expect(text.split('\n').filter((l) => EDGE.test(l))).toHaveLength(graph.edges.length);
      }),
      { numRuns: 300 },
    );
  });

  it('quotes any text as a DOT string', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        const quoted = quote(text);
        expect(quoted).toMatch(new RegExp(`^${STRING}$`));
        // DOT's own unescaping: \" and \\ back to themselves, \n to a line break.
        const back = quoted.slice(1, -1).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
        expect(back).toBe(text.replace(/\r\n/g, '\n'));
      }),
    );
  });

  it('flags a line that is not DOT (the checker itself can fail)', () => {
    expect(problems('digraph psarn {\n  rankdir=LR;\n  a -> b;\n}\n')).toEqual(['not DOT: "  a -> b;"']);
  });
});
