import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { applyCommand } from '../../src/cli/apply';
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
