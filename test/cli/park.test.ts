import { DynamoRouteStore } from '../../src/store/dynamo-route-store';
import { canaryYaml, useCliFixture } from '../control/cli-harness';

const PSARN = 'arn:aws:psarns:eu-west-1:123456789012:/event/newUser';
const HOLD = 'arn:aws:sqs:eu-west-1:123456789012:newUser-holding';
const cli = useCliFixture();

async function parked(): Promise<boolean | undefined> {
  const store = new DynamoRouteStore({ client: cli.local.client, tableName: cli.table });
  const { release } = await store.readControl();
  return (await store.getRoute(PSARN, release))?.route.park?.enabled;
}

describe('psarn park / unpark', () => {
  beforeEach(async () => {
    await cli.dir.write({
      'new-user.yml': canaryYaml('newUser', 90, 10, `park:\n  queue: ${HOLD}\n  enabled: false\n`),
      'other.yml': canaryYaml('other', 1, 1),
    });
    await cli.run('apply', '--yes');
  });

  it('parks the live route in a one-line release and unparks it again', async () => {
    const park = await cli.run('park', PSARN);
    expect(park).toEqual({
      code: 0,
      stderr: '',
      stdout: `~ ${PSARN}\n    parked: no→yes\nrelease 2: 0 added, 1 changed, 0 removed\n`,
    });
    expect(await parked()).toBe(true);
    const unpark = await cli.run('unpark', PSARN, '--json');
    expect(JSON.parse(unpark.stdout)).toEqual({ release: 3, added: [], changed: [PSARN], removed: [] });
    expect(await parked()).toBe(false);
    const history = JSON.parse((await cli.run('history', '--json')).stdout) as {
      releases: { summary: string }[];
    };
    expect(history.releases.map((r) => r.summary)).toEqual([
      '2 added, 0 changed, 0 removed',
      `park ${PSARN}`,
      `unpark ${PSARN}`,
    ]);
  });

  it('shows the park as drift in the next plan', async () => {
    await cli.run('park', PSARN);
    const plan = await cli.run('plan');
    expect(plan.code).toBe(3);
    expect(plan.stdout).toContain('    parked: yes→no\n');
  });

  it('does nothing when the route is already in that state', async () => {
    expect((await cli.run('unpark', PSARN)).stdout).toBe(
      `${PSARN} is already unparked in release 1: nothing to do\n`,
    );
  });

  it('refuses a route without a park queue, and an unknown psARN', async () => {
    const other = 'arn:aws:psarns:eu-west-1:123456789012:/event/other';
    const run = await cli.run('park', other);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `error [NOT_PARKABLE]: route ${other} has no park queue; add park.queue to its route file first\n`,
    );
    const unknown = await cli.run('park', 'arn:aws:psarns:eu-west-1:123456789012:/event/nope');
    expect(unknown.stderr).toMatch(
      /^error \[ROUTE_NOT_FOUND\]: no route for .*\/event\/nope in the live release\n$/,
    );
  });
});
