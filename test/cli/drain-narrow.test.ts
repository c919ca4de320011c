/**
 * A parked event re-driven whole whose fanout target is down: the targets that took it must never
 * get it again. The drain writes one kept copy per missing copy back to the holding queue (in the
 * router's failed-copy form) and deletes the original; only when those writes fail does the
 * original stay. Real queues (fauxqs) and route table (dynalite); a "down" target is a queue that
 * does not exist yet, a failing write a holding queue whose MaximumMessageSize the copy exceeds.
 */
import { randomUUID } from 'node:crypto';
import {
  ChangeMessageVisibilityBatchCommand,
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { main } from '../../src/cli/main';
import { createRouteTable } from '../../src/store/create-route-table';
import { DynamoReleaseStore } from '../../src/store/dynamo-release-store';
import { dynamoClient, queueDepth, receiveAll, sqsClient } from '../support/stack';
import { captureIo } from '../support/cli';
import { route, split, sqsArn, target } from '../support/routes';

const run = randomUUID().slice(0, 8);
const name = (what: string) => `narrow-${run}-${what}`;
const tableName = name('routes');
const dynamo = dynamoClient();
const releases = new DynamoReleaseStore({ client: dynamo, tableName });

async function createQueue(
  what: string,
  options: { fifo?: boolean; attributes?: Record<string, string> } = {},
): Promise<{ arn: string; url: string }> {
  const queueName = name(what) + (options.fifo === true ? '.fifo' : '');
  const out = await sqsClient().send(
    new CreateQueueCommand({
      QueueName: queueName,
      Attributes: { ...(options.fifo === true ? { FifoQueue: 'true' } : {}), ...options.attributes },
    }),
  );
  return { arn: sqsArn(queueName), url: out.QueueUrl as string };
}

const strings = (values: Record<string, string>) =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]));
const attr = (m: Message, key: string) => m.MessageAttributes?.[key]?.StringValue;
const attributesOf = (m: Message) =>
  Object.fromEntries(Object.keys(m.MessageAttributes ?? {}).map((k) => [k, attr(m, k)]));

/** Every message of a queue, left in it (received, then made visible again at once). */
async function peek(url: string): Promise<Message[]> {
  const out = await sqsClient().send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 30,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }),
  );
  const messages = out.Messages ?? [];
  if (messages.length > 0) {
    await sqsClient().send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: messages.map((m, i) => ({
          Id: String(i),
          ReceiptHandle: m.ReceiptHandle,
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
  return messages;
}

async function drain(...args: string[]): Promise<{ code: number; out: string }> {
  const io = captureIo();
  const code = await main(['drain', ...args, '--table', tableName], io);
  return { code, out: io.out() };
}

beforeAll(async () => {
  await createRouteTable(dynamo, tableName);
});

describe('psarn drain of a parked event that reaches only some targets', () => {
  it('keeps only the missing copy, so the next drain sends it to that target alone', async () => {
    const [dest, holding] = await Promise.all([createQueue('dest'), createQueue('hold')]);
    const audit = name('audit'); // not created yet: the fanout target is down
    const r = route(`/narrow/${run}/fan`, {
      targets: [split(dest.arn, 1)],
      fanout: [target(sqsArn(audit))],
      park: { queue: holding.arn, enabled: false },
      onFailure: 'park',
    });
    await releases.publishRelease([r], { by: 'test' });
    // The router's form of an event parked while its route was parked.
    const parked = {
      psarn: r.psarn,
      'psarn-route-version': '1',
      'psarn-trace-id': `trace-${run}`,
      'psarn-event-id': `event-${run}`,
      'psarn-headers': '{"tenant":"t1"}',
      'psarn-park-reason': 'route-parked',
      'psarn-route': r.psarn,
    };
    await sqsClient().send(
      new SendMessageCommand({
        QueueUrl: holding.url,
        MessageBody: '{"order":1}',
        MessageAttributes: strings(parked),
      }),
    );

    const first = await drain(r.psarn, '--json');
    expect(first.code).toBe(1);
    expect((await receiveAll(dest.url, { expected: 1 })).map((m) => m.Body)).toEqual(['{"order":1}']);
    // The holding queue now holds the missing copy only, as the router would have parked it.
    const kept = await peek(holding.url);
    expect(kept).toHaveLength(1);
    const [copy] = kept as [Message];
    expect(copy.Body).toBe('{"order":1}');
    expect(attributesOf(copy)).toEqual({
      psarn: r.psarn,
      'psarn-route-version': '1',
      'psarn-trace-id': `trace-${run}`,
      'psarn-event-id': `event-${run}`,
      'psarn-headers': '{"tenant":"t1"}',
      'psarn-park-reason': 'target-failed',
      'psarn-role': expect.stringMatching(/^fanout /),
      'psarn-route': r.psarn,
      'psarn-target': sqsArn(audit),
      'psarn-error': expect.stringMatching(/^TARGET_FAILED: delivery to .*audit failed/) as unknown as string,
    });

    // The target is back: the next drain sends the event to it, and to nobody else.
    const auditQueue = await createQueue('audit');
    const second = await drain(r.psarn, '--json');
    expect(second.code).toBe(0);
    expect(JSON.parse(second.out)).toMatchObject({ done: 1, delivered: 1, failed: 0 });
    expect((await receiveAll(auditQueue.url, { expected: 1 })).map((m) => m.Body)).toEqual(['{"order":1}']);
    expect(await receiveAll(dest.url, { timeoutMs: 500 })).toEqual([]);
    expect(await queueDepth(holding.url)).toBe(0);

    expect(JSON.parse(first.out)).toMatchObject({
      done: 1,
      delivered: 0,
      failed: 1,
      partlyDelivered: 1,
      keptCopies: 1,
      notNarrowed: 0,
    });
  });

  it('keeps each missing copy of a FIFO holding queue in the original group, none deduplicating another', async () => {
    const [dest, holding] = await Promise.all([createQueue('fdest'), createQueue('fhold', { fifo: true })]);
    const [down1, down2] = [sqsArn(name('down1')), sqsArn(name('down2'))];
    const r = route(`/narrow/${run}/fifo`, {
      targets: [split(dest.arn, 1)],
      fanout: [target(down1), target(down2)],
      park: { queue: holding.arn, enabled: false, groupBy: 'psarn' },
      onFailure: 'park',
    });
    await releases.publishRelease([r], { by: 'test' });
    await sqsClient().send(
      new SendMessageCommand({
        QueueUrl: holding.url,
        MessageBody: '{"order":2}',
        MessageGroupId: r.psarn,
        MessageDeduplicationId: `parked-${run}`,
        MessageAttributes: strings({
          psarn: r.psarn,
          'psarn-trace-id': `ftrace-${run}`,
          'psarn-park-reason': 'route-parked',
          'psarn-route': r.psarn,
        }),
      }),
    );

    const { code, out } = await drain(r.psarn, '--json');
    expect(code).toBe(1);
    expect((await receiveAll(dest.url, { expected: 1 })).map((m) => m.Body)).toEqual(['{"order":2}']);
    // One group, received one message at a time: both copies are there, in the original's group.
    const kept: Message[] = [];
    for (let i = 0; i < 3 && kept.length < 2; i++)
      kept.push(...(await receiveAll(holding.url, { timeoutMs: 500 })));
    expect(kept.map((m) => attr(m, 'psarn-target')).sort()).toEqual([down1, down2].sort());
    expect(kept.map((m) => m.Attributes?.MessageGroupId)).toEqual([r.psarn, r.psarn]);
    expect(kept.map((m) => attr(m, 'psarn-park-reason'))).toEqual(['target-failed', 'target-failed']);
    expect(JSON.parse(out)).toMatchObject({ failed: 1, partlyDelivered: 1, keptCopies: 2 });
  });

  it('leaves the original whole, and says so, when its missing copies cannot be written back', async () => {
    const dest = await createQueue('wdest');
    // The smallest queue SQS allows: the original fits, a kept copy (its error and target too) does not.
    const holding = await createQueue('whold', { attributes: { MaximumMessageSize: '1024' } });
    const r = route(`/narrow/${run}/write`, {
      targets: [split(dest.arn, 1)],
      fanout: [target(sqsArn(name('gone')))],
      park: { queue: holding.arn, enabled: false },
      onFailure: 'park',
    });
    await releases.publishRelease([r], { by: 'test' });
    const body = JSON.stringify({ pad: 'x'.repeat(700) });
    await sqsClient().send(
      new SendMessageCommand({
        QueueUrl: holding.url,
        MessageBody: body,
        MessageAttributes: strings({
          psarn: r.psarn,
          'psarn-park-reason': 'route-parked',
          'psarn-route': r.psarn,
        }),
      }),
    );

    const { code, out } = await drain(r.psarn);
    expect(code).toBe(1);
    expect(out).toContain(
      '1 failed message(s) had reached some targets, but their missing copies could not be written back',
    );
    expect(out).toContain('the originals stay whole');
    const left = await receiveAll(holding.url, { timeoutMs: 1000 });
    expect(left.map((m) => [m.Body, attr(m, 'psarn-park-reason')])).toEqual([[body, 'route-parked']]);
  });
});
