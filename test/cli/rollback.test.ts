import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { rollbackCommand } from '../../src/cli/rollback';
import { DynamoRouteStore } from '../../src/store/dynamo-route-store';
import { canaryYaml, useCliFixture } from '../control/cli-harness';

const PSARN = 'arn:aws:psarns:eu-west-1:123456789012:/event/newUser';
const cli = useCliFixture();

/** The split weights a router sees for newUser in the live release. */
async function liveWeights(): Promise<number[] | undefined> {
  const store = new DynamoRouteStore({ client: cli.local.client, tableName: cli.table });
  const { release } = await store.readControl();
  return (await store.getRoute(PSARN, release))?.route.targets.map((t) => t.weight);
}

async function applyWeights(live: number, canary: number): Promise<void> {
  await cli.dir.write({ 'new-user.yml': canaryYaml('newUser', live, canary) });
  expect((await cli.run('apply', '--yes')).code).toBe(0);
}

describe('psarn rollback', () => {
  it('restores the previous release as a new release, as the router sees it', async () => {
    await applyWeights(90, 10);
    await applyWeights(50, 50);
    expect(await liveWeights()).toEqual([50, 50]);
    const run = await cli.run('rollback', '--yes');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        `~ ${PSARN}`,
        '    weight live 50→90, canary 50→10',
        'Plan against release 2: 0 to add, 1 to change, 0 to remove.',
        'release 3: 0 added, 1 changed, 0 removed (the routes of release 1)',
        '',
      ].join('\n'),
    );
    expect(await liveWeights()).toEqual([90, 10]);
    const history = JSON.parse((await cli.run('history', '--json')).stdout) as {
      releases: { summary: string; from?: number }[];
    };
    expect(history.releases.at(-1)).toMatchObject({ summary: 'rollback to release 1', from: 1 });
  });

  it('restores a chosen release, including routes removed since', async () => {
    await applyWeights(90, 10);
    await cli.dir.write({ 'other.yml': canaryYaml('other', 1, 1) });
    await cli.run('apply', '--yes', '--allow-removals');
    expect(await liveWeights()).toBeUndefined();
    const run = await cli.run('rollback', '--to', '1', '--yes', '--json');
    expect(JSON.parse(run.stdout)).toMatchObject({
      release: 3,
      added: [PSARN],
      removed: [expect.stringMatching(/other$/)],
      from: 1,
    });
    expect(await liveWeights()).toEqual([90, 10]);
  });

  it('leaves a snapshot of the rolled-back-to routes for cold routers', async () => {
    await applyWeights(90, 10);
    await applyWeights(50, 50);
    expect((await cli.run('rollback', '--yes')).code).toBe(0);
    const store = new DynamoRouteStore({ client: cli.local.client, tableName: cli.table });
    const { release } = await store.readControl();
    const snapshot = await store.readSnapshot(release);
    expect('routes' in snapshot && snapshot.routes.get(PSARN)?.targets.map((t) => t.weight)).toEqual([
      90, 10,
    ]);
  });

  it('fails clearly for a release that does not exist or a bad number', async () => {
    await applyWeights(90, 10);
    const none = await cli.run('rollback', '--yes');
    expect(none.code).toBe(1);
    expect(none.stderr).toBe('error [RELEASE_NOT_FOUND]: release 0 does not exist (live release is 1)\n');
    expect((await cli.run('rollback', '--to', '9', '--yes')).stderr).toMatch(/release 9 does not exist/);
    expect((await cli.run('rollback', '--to', 'last', '--yes')).code).toBe(2);
  });

  it('refuses without --yes when stdin is not a terminal', async () => {
    await applyWeights(90, 10);
    await applyWeights(50, 50);
    const program = new Command('psarn').exitOverride();
    const io = {
      stdout: () => undefined,
      stderr: () => undefined,
      env: cli.env,
      cwd: cli.dir.cwd,
      isTty: false,
    };
    rollbackCommand({ input: new PassThrough(), output: new PassThrough() })(program, io, () => undefined);
    await expect(program.parseAsync(['rollback'], { from: 'user' })).rejects.toThrow(/pass --yes/);
    expect(await liveWeights()).toEqual([50, 50]);
  });
});
