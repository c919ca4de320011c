/**
 * FIFO holding queues on the local stack: parked events keep their order through `psarn drain`,
 * and a drain stops at the first failure rather than deliver out of order.
 */
import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, DeleteQueueCommand } from '@aws-sdk/client-sqs';
import { main } from '../../src/cli/main';
import { createRouter } from '../../src/router/wiring';
import { respond } from '../../src/router/respond';
import { createForwarders } from '../../src/targets/registry';
import { createRouteTable } from '../../src/store/create-route-table';
import { DynamoReleaseStore } from '../../src/store/dynamo-release-store';
import type { Route } from '../../src/routes/model';
import { dynamoClient, queueDepth, receiveAll, sqsClient } from '../support/stack';
import { captureIo } from '../support/cli';
import { route, split, sqsArn } from '../support/routes';

const run = randomUUID().slice(0, 8);
const tableName = `fifo-${run}-routes`;
const dynamo = dynamoClient();
const releases = new DynamoReleaseStore({ client: dynamo, tableName });
const quiet = { accepted: () => undefined, rejected: () => undefined, unsecured: () => undefined };

async function fifoQueue(what: string): Promise<{ arn: string; url: string }> {
  const name = `fifo-${run}-${what}.fifo`;
  const out = await sqsClient().send(
    new CreateQueueCommand({ QueueName: name, Attributes: { FifoQueue: 'true' } }),
  );
  return { arn: sqsArn(name), url: out.QueueUrl as string };
}

async function park(r: Route, count: number): Promise<void> {
  await releases.publishRelease([r], { by: 'test' });
  const { router } = createRouter(
    { tableName, epochCheckSeconds: 60, maxStaleSeconds: 60, negativeTtlSeconds: 1 },
    { dynamo, forwarders: createForwarders().forwarderFor },
  );
  for (let n = 0; n < count; n++) {
    await respond(
      router,
      { kind: 'direct', event: { psarn: r.psarn, payload: { n, c: 'same' }, headers: {} } },
      quiet,
    );
  }
}

beforeAll(async () => {
  await createRouteTable(dynamo, tableName);
});

describe('psarn drain with a FIFO holding queue', () => {
  it('delivers parked events in the order they were parked', async () => {
    const [dest, holding] = await Promise.all([fifoQueue('dest'), fifoQueue('hold')]);
    const ordered = route(`/fifo/${run}/ordered`, {
      targets: [split(dest.arn, 1, { groupBy: 'payload.c' })],
      park: { queue: holding.arn, enabled: true, groupBy: 'psarn' },
      onFailure: 'park',
    });
    await park(ordered, 20);
    await releases.publishRelease(
      [{ ...ordered, park: { queue: holding.arn, enabled: false, groupBy: 'psarn' } }],
      { by: 'test' },
    );

    const io = captureIo();
    expect(await main(['drain', ordered.psarn, '--table', tableName], io)).toBe(0);
    expect(io.out()).toContain('20 delivered, 0 failed');
    const received = await receiveAll(dest.url, { expected: 20, timeoutMs: 5_000 });
    expect(received.map((m) => (JSON.parse(m.Body as string) as { n: number }).n)).toEqual(
      Array.from({ length: 20 }, (_, n) => n),
    );
    expect(await queueDepth(holding.url)).toBe(0);
  });

  it('stops at the first failure, keeping that event and the ones after it', async () => {
    const [doomed, holding] = await Promise.all([fifoQueue('doomed'), fifoQueue('hold2')]);
    const failing = route(`/fifo/${run}/failing`, {
      targets: [split(doomed.arn, 1, { groupBy: 'payload.c' })],
      park: { queue: holding.arn, enabled: true, groupBy: 'psarn' },
      onFailure: 'park',
    });
    await park(failing, 3);
    await releases.publishRelease(
      [{ ...failing, park: { queue: holding.arn, enabled: false, groupBy: 'psarn' } }],
      { by: 'test' },
    );
    await sqsClient().send(new DeleteQueueCommand({ QueueUrl: doomed.url }));

    const io = captureIo();
    expect(await main(['drain', failing.psarn, '--table', tableName], io)).toBe(1);
    expect(io.out()).toMatch(/0 delivered, 1 failed/);
    expect(io.out()).toContain('stopped to keep the FIFO order');
    expect(await queueDepth(holding.url)).toBe(3);
  });
});
