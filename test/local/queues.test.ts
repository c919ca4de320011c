import { randomUUID } from 'node:crypto';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { LOCAL_QUEUES } from '../../src/local/demo-resources';
import { queueUrl, receiveAll, sqsClient } from '../support/stack';

// The holding queues are drained whole by the end-to-end tests (psarn drain takes every message),
// which may run at the same time on the other jest worker: leave them out here.
const PROBED = LOCAL_QUEUES.filter((q) => !q.name.endsWith('-holding'));

describe('the local stack queues (fauxqs)', () => {
  it.each(PROBED.map((q) => [q.name, q.attributes?.FifoQueue === 'true'] as const))(
    'delivers a message sent to %s',
    async (name, fifo) => {
      const url = await queueUrl(name);
      const body = JSON.stringify({ test: 'queues', id: randomUUID(), text: 'héllo ✓' });
      await sqsClient().send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: body,
          ...(fifo ? { MessageGroupId: 'g1', MessageDeduplicationId: randomUUID() } : {}),
        }),
      );
      const got = await receiveAll(url, { expected: 1, filter: (m) => m.Body === body });
      expect(got.map((m) => m.Body)).toEqual([body]);
    },
  );

  it('names queues with the sqs.<region>.localhost host and account 000000000000', async () => {
    const url = await queueUrl('orders');
    expect(url).toMatch(/^http:\/\/sqs\.us-east-1\.localhost:\d+\/000000000000\/psarn-local-orders$/);
    expect(url).toContain(`:${new URL(process.env.AWS_ENDPOINT_URL_SQS ?? '').port}/`);
  });

  it('rejects a FIFO message without a deduplication id, since content-based dedup is off', async () => {
    const url = await queueUrl('orders.fifo');
    await expect(
      sqsClient().send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g1' })),
    ).rejects.toThrow(/dedup/i);
  });
});
