import { useCliFixture } from '../control/cli-harness';

const PSARN = 'arn:aws:psarns:eu-west-1:123456789012:/event/newUser';
const LIVE = 'arn:aws:lambda:eu-west-1:123456789012:function:newUser:live';
const CANARY = 'arn:aws:lambda:eu-west-1:123456789012:function:newUser:canary';
const cli = useCliFixture();

describe('psarn rollout', () => {
  beforeEach(async () => {
    await cli.run('apply', '--yes');
  });

  it('starts a rollout, shows it, pauses, resumes, promotes it, and history has every step', async () => {
    const start = await cli.run(
      'rollout',
      'start',
      PSARN,
      '--target',
      CANARY,
      '--strategy',
      'Canary10Percent5Minutes',
    );
    expect(start.code).toBe(0);
    expect(start.stdout).toMatch(
      new RegExp(
        `^rollout (ro-\\w+) started for ${PSARN}: step 1/2, 10 % to ${CANARY} \\(the live route already had it: no new release\\)\\n`,
      ),
    );
    const id = /rollout (ro-\w+)/.exec(start.stdout)?.[1] as string;

    const table = await cli.run('rollout', 'status');
    expect(table.stdout.split('\n')[0]).toMatch(
      /^PSARN +ROLLOUT +STATUS +STEP +CANARY +DELIVERED +FAILED +WHY$/,
    );
    expect(table.stdout).toContain(`${PSARN}  ${id}  running  1/2   10 %    0          0`);

    expect((await cli.run('rollout', 'pause', PSARN)).stdout).toBe(
      `rollout ${id} of ${PSARN}: paused, step 1/2 (10 %) (the live route already had it: no new release)\n`,
    );
    const detail = await cli.run('rollout', 'status', PSARN);
    expect(detail.stdout).toContain(
      `rollout ${id} of ${PSARN}: paused\n  canary    ${CANARY}\n  steps     10, 100 %, each at least 300 s\n`,
    );
    expect(detail.stdout).toContain('  gate      failure rate > 1 % over at least 100 copies\n');
    expect(detail.stdout).toContain('  why       paused by tester@ci\n');
    expect(detail.stdout).toContain('  releases  before: 1; published: none\n');

    expect((await cli.run('rollout', 'resume', PSARN)).stdout).toContain(': running, step 1/2');
    const promote = await cli.run('rollout', 'promote', PSARN, '--json');
    expect(JSON.parse(promote.stdout)).toMatchObject({
      id,
      status: 'completed',
      percent: 100,
      releases: [2],
    });

    const history = JSON.parse((await cli.run('history', PSARN, '--json')).stdout) as {
      releases: { summary: string; by: string }[];
    };
    expect(history.releases.map((r) => r.summary)).toEqual([
      '1 added, 0 changed, 0 removed',
      // Step 1 (10 %) was what the route already said: no release for it.
      `rollout ${id} step 2/2: 100 % (promoted by tester@ci)`,
    ]);
    // The next plan shows what the rollout changed against the route files.
    const plan = await cli.run('plan');
    expect(plan.code).toBe(3);
    expect(plan.stdout).toContain('weight live 0→90, canary 100→10');
  });

  it('aborts back to the route before the rollout', async () => {
    await cli.run('rollout', 'start', PSARN, '--target', CANARY, '--steps', '50,100');
    const abort = await cli.run('rollout', 'abort', PSARN);
    expect(abort.stdout).toMatch(/^rollout ro-\w+ of .*: aborted, step 1\/2 \(50 %\) \(release 3\)\n$/);
    expect((await cli.run('plan')).code).toBe(0);
  });

  it('refuses a second rollout, a rollout of nothing, and commands on a psARN without one, with typed errors', async () => {
    await cli.run('rollout', 'start', PSARN, '--target', CANARY);
    const again = await cli.run('rollout', 'start', PSARN, '--target', LIVE);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      new RegExp(
        `^error \\[ROLLOUT_EXISTS\\]: ${PSARN} already has rollout ro-\\w+ \\(running\\); nothing was changed\\. See it with \`psarn rollout status ${PSARN}\`; finish it with promote or abort first\\n$`,
      ),
    );
    const other = 'arn:aws:psarns:eu-west-1:123456789012:/event/other';
    expect((await cli.run('rollout', 'pause', other)).stderr).toBe(
      `error [ROLLOUT_NOT_FOUND]: ${other} has no rollout; start one with \`psarn rollout start ${other} --target <arn>\`\n`,
    );
    expect((await cli.run('rollout', 'start', other, '--target', CANARY)).stderr).toMatch(
      /^error \[ROUTE_NOT_FOUND\]: no route for .*\/event\/other in the live release\n$/,
    );
    expect((await cli.run('rollout', 'start', PSARN, '--target', 'nope')).stderr).toMatch(
      /^error \[INVALID_TARGET_ARN\]/,
    );
    const bad = await cli.run('rollout', 'start', 'arn:aws:psarns:eu-west-1:123:/x', '--target', CANARY);
    expect(bad.stderr).toMatch(
      /^error \[INVALID_PSARN\]: invalid psARN "arn:aws:psarns:eu-west-1:123:\/x": account/,
    );
  });

  it('answers bad flags with usage errors (exit 2) before touching the table', async () => {
    const bad = await cli.run('rollout', 'start', PSARN, '--target', CANARY, '--steps', '5,25');
    expect(bad).toEqual({ code: 2, stdout: '', stderr: 'error: --steps must end at 100 (in "5,25")\n' });
    expect(
      (await cli.run('rollout', 'start', PSARN, '--target', CANARY, '--max-failure-rate', 'lots')).code,
    ).toBe(2);
    expect((await cli.run('rollout', 'start', PSARN, '--target', CANARY, '--min-events', '-3')).code).toBe(2);
    expect(JSON.parse((await cli.run('rollout', 'status', '--json')).stdout)).toEqual({ rollouts: [] });
  });

  it('runs the controller once: a step that has not run its interval waits, and says so', async () => {
    await cli.run('rollout', 'start', PSARN, '--target', CANARY, '--steps', '25,100', '--interval', '1h');
    const run = await cli.run('rollout', 'run', '--once');
    expect(run.stdout).toMatch(
      new RegExp(`^${PSARN} ro-\\w+ waiting: step 1/2 \\(25 %\\): step runs until 3600 s from now\\n$`),
    );
    expect((await cli.run('rollout', 'status', PSARN)).stdout).toContain(
      '  why       step runs until 3600 s from now\n',
    );
  });
});
