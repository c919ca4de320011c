import { planRoutes } from '../../src/control/route-plan';
import { parseRouteSource } from '../../src/routes/load';
import { CONTEXT, PSARN, SQS, lines, yaml } from './fixtures';

const base = [`psarn: ${PSARN}:/event/a`, `targets: [{ arn: "${SQS}:a" }]`];
const park = `park: { queue: "${SQS}:held" }`;

function parse(...extra: string[]): ReturnType<typeof parseRouteSource> {
  return parseRouteSource('routes/r.yml', yaml(...base, ...extra), CONTEXT);
}

describe('route field autoDrain', () => {
  it('is stored on a route with a park queue, and left out when false or absent', () => {
    const on = parse(park, 'autoDrain: true');
    expect(on.issues).toEqual([]);
    expect(on.routes[0]?.route.autoDrain).toBe(true);
    expect(parse(park, 'autoDrain: false').routes[0]?.route).not.toHaveProperty('autoDrain');
    expect(parse(park).routes[0]?.route).not.toHaveProperty('autoDrain');
  });

  it('is an error without a park queue, saying what to add', () => {
    const result = parse('autoDrain: true');
    expect(result.routes).toEqual([]);
    expect(lines(result.issues)).toEqual([
      '3:12 error autoDrain: `autoDrain: true` drains the park queue once a circuit closes, and this route has none: add `park: {queue: <SQS queue ARN>}` or remove `autoDrain`',
    ]);
  });

  it('takes only true or false', () => {
    const result = parse(park, 'autoDrain: yes please');
    expect(result.routes).toEqual([]);
    expect(lines(result.issues).join('\n')).toContain('autoDrain');
    expect(lines(result.issues).join('\n')).toContain('true or false');
  });

  it('may be set per stage', () => {
    const text = [park, 'stages:', '  prod:', '    autoDrain: true'];
    const prod = parseRouteSource('r.yml', yaml(...base, ...text), { ...CONTEXT, stage: 'prod' });
    expect(prod.issues).toEqual([]);
    expect(prod.routes[0]?.route.autoDrain).toBe(true);
    expect(parseRouteSource('r.yml', yaml(...base, ...text), CONTEXT).routes[0]?.route).not.toHaveProperty(
      'autoDrain',
    );
  });

  it('shows in psarn plan when it changes', () => {
    const before = parse(park).routes[0]?.route;
    const after = parse(park, 'autoDrain: true').routes[0]?.route;
    if (before === undefined || after === undefined) throw new Error('routes did not parse');
    expect(planRoutes([before], [after]).entries[0]?.changes).toEqual(['autoDrain none→true']);
  });
});
