import { DynamoRouteStore } from '../../src/store/dynamo-route-store';
import { useCliFixture } from '../control/cli-harness';

const cli = useCliFixture();

describe('psarn flush', () => {
  it('bumps the epoch and keeps the live release', async () => {
    await cli.run('apply', '--yes');
    const first = await cli.run('flush');
    expect(first).toEqual({
      code: 0,
      stderr: '',
      stdout: 'epoch 1: routers drop their cached routes within epochCheckSeconds (release 1 stays live)\n',
    });
    const second = await cli.run('flush', '--json');
    expect(JSON.parse(second.stdout)).toEqual({ epoch: 2, release: 1 });
    const store = new DynamoRouteStore({ client: cli.local.client, tableName: cli.table });
    expect(await store.readControl()).toMatchObject({ release: 1, epoch: 2, updatedBy: 'tester@ci' });
  });

  it('works on a table with no release, and apply still commits release 1 after it', async () => {
    expect((await cli.run('flush')).stdout).toMatch(/^epoch 1: .*release 0 stays live/);
    expect((await cli.run('apply', '--yes')).stdout).toMatch(/release 1: 1 added/);
  });
});
