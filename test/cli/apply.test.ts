import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { applyCommand } from '../../src/cli/apply';
import { resolveStoreTarget } from '../../src/cli/store-options';
import type { CliIo } from '../../src/cli/io';
import { describeError, UsageError } from '../../src/errors';
import { DynamoReleaseStore } from '../../src/store/dynamo-release-store';
import { DynamoRouteStore } from '../../src/store/dynamo-route-store';
import { canaryYaml, routesDir, runCli, type RoutesDir } from '../control/cli-harness';
import { freshTable, startDynalite, type LocalDynamo } from '../store/local-dynamo';

const PSARN = 'arn:aws:psarns:eu-west-1:123456789012:/event/newUser';
let local: LocalDynamo;
let dir: RoutesDir;
let env: Record<string, string>;
let table: string;

beforeAll(async () => {
  local = await startDynalite();
  dir = await routesDir();
});
afterAll(async () => {
  await dir.remove();
  await local.close();
});
beforeEach(async () => {
  table = await freshTable(local);
  env = { ...local.env, PSARN_TABLE: table, AWS_REGION: 'eu-west-1', PSARN_ACCOUNT: '123456789012' };
  await dir.write({ 'new-user.yml': canaryYaml('newUser', 90, 10) });
});

describe('psarn apply', () => {
  it('shows the plan, publishes release 1 and says what it did', async () => {
    const run = await runCli(['apply', '--yes'], env, dir.cwd);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`+ ${PSARN}\n    targets live 90, canary 10\n`);
    expect(run.stdout.endsWith('release 1: 1 added, 0 changed, 0 removed\n')).toBe(true);
    const store = new DynamoRouteStore({ client: local.client, tableName: table });
    expect(await store.readControl()).toMatchObject({ release: 1, updatedBy: 'tester@ci' });
    const stored = await store.getRoute(PSARN, 1);
    expect(stored?.route.targets.map((t) => t.weight)).toEqual([90, 10]);
  });

  it('publishes a change as the next release and nothing when the routes match', async () => {
    await runCli(['apply', '--yes'], env, dir.cwd);
    await dir.write({ 'new-user.yml': canaryYaml('newUser', 50, 50) });
    const second = await runCli(['apply', '--yes'], env, dir.cwd);
    expect(second.stdout).toContain(`~ ${PSARN}\n    weight live 90→50, canary 10→50\n`);
    expect(second.stdout).toContain('release 2: 0 added, 1 changed, 0 removed\n');
    const third = await runCli(['apply', '--yes'], env, dir.cwd);
    expect(third).toEqual({ code: 0, stdout: 'No changes: the routes match release 2.\n', stderr: '' });
  });

  it('prints JSON for machines', async () => {
    const run = await runCli(['apply', '--yes', '--json'], env, dir.cwd);
    expect(JSON.parse(run.stdout)).toMatchObject({ release: 1, added: [PSARN], changed: [], removed: [] });
  });

  it('refuses without --yes when stdin is not a terminal, and changes nothing', async () => {
    const source = { input: new PassThrough(), output: new PassThrough() };
    const run = await runWith(applyCommand(source), ['apply'], env, dir.cwd);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/stdin is not a terminal: pass --yes .*nothing was changed/);
    const store = new DynamoReleaseStore({ client: local.client, tableName: table });
    expect((await store.readControl()).release).toBe(0);
  });

  it('asks on a terminal and publishes only on yes', async () => {
    const answer = async (text: string): Promise<{ code: number; stdout: string; stderr: string }> => {
      const input = Object.assign(new PassThrough(), { isTTY: true });
      const output = new PassThrough();
      output.on('data', () => input.write(`${text}\n`));
      return runWith(applyCommand({ input, output }), ['apply'], env, dir.cwd);
    };
    const no = await answer('n');
    expect(no.code).toBe(1);
    expect(no.stderr).toBe('Apply cancelled: nothing was changed.\n');
    const yes = await answer('yes');
    expect(yes.code).toBe(0);
    expect(yes.stdout).toContain('release 1: 1 added');
  });

  it('fails with the validator message on a broken route file and publishes nothing', async () => {
    await dir.write({ 'bad.yml': `${canaryYaml('newUser', 90, 10)}\nweigth: 3\n` });
    const run = await runCli(['apply', '--yes'], env, dir.cwd);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/ROUTE_INVALID.*\n.*bad\.yml:\d+/);
    expect(
      (await new DynamoRouteStore({ client: local.client, tableName: table }).readControl()).release,
    ).toBe(0);
  });

  it('names the table when it does not exist', async () => {
    const run = await runCli(['apply', '--yes', '--table', 'missing-table'], env, dir.cwd);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/STORE_UNAVAILABLE.*missing-table.*ResourceNotFoundException/);
  });

  it('finds the table from --stage when PSARN_TABLE is unset', async () => {
    const rest = Object.fromEntries(Object.entries(env).filter(([key]) => key !== 'PSARN_TABLE'));
    const run = await runCli(['apply', '--yes', '--stage', 'nostage'], rest, dir.cwd);
    expect(run.stderr).toMatch(/psarn-nostage-routes/);
  });
});

/** Run one command registered with a test-made confirmation source. */
async function runWith(
  register: ReturnType<typeof applyCommand>,
  args: string[],
  runEnv: Record<string, string>,
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  let code = 0;
  const io: CliIo = {
    stdout: (t) => (stdout += t) && undefined,
    stderr: (t) => (stderr += t) && undefined,
    env: runEnv,
    cwd,
    isTty: true,
  };
  const program = new Command('psarn').exitOverride();
  register(program, io, (c) => (code = c));
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (err) {
    stderr += `${describeError(err).message}\n`;
    code = err instanceof UsageError ? 2 : 1;
  }
  return { code, stdout, stderr };
}

describe('psarn apply in two processes at once', () => {
  const root = process.cwd();
  // Both racers' first Scan is held until the other's arrives, so the two processes read the
  // same live release and really race for the claim (process start-up times vary by seconds).
  let scans = 0;
  let releaseScans!: () => void;
  const bothScanned = new Promise<void>((resolve) => (releaseScans = resolve));
  let racing: LocalDynamo;
  beforeAll(async () => {
    racing = await startDynalite({
      beforeRequest: async (operation) => {
        if (operation !== 'Scan' || scans >= 2) return;
        if (++scans === 2) releaseScans();
        await bothScanned;
      },
    });
  });
  afterAll(async () => {
    await racing.close();
  });
  const psarnBin = (
    args: string[],
    extraEnv: Record<string, string>,
  ): Promise<{ code: number; out: string }> =>
    new Promise((resolve, reject) => {
      const child = spawn('npx', ['--no-install', 'psarn', ...args], {
        cwd: root,
        env: { ...process.env, ...env, ...racing.env, PSARN_TABLE: table, ...extraEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, out }));
    });

  /** 300 routes in one file: an apply of them writes 12 batches. */
  async function manyRoutes(tag: string): Promise<string> {
    const routes = path.join(dir.cwd, `routes-${tag}`);
    await mkdir(routes, { recursive: true });
    const docs = Array.from({ length: 300 }, (_, i) =>
      [
        `psarn: arn:aws:psarns:\${region}:\${account}:/event/e${i}`,
        `description: ${tag}`,
        'targets:',
        '  - arn: arn:aws:sqs:${region}:${account}:q',
      ].join('\n'),
    );
    await writeFile(path.join(routes, 'many.yml'), docs.join('\n---\n'));
    return routes;
  }

  it('publishes exactly one release; the loser names the winner and changes nothing', async () => {
    table = await freshTable(racing);
    const [dirA, dirB] = await Promise.all([manyRoutes('A'), manyRoutes('B')]);
    await psarnBin(['--help'], {}); // build the CLI bundle once, not in both racers
    const [a, b] = await Promise.all([
      psarnBin(['apply', '--yes', '--dir', dirA], { PSARN_USER: 'racer-a' }),
      psarnBin(['apply', '--yes', '--dir', dirB], { PSARN_USER: 'racer-b' }),
    ]);
    const results = [a, b].map((r) => r.code).sort();
    expect(results).toEqual([0, 1]);
    const [winner, loser] = a.code === 0 ? ['racer-a', b] : ['racer-b', a];
    expect(loser.out).toMatch(new RegExp(`error \\[RELEASE_CONFLICT\\]: release 1 was taken by ${winner}`));
    const store = new DynamoReleaseStore({ client: racing.client, tableName: table });
    expect((await store.readControl()).release).toBe(1);
    const routes = await store.routesAt(1);
    expect(routes).toHaveLength(300);
    expect(new Set(routes.map((r) => r.description))).toEqual(new Set([winner === 'racer-a' ? 'A' : 'B']));
    expect((await store.listReleases()).map((r) => r.by)).toEqual([winner]);
  });
});

describe('table, region and endpoint resolution (shared store flags)', () => {
  it('prefers flags, then the environment, then the stage default', () => {
    expect(resolveStoreTarget({}, { AWS_REGION: 'eu-west-1' })).toEqual({
      stage: 'dev',
      tableName: 'psarn-dev-routes',
      region: 'eu-west-1',
    });
    expect(
      resolveStoreTarget(
        { stage: 'prod', table: 't', region: 'us-west-2', endpoint: 'http://x', profile: 'ops' },
        { PSARN_TABLE: 'env-table', AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'http://y' },
      ),
    ).toEqual({ stage: 'prod', tableName: 't', region: 'us-west-2', endpoint: 'http://x', profile: 'ops' });
    expect(
      resolveStoreTarget(
        {},
        {
          PSARN_STAGE: 'local',
          AWS_ENDPOINT_URL: 'http://all',
          AWS_ENDPOINT_URL_DYNAMODB: 'http://ddb',
          AWS_PROFILE: 'p',
        },
      ),
    ).toEqual({
      stage: 'local',
      tableName: 'psarn-local-routes',
      region: 'us-east-1',
      endpoint: 'http://ddb',
      profile: 'p',
    });
  });

  it('asks for a region when neither a flag, the environment nor a local endpoint gives one', () => {
    expect(() => resolveStoreTarget({}, {})).toThrow(
      /no AWS region for the route table: pass --region or set AWS_REGION/,
    );
  });
});
