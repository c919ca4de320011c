import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RouteValidationError } from '../../src/errors';
import { loadRoutes, routesOrThrow, type LoadResult } from '../../src/routes/load';
import { CONTEXT, PSARN, SQS, lines, yaml } from './fixtures';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'psarn-routes-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
}

/** Issues with their file names, relative to the test directory. */
function located(result: LoadResult): string[] {
  return result.issues.map((i) => `${path.relative(dir, i.file)}:${lines([i])[0] ?? ''}`);
}

/** A route whose split is one alias to `to`. */
function alias(from: string, to: string): string {
  return yaml(`psarn: ${PSARN}:${from}`, 'targets:', `  - arn: ${PSARN}:${to}`);
}

function leaf(psarn: string): string {
  return yaml(`psarn: ${PSARN}:${psarn}`, `targets: [{ arn: "${SQS}:q" }]`);
}

describe('loadRoutes', () => {
  it('reads *.yml and *.yaml files sorted by name, ignoring other files', async () => {
    await write({
      'b.yaml': leaf('/b'),
      'a.yml': leaf('/a'),
      'notes.txt': 'not a route',
      'c.yml.bak': 'x: [',
    });
    await mkdir(path.join(dir, 'sub.yml'));
    const result = await loadRoutes({ dir, context: CONTEXT });
    expect(result.files).toEqual([path.join(dir, 'a.yml'), path.join(dir, 'b.yaml')]);
    expect(result.issues).toEqual([]);
    expect(result.routes.map((r) => [path.basename(r.file), r.route.psarn, r.line, r.column])).toEqual([
      ['a.yml', `${PSARN}:/a`, 1, 1],
      ['b.yaml', `${PSARN}:/b`, 1, 1],
    ]);
    expect(routesOrThrow(result).map((r) => r.psarn)).toEqual([`${PSARN}:/a`, `${PSARN}:/b`]);
  });

  it('names files by the directory as given, resolved against cwd', async () => {
    await write({ 'a.yml': leaf('/a') });
    const result = await loadRoutes({ dir: path.basename(dir), cwd: path.dirname(dir), context: CONTEXT });
    expect(result.files).toEqual([path.join(path.basename(dir), 'a.yml')]);
    expect(result.routes[0]?.file).toBe(path.join(path.basename(dir), 'a.yml'));
  });

  it('reports every broken file, not just the first, in file and line order', async () => {
    await write({
      'a.yml': yaml(`psarn: ${PSARN}:/a`, 'targets:', `  - arn: ${SQS}:q`, '    weigth: 2'),
      'b.yml': yaml(`- psarn: ${PSARN}:/b`, '  ttl: -5', `  targets: [{ arn: "${SQS}:q" }]`, '- psarn: nope'),
      'c.yml': leaf('/c'),
      'd.yml': 'psarn: [\n',
    });
    const result = await loadRoutes({ dir, context: CONTEXT });
    expect(located(result)).toEqual([
      'a.yml:4:5 error targets[0].weigth: unknown key `weigth`: did you mean `weight`?',
      'b.yml:2:8 error ttl: `ttl` must be a whole number of seconds from 0 to 86400, got -5',
      'b.yml:4:3 error targets: a route needs at least one target: add `targets` (a weighted split) or `fanout`',
      'b.yml:4:10 error psarn: invalid psARN "nope": prefix must start with "arn:"',
      'd.yml:2:1 error : YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
    expect(result.routes.map((r) => r.route.psarn)).toEqual([`${PSARN}:/c`]);
    expect(() => routesOrThrow(result)).toThrow(RouteValidationError);
  });

  it('throws from routesOrThrow with every error listed, and passes warnings', async () => {
    await write({
      'a.yml': 'psarn: [\n',
      'b.yml': yaml(`psarn: ${PSARN}:/b`, 'ttl: -1', `fanout: [{ arn: "${SQS}:q" }]`),
    });
    const result = await loadRoutes({ dir: path.basename(dir), cwd: path.dirname(dir), context: CONTEXT });
    const name = path.basename(dir);
    expect(() => routesOrThrow(result)).toThrow(
      [
        '2 route error(s):',
        `${name}/a.yml:2:1  YAML: Flow sequence in block collection must be sufficiently indented and end with a ]`,
        `${name}/b.yml:2:6  \`ttl\` must be a whole number of seconds from 0 to 86400, got -1 (ttl)`,
      ].join('\n'),
    );
    const warnOnly = {
      ...result,
      issues: result.issues.map((i) => ({ ...i, severity: 'warning' as const })),
    };
    expect(routesOrThrow(warnOnly)).toEqual([]);
  });

  it('reports a psARN defined twice, naming both places', async () => {
    await write({
      'a.yml': leaf('/dup'),
      'b.yml': yaml('# again', `psarn: ${PSARN}:/dup`, `fanout: [{ arn: "${SQS}:q" }]`),
    });
    const result = await loadRoutes({ dir, context: CONTEXT });
    expect(located(result)).toEqual([
      `b.yml:2:8 error psarn: duplicate psARN ${PSARN}:/dup: already defined at ${path.join(dir, 'a.yml')}:1:8; each psARN has exactly one route`,
    ]);
  });

  it('reports an alias cycle at every route in it, split and fanout aliases alike', async () => {
    await write({
      'a.yml': alias('/a', '/b'),
      'b.yml': yaml(`psarn: ${PSARN}:/b`, 'fanout:', `  - arn: ${SQS}:q`, `  - arn: ${PSARN}:/a`),
      'c.yml': alias('/c', '/a'),
    });
    const result = await loadRoutes({ dir, context: CONTEXT });
    expect(located(result)).toEqual([
      `a.yml:3:10 error targets[0].arn: alias cycle: ${PSARN}:/a -> ${PSARN}:/b -> ${PSARN}:/a; an alias must not lead back to its own route`,
      `b.yml:4:10 error fanout[1].arn: alias cycle: ${PSARN}:/b -> ${PSARN}:/a -> ${PSARN}:/b; an alias must not lead back to its own route`,
    ]);
  });

  it('reports a route aliasing itself', async () => {
    await write({ 'a.yml': alias('/a', '/a') });
    const result = await loadRoutes({ dir, context: CONTEXT });
    expect(located(result)).toEqual([
      `a.yml:3:10 error targets[0].arn: alias cycle: ${PSARN}:/a -> ${PSARN}:/a; an alias must not lead back to its own route`,
    ]);
  });

  it('accepts an alias chain of 8 hops and rejects one of 9, at the route it starts from', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `/hop${i}`);
    const files: Record<string, string> = {};
    names.forEach((name, i) => {
      const next = names[i + 1];
      files[`hop${i}.yml`] = next === undefined ? leaf(name) : alias(name, next);
    });
    await write(files);
    const result = await loadRoutes({ dir, context: CONTEXT });
    const chain = names.map((n) => `${PSARN}:${n}`).join(' -> ');
    expect(located(result)).toEqual([
      `hop0.yml:3:10 error targets[0].arn: alias chain of 9 hops, more than the 8 the router follows: ${chain}`,
    ]);

    await rm(path.join(dir, 'hop0.yml'));
    expect((await loadRoutes({ dir, context: CONTEXT })).issues).toEqual([]);
  });

  it('rejects an alias to a psARN no route defines', async () => {
    await write({ 'a.yml': alias('/a', '/missing') });
    const result = await loadRoutes({ dir, context: CONTEXT });
    expect(located(result)).toEqual([
      `a.yml:3:10 error targets[0].arn: alias target ${PSARN}:/missing has no route in the route files: define that route or target a real resource`,
    ]);
  });

  it('reports a missing or empty directory as an issue', async () => {
    const missing = await loadRoutes({ dir: path.join(dir, 'nope'), context: CONTEXT });
    expect(missing.issues.map((i) => i.message)).toEqual([
      `routes directory ${path.join(dir, 'nope')} does not exist: pass --dir <directory with *.yml route files>`,
    ]);
    const empty = await loadRoutes({ dir, context: CONTEXT });
    expect(lines(empty.issues)).toEqual([`1:1 error : no route files (*.yml, *.yaml) in ${dir}`]);
    expect(empty.files).toEqual([]);
  });
});

describe('the shipped routes/', () => {
  it.each(['local', 'dev', 'prod'])('validate clean for stage %s', async (stage) => {
    const result = await loadRoutes({
      dir: 'routes',
      cwd: path.join(__dirname, '../..'),
      context: { stage, region: 'us-east-1', account: '000000000000' },
    });
    expect(result.issues).toEqual([]);
    expect(result.routes.map((r) => r.route.psarn.split(':').at(-1)).sort()).toEqual([
      '/email/send',
      '/event/audit',
      '/event/invoiceDue',
      '/event/newUser',
      '/event/orderPlaced',
      '/event/userSignedUp',
    ]);
  });

  it('name exactly the resources the local stack creates', async () => {
    const result = await loadRoutes({
      dir: 'routes',
      cwd: path.join(__dirname, '../..'),
      context: { stage: 'local', region: 'us-east-1', account: '000000000000' },
    });
    const arns = new Set(
      result.routes.flatMap(({ route }) => [
        ...route.targets.map((t) => t.arn),
        ...route.fanout.map((t) => t.arn),
        ...(route.park ? [route.park.queue] : []),
      ]),
    );
    const lambda = 'arn:aws:lambda:us-east-1:000000000000:function:psarn-local-';
    const sqs = 'arn:aws:sqs:us-east-1:000000000000:psarn-local-';
    expect([...arns].filter((a) => !a.includes(':psarns:')).sort()).toEqual(
      [
        ...['signupV1', 'signupV2', 'fulfilmentA', 'fulfilmentB', 'fulfilmentC', 'billing'].map(
          (f) => lambda + f,
        ),
        ...['orders', 'orders.fifo', 'email', 'newUser-holding', 'invoice-holding'].map((q) => sqs + q),
        'arn:aws:sns:us-east-1:000000000000:psarn-local-audit',
        'arn:aws:events:us-east-1:000000000000:event-bus/psarn-local-bus',
      ].sort(),
    );
    const byPath = new Map(result.routes.map(({ route }) => [route.psarn.split(':').at(-1), route]));
    expect(byPath.get('/event/newUser')).toMatchObject({
      ttl: 300,
      stickyBy: 'payload.userId',
      park: { enabled: false },
    });
    expect(byPath.get('/event/newUser')?.targets.map((t) => t.weight)).toEqual([90, 10]);
    expect(byPath.get('/event/orderPlaced')?.targets.map((t) => t.weight)).toEqual([30, 50, 20]);
    expect(byPath.get('/event/invoiceDue')?.park).toEqual({ queue: `${sqs}invoice-holding`, enabled: true });
    expect(byPath.get('/event/userSignedUp')?.targets).toEqual([
      { arn: 'arn:aws:psarns:us-east-1:000000000000:/event/newUser', kind: 'psarn', weight: 1 },
    ]);
    expect(byPath.get('/event/audit')?.targets).toEqual([]);
  });
});
