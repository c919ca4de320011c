/**
 * A producer's stage picks its route table (and router): dev and prod tables route the same
 * psARN to different queues. The two tables carry the deployed names (psarn-dev-routes,
 * psarn-prod-routes), so they live in a dynalite of this file's own, beside the shared stack's
 * queues: other files use those names in the shared one.
 */
import { randomUUID } from 'node:crypto';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createPsarnClient, type PsarnClient } from '../../src/client';
import { startDynalite } from '../../src/local/dynalite';
import type { RunningEmulator } from '../../src/local/emulator';
import { createRouteTable } from '../../src/store/create-route-table';
import { DynamoReleaseStore } from '../../src/store/dynamo-release-store';
import { receiveAll, sqsClient } from '../support/stack';
import { psarnOf, route, split, sqsArn } from '../support/routes';

const run = randomUUID().slice(0, 8);
const P = psarnOf(`/stage/${run}/signup`);

describe('the client stage picks the route table', () => {
  let dynalite: RunningEmulator;
  let dynamo: DynamoDBClient;
  const urls: Record<string, string> = {};
  const clients: PsarnClient[] = [];
  // The shared stack's environment (PSARN_STAGE=local, PSARN_TABLE=psarn-local-routes) with this
  // file's dynalite: an explicit stage must beat both variables.
  const env = () => ({ ...process.env, AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint });
  const client = (options: Parameters<typeof createPsarnClient>[0]) => {
    const made = createPsarnClient(options);
    clients.push(made);
    return made;
  };

  beforeAll(async () => {
    dynalite = await startDynalite();
    dynamo = new DynamoDBClient({ endpoint: dynalite.endpoint });
    for (const stage of ['dev', 'prod']) {
      const queue = `stage-${run}-${stage}`;
      urls[stage] = (await sqsClient().send(new CreateQueueCommand({ QueueName: queue }))).QueueUrl as string;
      const table = `psarn-${stage}-routes`;
      await createRouteTable(dynamo, table);
      await new DynamoReleaseStore({ client: dynamo, tableName: table }).publishRelease(
        [route(`/stage/${run}/signup`, { targets: [split(sqsArn(queue), 1)] })],
        { by: 'test' },
      );
    }
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    dynamo.destroy();
    await dynalite.stop();
  });

  it.each(['dev', 'prod'])(
    'a %s client delivers to its stage target and looks the name up in its stage',
    async (stage) => {
      const other = stage === 'dev' ? 'prod' : 'dev';
      const c = client({ mode: 'direct', stage, env: env() });
      expect([c.table, c.routerFunction]).toEqual([`psarn-${stage}-routes`, `psarn-${stage}-router`]);
      const id = randomUUID();
      const report = await c.send(P, { id });
      expect(report).toMatchObject({
        deliveries: [{ target: sqsArn(`stage-${run}-${stage}`), status: 'delivered' }],
      });
      const here = await receiveAll(urls[stage] as string, {
        expected: 1,
        filter: (m) => m.Body?.includes(id) === true,
      });
      expect(here.map((m) => m.Body)).toEqual([JSON.stringify({ id })]);
      expect(
        await receiveAll(urls[other] as string, {
          timeoutMs: 500,
          filter: (m) => m.Body?.includes(id) === true,
        }),
      ).toEqual([]);
      // lookup and resolve answer from the same stage, in router mode too (they read the table).
      const lookup = await client({ mode: 'router', stage, env: env() }).lookup(`/stage/${run}/signup`);
      expect(lookup.split.map((s) => s.target)).toEqual([sqsArn(`stage-${run}-${stage}`)]);
      const plan = await c.resolve(P, { id });
      expect(plan.deliveries.map((d) => d.target)).toEqual([sqsArn(`stage-${run}-${stage}`)]);
    },
  );

  it('reads PSARN_TABLE when no stage is given, and the default stage is dev', async () => {
    const fromEnv = client({ mode: 'direct', env: { ...env(), PSARN_TABLE: 'psarn-prod-routes' } });
    expect(fromEnv.table).toBe('psarn-prod-routes');
    await expect(fromEnv.lookup(P)).resolves.toMatchObject({
      split: [{ target: sqsArn(`stage-${run}-prod`) }],
    });
    const bare: Record<string, string | undefined> = env();
    for (const name of ['PSARN_STAGE', 'PSARN_TABLE', 'PSARN_ROUTER_FUNCTION']) delete bare[name];
    const byDefault = client({ mode: 'direct', env: bare });
    expect([byDefault.stage, byDefault.table]).toEqual(['dev', 'psarn-dev-routes']);
    await expect(byDefault.lookup(P)).resolves.toMatchObject({
      split: [{ target: sqsArn(`stage-${run}-dev`) }],
    });
  });
});
