import { canaryYaml, useCliFixture } from '../control/cli-harness';

const PSARN = 'arn:aws:psarns:eu-west-1:123456789012:/event/newUser';
const OTHER = 'arn:aws:psarns:eu-west-1:123456789012:/event/other';
const cli = useCliFixture();

describe('psarn history', () => {
  it('says so when the table has no release yet', async () => {
    expect(await cli.run('history')).toEqual({
      code: 0,
      stderr: '',
      stdout: `No releases yet in ${cli.table}.\n`,
    });
  });

  it('lists releases with when, who and what, marking the live one', async () => {
    await cli.run('apply', '--yes');
    await cli.dir.write({
      'new-user.yml': canaryYaml('newUser', 50, 50),
      'other.yml': canaryYaml('other', 1, 1),
    });
    await cli.run('apply', '--yes');
    const run = await cli.run('history');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^RELEASE {2}WHEN {3,}BY {3,}SUMMARY {3,}CHANGED$/);
    expect(lines[1]).toMatch(
      /^1 {8}\d{4}-\d\d-\d\dT[\d:.]+Z {2}tester@ci {2}1 added, 0 changed, 0 removed {2}\/event\/newUser$/,
    );
    // Which psARNs each release changed, by path (same region and account).
    expect(lines[2]).toMatch(
      /^2\* {7}\S+ {2}tester@ci {2}1 added, 1 changed, 0 removed {2}(\/event\/newUser, \/event\/other|\/event\/other, \/event\/newUser)$/,
    );
    expect(lines[3]).toBe('* live release; epoch 0');
  });

  it('shows only the releases that touched a psARN', async () => {
    await cli.run('apply', '--yes');
    await cli.dir.write({
      'new-user.yml': canaryYaml('newUser', 90, 10),
      'other.yml': canaryYaml('other', 1, 1),
    });
    await cli.run('apply', '--yes');
    const mine = JSON.parse((await cli.run('history', PSARN, '--json')).stdout) as {
      releases: { release: number }[];
    };
    expect(mine.releases.map((r) => r.release)).toEqual([1]);
    const other = JSON.parse((await cli.run('history', OTHER, '--json')).stdout) as {
      live: number;
      releases: { release: number; by: string; changed: string[] }[];
    };
    expect(other).toMatchObject({ live: 2, releases: [{ release: 2, by: 'tester@ci', changed: [OTHER] }] });
    const none = await cli.run('history', 'arn:aws:psarns:eu-west-1:123456789012:/event/none');
    expect(none.stdout).toMatch(/^No release of .* touched .*\/event\/none\.\n$/);
  });
});
