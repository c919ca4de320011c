/** `psarn apply` removes live routes only when told to: issue 8, item 3. */
import { DynamoReleaseStore } from '../../src/store/dynamo-release-store';
import { canaryYaml, routesDir, runCli, type RoutesDir } from '../control/cli-harness';
import { freshTable, startDynalite, type LocalDynamo } from '../store/local-dynamo';

const psarnOf = (name: string): string => `arn:aws:psarns:eu-west-1:123456789012:/event/${name}`;
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
  await dir.write({ 'a.yml': canaryYaml('a', 90, 10), 'b.yml': canaryYaml('b', 90, 10) });
  const first = await runCli(['apply', '--yes'], env, dir.cwd);
  expect(first.code).toBe(0);
});

async function live(): Promise<number> {
  return (await new DynamoReleaseStore({ client: local.client, tableName: table }).readControl()).release;
}

describe('psarn apply and removed routes', () => {
  it('refuses a route directory whose files define no route at all, and changes nothing', async () => {
    await dir.write({ 'only-comments.yml': '# everything moved to another repo\n# (nothing here)\n' });
    const run = await runCli(['apply', '--yes', '--allow-removals'], env, dir.cwd);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^error \[ROUTE_INVALID\]: 1 route error\(s\):\nroutes:1:1 {2}the route files in routes \(routes\/only-comments\.yml\) define no route/,
    );
    expect(run.stderr).toMatch(/nothing was changed/);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(await live()).toBe(1);
  });

  it('refuses, with --yes alone, a release that removes routes, naming them and the flag', async () => {
    await dir.write({ 'a.yml': canaryYaml('a', 50, 50) });
    const run = await runCli(['apply', '--yes'], env, dir.cwd);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`- ${psarnOf('b')}`); // the plan was shown
    expect(run.stderr).toBe(
      `error [REMOVALS_NOT_CONFIRMED]: this release would remove 1 live route from ${table}: ${psarnOf('b')}; nothing was changed. ` +
        'To remove it, run again with --allow-removals --yes; to keep it, put its route file back in routes\n',
    );
    expect(await live()).toBe(1);
  });

  it('publishes the removal with --allow-removals --yes', async () => {
    await dir.write({ 'a.yml': canaryYaml('a', 90, 10) });
    const run = await runCli(['apply', '--yes', '--allow-removals'], env, dir.cwd);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('release 2: 0 added, 0 changed, 1 removed');
  });

  it('needs no flag for a release that removes nothing', async () => {
    await dir.write({ 'a.yml': canaryYaml('a', 50, 50), 'b.yml': canaryYaml('b', 90, 10) });
    const run = await runCli(['apply', '--yes'], env, dir.cwd);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('release 2: 0 added, 1 changed, 0 removed');
  });
});
