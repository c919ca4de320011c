/**
 * FIFO holding queues on the local stack: parked events keep their order through `psarn drain`,
 * and a drain stops at the first failure rather than deliver out of order.
 */
import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, DeleteQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
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
import type { Message } from '@aws-sdk/client-sqs';

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

  it("will not report success while another route's message blocks a shared group; that route's drain frees it", async () => {
    const [destA, destB, shared] = await Promise.all([
      fifoQueue('dest-a'),
      fifoQueue('dest-b'),
      fifoQueue('shared'),
    ]);
    // Two routes park into one FIFO queue, grouped by tenant: their events share a group.
    const park = { queue: shared.arn, enabled: false, groupBy: 'payload.tenant' };
    const a = route(`/fifo/${run}/a`, {
      targets: [split(destA.arn, 1, { groupBy: 'payload.tenant' })],
      park,
    });
    const b = route(`/fifo/${run}/b`, {
      targets: [split(destB.arn, 1, { groupBy: 'payload.tenant' })],
      park,
    });
    await releases.publishRelease([a, b], { by: 'test' });
    const keep = async (owner: Route, n: string, tenant: string) => {
      await sqsClient().send(
        new SendMessageCommand({
          QueueUrl: shared.url,
          MessageBody: JSON.stringify({ n, tenant }),
          MessageGroupId: tenant,
          MessageDeduplicationId: `${run}-${n}`,
          MessageAttributes: Object.fromEntries(
            Object.entries({
              psarn: owner.psarn,
              'psarn-route': owner.psarn,
              'psarn-park-reason': 'route-parked',
              'psarn-trace-id': `${run}-${n}`,
            }).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
          ),
        }),
      );
    };
    await keep(a, 'a1', 't1');
    await keep(b, 'b1', 't1');
    await keep(a, 'a2', 't1');
    await keep(a, 'a3', 't2');
    const ns = (messages: Message[]) =>
      messages.map((m) => (JSON.parse(m.Body as string) as { n: string }).n);
    const drain = async (r: Route) => {
      const io = captureIo();
      const code = await main(['drain', r.psarn, '--table', tableName, '--json'], io);
      return { code, summary: JSON.parse(io.out()) as Record<string, unknown> };
    };

    // a2 waits behind b1 in group t1: A's drain delivers what it can reach, then says it stopped.
    const first = await drain(a);
    expect(first.summary['stoppedBecause']).toMatch(/1 message\(s\) in the queue did not reach this drain/);
    expect(first.code).toBe(1);
    expect(first.summary).toMatchObject({ delivered: 2, skipped: 1, skippedBy: { 'other-route': 1 } });
    expect(ns(await receiveAll(destA.url, { expected: 2 })).sort()).toEqual(['a1', 'a3']);

    // B's drain, right after, finds b1 visible; then A's reaches a2, and both queues are done.
    expect((await drain(b)).summary).toMatchObject({ delivered: 1 });
    expect(ns(await receiveAll(destB.url, { expected: 1 }))).toEqual(['b1']);
    const last = await drain(a);
    expect(last).toMatchObject({ code: 0, summary: { delivered: 1, skipped: 0 } });
    expect(ns(await receiveAll(destA.url, { expected: 1 }))).toEqual(['a2']);
    expect(await queueDepth(shared.url)).toBe(0);
  });
});
