/**
 * Failures fauxqs cannot produce: a DeleteMessageBatch that refuses an entry. The drain must not
 * count that message as gone (it will come back), so the operator is told.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { drainQueue } from '../../src/delivery/drain';
import { DeliveryEngine } from '../../src/delivery/engine';
import { planDelivery } from '../../src/routing/planner';
import { RecordingForwarders } from '../support/recording-forwarders';
import { route, split, sqsArn } from '../support/routes';

function fakeSqs(messages: { MessageId: string; Body: string }[]): SQSClient {
  let served = false;
  const client = {
    send: async (command: { constructor: { name: string }; input: unknown }) => {
      switch (command.constructor.name) {
        case 'GetQueueAttributesCommand':
          return { Attributes: { ApproximateNumberOfMessages: String(messages.length) } };
        case 'ReceiveMessageCommand':
          if (served) return { Messages: [] };
          served = true;
          return { Messages: messages.map((m) => ({ ...m, ReceiptHandle: `rh-${m.MessageId}` })) };
        case 'DeleteMessageBatchCommand':
          return {
            Successful: [{ Id: '0' }],
            Failed: [{ Id: '1', Code: 'ReceiptHandleIsInvalid', SenderFault: true }],
          };
        default:
          return {};
      }
    },
  };
  return client as unknown as SQSClient;
}

describe('drainQueue', () => {
  it('reports delivered messages whose delete failed, instead of counting them gone', async () => {
    const r = route('/drain/unit', { targets: [split(sqsArn('dest'), 1)] });
    const fw = new RecordingForwarders();
    const summary = await drainQueue({
      sqs: fakeSqs([
        { MessageId: 'a', Body: '{"n":1}' },
        { MessageId: 'b', Body: '{"n":2}' },
      ]),
      queueUrl: 'http://q',
      queue: { arn: sqsArn('holding'), kind: 'sqs' },
      fifo: false,
      route: r,
      routeVersion: 1,
      lookup: () => undefined,
      engine: new DeliveryEngine({ forwarders: fw.lookup, secureFailures: false }),
      forwarders: fw.lookup,
      plan: planDelivery,
    });
    expect(summary).toMatchObject({ total: 2, done: 2, delivered: 2, failed: 0, notDeleted: 1 });
    expect(fw.to(sqsArn('dest')).map((m) => m.body)).toEqual(['{"n":1}', '{"n":2}']);
  });
});
