/**
 * `psarn drain` re-drives a kept copy only through the route it belongs to: a holding queue
 * shared by two routes, and a copy that failed inside an aliased route.
 */
import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { main } from '../../src/cli/main';
import { createRouteTable } from '../../src/store/create-route-table';
import { DynamoReleaseStore } from '../../src/store/dynamo-release-store';
import { dynamoClient, receiveAll, sqsClient } from '../support/stack';
import { captureIo } from '../support/cli';
import { route, split, sqsArn, target } from '../support/routes';

const run = randomUUID().slice(0, 8);
const name = (what: string) => `own-${run}-${what}`;
const tableName = name('routes');
const dynamo = dynamoClient();

async function createQueue(what: string): Promise<{ arn: string; url: string }> {
  const out = await sqsClient().send(new CreateQueueCommand({ QueueName: name(what) }));
  return { arn: sqsArn(name(what)), url: out.QueueUrl as string };
}

async function keep(url: string, body: string, attributes: Record<string, string>): Promise<void> {
  await sqsClient().send(
    new SendMessageCommand({
      QueueUrl: url,
      MessageBody: body,
      MessageAttributes: Object.fromEntries(
        Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
      ),
    }),
  );
}

async function drain(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo();
  const code = await main(['drain', ...args, '--table', tableName, '--json'], io);
  return { code, out: io.out(), err: io.err() };
}

beforeAll(async () => {
  await createRouteTable(dynamo, tableName);
});

describe('psarn drain and who owns a kept copy', () => {
  it("leaves another route's events in a shared holding queue", async () => {
    const [a, b, shared] = await Promise.all([createQueue('a'), createQueue('b'), createQueue('shared')]);
    const ra = route(`/own/${run}/a`, {
      targets: [split(a.arn, 1)],
      park: { queue: shared.arn, enabled: false },
    });
    const rb = route(`/own/${run}/b`, {
      targets: [split(b.arn, 1)],
      park: { queue: shared.arn, enabled: false },
    });
    await new DynamoReleaseStore({ client: dynamo, tableName }).publishRelease([ra, rb], { by: 'test' });
    await keep(shared.url, '{"for":"a"}', {
      psarn: ra.psarn,
      'psarn-route': ra.psarn,
      'psarn-park-reason': 'route-parked',
    });
    await keep(shared.url, '{"for":"b"}', {
      psarn: rb.psarn,
      'psarn-route': rb.psarn,
      'psarn-park-reason': 'route-parked',
    });

    const result = await drain(ra.psarn);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toMatchObject({
      delivered: 1,
      skipped: 1,
      skippedBy: { 'other-route': 1 },
    });
    expect((await receiveAll(a.url, { expected: 1 })).map((m) => m.Body)).toEqual(['{"for":"a"}']);
    expect((await receiveAll(shared.url, { expected: 1 })).map((m) => m.Body)).toEqual(['{"for":"b"}']);
    expect(await receiveAll(b.url, { timeoutMs: 300 })).toEqual([]);
  });

  it('sends a copy that failed inside an aliased route back to that route only', async () => {
    const [own, aliased, dlq] = await Promise.all([
      createQueue('own'),
      createQueue('aliased'),
      createQueue('dlq'),
    ]);
    const inner = route(`/own/${run}/inner`, { targets: [split(aliased.arn, 1)] });
    const outer = route(`/own/${run}/outer`, { targets: [split(own.arn, 1)], fanout: [target(inner.psarn)] });
    await new DynamoReleaseStore({ client: dynamo, tableName }).publishRelease([inner, outer], {
      by: 'test',
    });
    // The outer route's own split was delivered; the aliased route's split target failed.
    await keep(dlq.url, '{"n":1}', {
      psarn: outer.psarn,
      'psarn-route': inner.psarn,
      'psarn-park-reason': 'target-failed',
      'psarn-role': 'split',
      'psarn-target': aliased.arn,
    });

    const result = await drain(outer.psarn, '--dlq', '--dlq-arn', dlq.arn);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toMatchObject({ delivered: 1, skipped: 0 });
    expect((await receiveAll(aliased.url, { expected: 1 })).map((m) => m.Body)).toEqual(['{"n":1}']);
    expect(await receiveAll(own.url, { timeoutMs: 300 })).toEqual([]);
  });

  it('says why it skipped each message it left in the queue', async () => {
    const [a, shared] = await Promise.all([createQueue('why-a'), createQueue('why-shared')]);
    const ra = route(`/own/${run}/why-a`, {
      targets: [split(a.arn, 1)],
      park: { queue: shared.arn, enabled: false },
    });
    const rb = route(`/own/${run}/why-b`, {
      targets: [split(a.arn, 1)],
      park: { queue: shared.arn, enabled: false },
    });
    await new DynamoReleaseStore({ client: dynamo, tableName }).publishRelease([ra, rb], { by: 'test' });
    await keep(shared.url, '{"for":"b"}', {
      psarn: rb.psarn,
      'psarn-route': rb.psarn,
      'psarn-park-reason': 'route-parked',
    });
    await keep(shared.url, 'not json', {
      psarn: ra.psarn,
      'psarn-route': ra.psarn,
      'psarn-park-reason': 'route-parked',
    });
    await keep(shared.url, '{"for":"a"}', {
      psarn: ra.psarn,
      'psarn-route': ra.psarn,
      'psarn-park-reason': 'route-parked',
    });

    const io = captureIo();
    expect(await main(['drain', ra.psarn, '--table', tableName], io)).toBe(0);
    expect(io.out()).toMatch(
      /1 delivered, 0 failed \(left in the queue\), 2 skipped \((1 another route's, 1 body not JSON|1 body not JSON, 1 another route's)\)\n$/,
    );
    expect((await receiveAll(shared.url, { expected: 2 })).map((m) => m.Body).sort()).toEqual([
      'not json',
      '{"for":"b"}',
    ]);
  });
});
