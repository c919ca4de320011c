import { planRoutes } from '../../src/control/route-plan';
import type { Route } from '../../src/routes/model';
import { parseRouteSource } from '../../src/routes/load';
import { CONTEXT, PSARN, SQS, lines, yaml } from './fixtures';

const base = [`psarn: ${PSARN}:/event/a`, `targets: [{ arn: "${SQS}:a" }]`];

function parse(...extra: string[]): ReturnType<typeof parseRouteSource> {
  return parseRouteSource('routes/r.yml', yaml(...base, ...extra), CONTEXT);
}

describe('route catalog fields: owner and labels', () => {
  it('reads owner and labels into the route, labels in key order so a reordered file is no change', () => {
    const result = parse(
      'owner: team-payments',
      'labels:',
      '  tier: "1"',
      '  team: payments',
      '  env: ${stage}',
    );
    expect(result.issues).toEqual([]);
    const route = result.routes[0]?.route;
    expect(route).toMatchObject({
      owner: 'team-payments',
      labels: { env: 'dev', team: 'payments', tier: '1' },
    });
    expect(Object.keys(route?.labels ?? {})).toEqual(['env', 'team', 'tier']);
  });

  it('leaves both out of a route that names neither', () => {
    const route = parse().routes[0]?.route;
    expect(route).not.toHaveProperty('owner');
    expect(route).not.toHaveProperty('labels');
  });

  it('lets a stage override owner and labels, replacing the whole label map', () => {
    const text = [
      'owner: team-a',
      'labels: { team: a, tier: "2" }',
      'stages:',
      '  prod:',
      '    owner: team-a-oncall',
      '    labels: { tier: "1" }',
    ];
    const prod = parseRouteSource('r.yml', yaml(...base, ...text), { ...CONTEXT, stage: 'prod' });
    expect(prod.issues).toEqual([]);
    expect(prod.routes[0]?.route).toMatchObject({ owner: 'team-a-oncall', labels: { tier: '1' } });
    expect(prod.routes[0]?.route.labels).not.toHaveProperty('team');
    const dev = parseRouteSource('r.yml', yaml(...base, ...text), CONTEXT);
    expect(dev.routes[0]?.route).toMatchObject({ owner: 'team-a', labels: { team: 'a', tier: '2' } });
  });

  it('says what a label must be: a string value (numbers quoted), a key of the label grammar', () => {
    expect(lines(parse('labels:', '  tier: 1', '  "bad key": x', '  ok: "a\\nb"').issues)).toEqual([
      '4:9 error labels.tier: `labels.tier` must be a string of at most 256 characters on one line (quote numbers and booleans: "1", "true"), got 1',
      '5:3 error labels.bad key: label key `bad key` must be a label key: 1 to 63 letters, digits, ".", "_", "-" or "/", starting with a letter or digit, got "bad key"',
      '6:7 error labels.ok: `labels.ok` must be a string of at most 256 characters on one line (quote numbers and booleans: "1", "true"), got "a\\nb"',
    ]);
  });

  it('refuses an empty, multi-line or over-long owner, and a label list instead of a map', () => {
    expect(lines(parse('owner: ""', 'labels: [team]').issues)).toEqual([
      '3:8 error owner: `owner` must be one line of text, 1 to 128 characters, like team-payments or ana@example.com, got ""',
      '4:9 error labels: `labels` must be a map of at most 32 labels, like {team: payments, tier: "1"}, got a list',
    ]);
    expect(lines(parse(`owner: "${'x'.repeat(129)}"`).issues)).toHaveLength(1);
    expect(lines(parse('owner: "ana\\u001b[31m"').issues)).toHaveLength(1);
  });

  it('refuses more than 32 labels', () => {
    const many = Array.from({ length: 33 }, (_, i) => `  k${i}: v`);
    expect(lines(parse('labels:', ...many).issues)).toEqual([
      '4:3 error labels: `labels` must be a map of at most 32 labels, like {team: payments, tier: "1"}, got a map',
    ]);
    expect(parse('labels:', ...many.slice(0, 32)).issues).toEqual([]);
  });

  it('hints at owner for a near miss of the key', () => {
    expect(lines(parse('ownr: x').issues)).toEqual([
      '3:1 error ownr: unknown key `ownr`: did you mean `owner`?',
    ]);
  });
});

describe('owner and labels in a plan', () => {
  it('shows a change of owner or labels as a change of the route, and a reordering as none', () => {
    const before = parse('owner: team-a', 'labels: { team: a, tier: "2" }').routes[0]?.route as Route;
    const after = parse('owner: team-b', 'labels: { tier: "1", team: a }').routes[0]?.route as Route;
    const reordered = parse('owner: team-a', 'labels: { tier: "2", team: a }').routes[0]?.route as Route;
    expect(planRoutes([before], [after]).entries).toEqual([
      {
        psarn: `${PSARN}:/event/a`,
        kind: 'changed',
        changes: ['labels {"team":"a","tier":"2"}→{"team":"a","tier":"1"}', 'owner "team-a"→"team-b"'],
      },
    ]);
    expect(planRoutes([before], [reordered]).entries).toEqual([]);
  });
});
