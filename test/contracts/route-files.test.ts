import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadRoutes } from '../../src/routes/load';
import { parseRouteSource } from '../../src/routes/parse-source';

const context = { stage: 'dev', region: 'us-east-1', account: '000000000000' };
const psarn = 'arn:aws:psarns:${region}:${account}:/event/newUser';
const queue = (name: string) => `arn:aws:sqs:\${region}:\${account}:${name}`;

async function routesDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'psarn-contracts-'));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

const issues = (result: Awaited<ReturnType<typeof loadRoutes>>) =>
  result.issues.map(
    (i) => `${path.basename(i.file)}:${i.line}:${i.column} ${i.severity} ${i.path}: ${i.message}`,
  );

describe('schema: in route files', () => {
  it('reads a schema file relative to the route file and stores it inline', async () => {
    const schema = { type: 'object', required: ['userId'] };
    const dir = await routesDir({
      'routes/users.yml': `psarn: ${psarn}\ntargets:\n  - arn: ${queue('q')}\nschema: ./schemas/new-user.schema.json\n`,
      'routes/schemas/new-user.schema.json': JSON.stringify(schema),
    });
    // Loaded from another working directory: the file is found next to the route file, not the cwd.
    const result = await loadRoutes({ dir: path.join(dir, 'routes'), context, cwd: '/' });
    expect(issues(result)).toEqual([]);
    expect(result.routes[0]?.route.schema).toEqual(schema);
    expect(result.routes[0]?.route.onInvalid).toBe('reject');
  });

  it('reports a missing schema file at the schema key, with where it looked', async () => {
    const dir = await routesDir({
      'users.yml': `psarn: ${psarn}\ntargets:\n  - arn: ${queue('q')}\nschema: ./nope.json\n`,
    });
    const result = await loadRoutes({ dir, context });
    expect(result.routes).toEqual([]);
    expect(issues(result)).toEqual([
      expect.stringMatching(
        /^users\.yml:4:\d+ error schema: schema file \.\/nope\.json: does not exist \(looked for .*nope\.json/,
      ),
    ]);
  });

  it('reports a schema file that is not JSON', async () => {
    const dir = await routesDir({
      'users.yml': `psarn: ${psarn}\ntargets:\n  - arn: ${queue('q')}\nschema: ./bad.json\n`,
      'bad.json': '{ type: object',
    });
    expect(issues(await loadRoutes({ dir, context }))).toEqual([
      expect.stringContaining('error schema: schema file ./bad.json: is not JSON'),
    ]);
  });

  it('reports an inline schema that does not compile, at its line', () => {
    const text = [
      `psarn: ${psarn}`,
      'targets:',
      `  - arn: ${queue('q')}`,
      'schema:',
      '  type: object',
      '  requried: [userId]',
    ].join('\n');
    const result = parseRouteSource('routes/users.yml', text, context);
    expect(result.routes).toEqual([]);
    expect(result.issues.map((i) => [i.line, i.path, i.message])).toEqual([
      [5, 'schema', 'the schema does not compile: strict mode: unknown keyword: "requried"'],
    ]);
  });

  it('refuses a remote $ref: the router never fetches anything', () => {
    const text = `psarn: ${psarn}\ntargets:\n  - arn: ${queue('q')}\nschema:\n  $ref: https://example.com/user.json\n`;
    const [issue] = parseRouteSource('routes/users.yml', text, context).issues;
    expect(issue?.message).toContain('must point inside the schema');
  });

  it('says a schema file needs a route file to be relative to', () => {
    const text = `psarn: ${psarn}\ntargets:\n  - arn: ${queue('q')}\nschema: ./user.json\n`;
    const [issue] = parseRouteSource('routes/users.yml', text, context).issues;
    expect(issue?.message).toContain('only route files loaded from a directory may name one');
  });

  it('refuses onInvalid without a schema, and warns when parked invalid payloads would go to the DLQ', () => {
    const noSchema = `psarn: ${psarn}\ntargets:\n  - arn: ${queue('q')}\nonInvalid: park\n`;
    expect(parseRouteSource('r.yml', noSchema, context).issues.map((i) => [i.severity, i.path])).toEqual([
      ['error', 'onInvalid'],
      ['warning', 'onInvalid'],
    ]);
    const toDlq = `psarn: ${psarn}\ntargets:\n  - arn: ${queue('q')}\nschema: {type: object}\nonInvalid: park\n`;
    const result = parseRouteSource('r.yml', toDlq, context);
    expect(result.issues.map((i) => [i.severity, i.message])).toEqual([
      [
        'warning',
        "invalid payloads of a route without a park queue are kept in the router's dead-letter queue",
      ],
    ]);
    expect(result.routes[0]?.route.onInvalid).toBe('park');
  });

  it('lets a stage override the schema', () => {
    const text = `psarn: ${psarn}\ntargets:\n  - arn: ${queue('q')}\nschema: {type: object}\nstages:\n  prod:\n    schema: {type: array}\n`;
    expect(parseRouteSource('r.yml', text, { ...context, stage: 'prod' }).routes[0]?.route.schema).toEqual({
      type: 'array',
    });
  });
});

describe('callers: in route files', () => {
  it('normalises overrides like the route: ARNs parsed, weights defaulted', () => {
    const text = [
      `psarn: ${psarn}`,
      'targets:',
      `  - arn: ${queue('green')}`,
      'callers:',
      '  - match: { labels: { deployment: blue } }',
      '    targets:',
      `      - arn: ${queue('blue')}`,
      '  - match: { principal: "arn:aws:iam::000000000000:role/canary-*" }',
      '    park:',
      `      queue: ${queue('holding')}`,
      '      enabled: true',
    ].join('\n');
    const result = parseRouteSource('r.yml', text, context);
    expect(result.issues).toEqual([]);
    expect(result.routes[0]?.route.callers).toEqual([
      {
        match: { labels: { deployment: 'blue' } },
        targets: [{ arn: 'arn:aws:sqs:us-east-1:000000000000:blue', kind: 'sqs', weight: 1 }],
      },
      {
        match: { principal: 'arn:aws:iam::000000000000:role/canary-*' },
        park: { queue: 'arn:aws:sqs:us-east-1:000000000000:holding', enabled: true },
      },
    ]);
  });

  it('reports an override problem under callers[i], at its line, once', () => {
    const text = [
      `psarn: ${psarn}`,
      'targets:',
      `  - arn: ${queue('green')}`,
      `  - arn: ${queue('green2')}`,
      '    weight: 1',
      'callers:',
      '  - match: { function: "checkout-*" }',
      '    targets:',
      '      - arn: arn:aws:sqs:us-east-1:000000000000',
    ].join('\n');
    const result = parseRouteSource('r.yml', text, context);
    expect(result.issues.map((i) => [i.line, i.path])).toEqual([
      [3, 'targets[0].weight'],
      [9, 'callers[0].targets[0].arn'],
    ]);
  });

  it('refuses a match that would take every caller, an override that changes nothing, and a principal that is no ARN', () => {
    const text = [
      `psarn: ${psarn}`,
      'targets:',
      `  - arn: ${queue('green')}`,
      'callers:',
      '  - match: {}',
      `    targets: [{ arn: "${queue('blue')}" }]`,
      '  - match: { labels: { deployment: blue } }',
      '  - match: { principal: "role/blue" }',
      `    fanout: [{ arn: "${queue('audit')}" }]`,
    ].join('\n');
    const result = parseRouteSource('r.yml', text, context);
    expect(result.issues.map((i) => [i.path, i.message.split(':')[0]])).toEqual([
      ['callers[0].match', '`match` needs `principal`, `function` or `labels`'],
      ['callers[1]', 'a caller override needs `targets`, `fanout` or `park`'],
      ['callers[2].match.principal', '`principal` must be an IAM ARN like arn'],
    ]);
  });
});
