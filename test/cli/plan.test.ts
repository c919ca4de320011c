import { canaryYaml, useCliFixture } from '../control/cli-harness';

const PSARN = 'arn:aws:psarns:eu-west-1:123456789012:/event/newUser';
const AUDIT = 'arn:aws:sns:eu-west-1:123456789012:audit';
const HOLD = 'arn:aws:sqs:eu-west-1:123456789012:newUser-holding';
const cli = useCliFixture();

describe('psarn plan', () => {
  it('shows every route as added against an empty table and exits 3', async () => {
    const run = await cli.run('plan');
    expect(run).toEqual({
      code: 3,
      stderr: '',
      stdout: [
        `+ ${PSARN}`,
        '    targets live 90, canary 10',
        '    ttl 60',
        '    onFailure dlq',
        'Plan against release 0: 1 to add, 0 to change, 0 to remove.',
        '',
      ].join('\n'),
    });
  });

  it('shows no changes right after apply and exits 0', async () => {
    await cli.run('apply', '--yes');
    expect(await cli.run('plan')).toEqual({
      code: 0,
      stderr: '',
      stdout: 'No changes: the routes match release 1.\n',
    });
  });

  it('words each change a reviewer cares about', async () => {
    const extra = `park:\n  queue: ${HOLD}\n  enabled: false\nonFailure: park\nttl: 300\n`;
    await cli.dir.write({
      'new-user.yml': canaryYaml('newUser', 90, 10, extra),
      'old.yml': canaryYaml('old', 1, 1),
    });
    await cli.run('apply', '--yes');
    const changed = `park:\n  queue: ${HOLD}\n  enabled: true\nonFailure: dlq\nttl: 60\nstickyBy: payload.userId\nfanout:\n  - arn: ${AUDIT}\n`;
    await cli.dir.write({
      'new-user.yml': canaryYaml('newUser', 50, 50, changed),
      'fresh.yml': canaryYaml('fresh', 1, 0),
    });
    const run = await cli.run('plan');
    expect(run.code).toBe(3);
    expect(run.stdout).toBe(
      [
        '+ arn:aws:psarns:eu-west-1:123456789012:/event/fresh',
        '    targets live 1, canary 0',
        '    ttl 60',
        '    onFailure dlq',
        `~ ${PSARN}`,
        '    ttl 300→60',
        '    weight live 90→50, canary 10→50',
        '    stickyBy none→payload.userId',
        `    fanout +${AUDIT}`,
        '    parked: no→yes',
        '    onFailure park→dlq',
        '- arn:aws:psarns:eu-west-1:123456789012:/event/old',
        'Plan against release 1: 1 to add, 1 to change, 1 to remove.',
        '',
      ].join('\n'),
    );
  });

  it('prints JSON for machines', async () => {
    await cli.run('apply', '--yes');
    await cli.dir.write({ 'new-user.yml': canaryYaml('newUser', 50, 50) });
    const run = await cli.run('plan', '--json');
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout)).toEqual({
      release: 1,
      stage: 'dev',
      table: cli.table,
      counts: { added: 0, changed: 1, removed: 0 },
      changes: [{ psarn: PSARN, kind: 'changed', changes: ['weight live 90→50, canary 10→50'] }],
    });
  });

  it('exits 1 with the validator message on a broken route file', async () => {
    await cli.dir.write({ 'bad.yml': `${canaryYaml('newUser', 90, 10)}\nweigth: 3\n` });
    const run = await cli.run('plan');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/ROUTE_INVALID/);
  });
});
