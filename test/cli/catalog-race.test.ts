import type { Catalog } from '../../src/discovery/catalog';
import { canaryYaml, routesDir, runCli, type RoutesDir } from '../control/cli-harness';
import { freshTable, startDynalite, type LocalDynamo } from '../store/local-dynamo';

/**
 * A second operator applies while `psarn catalog` reads: the catalog must be one release, the one
 * it read first, with the routes and the "last changed" of that release — not release 1's weights
 * next to release 2's record. dynalite holds the catalog's Scan (the read of the route items)
 * until the other apply has committed.
 */
describe('psarn catalog while another apply commits', () => {
  let local: LocalDynamo;
  let dir: RoutesDir;
  let hold: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    local = await startDynalite({
      beforeRequest: async (operation) => {
        if (operation !== 'Scan' || hold === undefined) return;
        // Only the first Scan after arming is held; the apply's own requests pass.
        const run = hold;
        hold = undefined;
        await run();
      },
    });
    dir = await routesDir();
  });

  afterAll(async () => {
    await dir.remove();
    await local.close();
  });

  it('shows the release it started from, whole', async () => {
    const table = await freshTable(local);
    const env = { ...local.env, PSARN_TABLE: table, AWS_REGION: 'eu-west-1', PSARN_ACCOUNT: '123456789012' };
    const cli = (...args: string[]): ReturnType<typeof runCli> => runCli(args, env, dir.cwd);
    await dir.write({ 'new-user.yml': canaryYaml('newUser', 90, 10) });
    expect((await cli('apply', '--yes')).code).toBe(0);

    let applied: Awaited<ReturnType<typeof runCli>> | undefined;
    hold = async () => {
      await dir.write({ 'new-user.yml': canaryYaml('newUser', 50, 50) });
      applied = await cli('apply', '--yes');
    };
    const run = await cli('catalog', '--json');
    expect(applied).toMatchObject({ code: 0 });
    expect(applied?.stdout).toContain('release 2');

    const catalog = JSON.parse(run.stdout) as Catalog;
    expect(catalog.release).toBe(1);
    expect(catalog.routes[0]?.split.map((t) => t.weight)).toEqual([90, 10]);
    expect(catalog.routes[0]?.lastChanged?.release).toBe(1);

    // The next run sees release 2, whole.
    const next = JSON.parse((await cli('catalog', '--json')).stdout) as Catalog;
    expect(next.release).toBe(2);
    expect(next.routes[0]?.split.map((t) => t.weight)).toEqual([50, 50]);
    expect(next.routes[0]?.lastChanged?.release).toBe(2);
  });
});
