/**
 * Client-side discovery against the local stack: the producer resolves the route from the real
 * route table and sends to the real queue and function itself, with no router hop.
 */
import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DirectClient } from '../../src/client/direct-client';
import { createAwsClients } from '../../src/targets/clients';
import { createRouteTable } from '../../src/store/create-route-table';
import { DynamoReleaseStore } from '../../src/store/dynamo-release-store';
import { dynamoClient, receiveAll, sqsClient, waitForRecords } from '../support/stack';
import { lambdaArn, psarnOf, route, split, sqsArn, target } from '../support/routes';

const run = randomUUID().slice(0, 8);
const tableName = `direct-${run}-routes`;

describe('DirectClient (client-side discovery)', () => {
  const clients = createAwsClients();
  let client: DirectClient;
  let queueUrl: string;
  const queueName = `direct-${run}-q`;
  const toQueue = route(`/direct/${run}/queue`, {
    targets: [split(sqsArn(queueName), 1)],
    fanout: [target(lambdaArn('psarn-local-signupV1'))],
  });
  const toFunction = route(`/direct/${run}/fn`, { targets: [split(lambdaArn('psarn-local-signupV1'), 1)] });
  const alias = route(`/direct/${run}/alias`, { targets: [split(toQueue.psarn, 1)] });

  beforeAll(async () => {
    await createRouteTable(dynamoClient(), tableName);
    queueUrl = (await sqsClient().send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl as string;
    await new DynamoReleaseStore({ client: dynamoClient(), tableName }).publishRelease(
      [toQueue, toFunction, alias],
      { by: 'test' },
    );
    client = new DirectClient({ clients, tableName });
  });

  it('delivers to the route targets itself and reports like the router', async () => {
    const id = randomUUID();
    const report = await client.send(alias.psarn, { id }, { headers: { tenant: 'acme' } });
    expect(report).toMatchObject({
      psarn: alias.psarn,
      routeVersion: 1,
      deliveries: [
        { target: sqsArn(queueName), role: 'split', status: 'delivered' },
        { target: lambdaArn('psarn-local-signupV1'), role: 'fanout', status: 'delivered' },
      ],
    });
    const [message] = await receiveAll(queueUrl, { expected: 1 });
    expect(message?.Body).toBe(JSON.stringify({ id }));
    expect(message?.MessageAttributes?.['psarn-headers']?.StringValue).toBe('{"tenant":"acme","psarn-hops":"1"}');
    await waitForRecords('signupV1', (r) => JSON.stringify(r.event).includes(id));
  });

  it("returns a single function target's response unchanged", async () => {
    const id = randomUUID();
    await expect(client.send(toFunction.psarn, { id })).resolves.toEqual({
      ok: true,
      function: 'psarn-local-signupV1',
      received: { id },
    });
  });

  it('resolves a route from its cache after the first lookup, and throws typed errors', async () => {
    expect((await client.resolve(toQueue.psarn)).route).toEqual(toQueue);
    const reads = client.stats.storeReads;
    await client.resolve(toQueue.psarn);
    expect(client.stats.storeReads).toBe(reads);
    await expect(client.send(psarnOf(`/direct/${run}/missing`), {})).rejects.toMatchObject({
      code: 'ROUTE_NOT_FOUND',
    });
  });

  // Defect 10: DirectClient used home-region clients, so an event for a queue in another region
  // landed in a same-named queue of the home region (fauxqs keeps queues per region).
  it('sends a target in another region to that region, not to a same-named queue at home', async () => {
    const name = `direct-${run}-regional`;
    const away = new SQSClient({ region: 'us-east-2', useQueueUrlAsEndpoint: false });
    const awayUrl = (await away.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl as string;
    const homeUrl = (await sqsClient().send(new CreateQueueCommand({ QueueName: name }))).QueueUrl as string;
    const regional = route(`/direct/${run}/regional`, {
      targets: [split(`arn:aws:sqs:us-east-2:000000000000:${name}`, 1)],
    });
    await new DynamoReleaseStore({ client: dynamoClient(), tableName }).publishRelease(
      [toQueue, toFunction, alias, regional],
      {
        by: 'test',
      },
    );
    const fresh = new DirectClient({ clients, tableName, epochCheckSeconds: 0 });
    const id = randomUUID();
    await fresh.send(regional.psarn, { id });
    const there = await receiveAllWith(away, awayUrl);
    expect(there.map((m) => m.Body)).toEqual([JSON.stringify({ id })]);
    expect(await receiveAll(homeUrl, { expected: 1, timeoutMs: 1500 })).toEqual([]);
    away.destroy();
  });
});

async function receiveAllWith(client: SQSClient, url: string) {
  const out = await client.send(
    new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 2 }),
  );
  return out.Messages ?? [];
}
