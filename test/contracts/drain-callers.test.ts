/**
 * `psarn drain` of copies kept for a caller override, against fauxqs: the copy's `psarn-caller`
 * header travels in `psarn-headers`, so the drain re-plans it for the same caller; and a copy
 * parked as payload-invalid is re-planned whole.
 */
import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { drainQueue } from '../../src/delivery/drain';
import { DeliveryEngine } from '../../src/delivery/engine';
import { planDelivery } from '../../src/routing/planner';
import { createAwsClients } from '../../src/targets/clients';
import { createForwarders } from '../../src/targets/registry';
import { receiveAll, sqsClient } from '../support/stack';
import { route, split, sqsArn } from '../support/routes';

const run = randomUUID().slice(0, 8);
async function createQueue(what: string): Promise<{ arn: string; url: string }> {
  const name = `dc-${run}-${what}`;
  const out = await sqsClient().send(new CreateQueueCommand({ QueueName: name }));
  return { arn: sqsArn(name), url: out.QueueUrl as string };
}

it('drains kept copies to the targets of the caller they were sent by', async () => {
  const [green, blue, holding] = await Promise.all([
    createQueue('green'),
    createQueue('blue'),
    createQueue('holding'),
  ]);
  const r = route(`/dc/${run}`, {
    targets: [split(green.arn, 1)],
    callers: [{ match: { labels: { deployment: 'blue' } }, targets: [split(blue.arn, 1)] }],
    park: { queue: holding.arn, enabled: false },
    onFailure: 'park',
  });
  const keep = (body: string, reason: string, caller?: string) =>
    sqsClient().send(
      new SendMessageCommand({
        QueueUrl: holding.url,
        MessageBody: body,
        MessageAttributes: {
          psarn: { DataType: 'String', StringValue: r.psarn },
          'psarn-park-reason': { DataType: 'String', StringValue: reason },
          'psarn-event-id': { DataType: 'String', StringValue: randomUUID() },
          ...(caller === undefined
            ? {}
            : {
                'psarn-headers': {
                  DataType: 'String',
                  StringValue: JSON.stringify({ 'psarn-caller': caller }),
                },
              }),
        },
      }),
    );
  await keep('{"n":"blue-parked"}', 'route-parked', '{"labels":{"deployment":"blue"}}');
  await keep('{"n":"blue-invalid"}', 'payload-invalid', '{"labels":{"deployment":"blue"}}');
  await keep('{"n":"green"}', 'route-parked');

  const clients = createAwsClients(process.env);
  const forwarders = createForwarders({ clients }).forwarderFor;
  const summary = await drainQueue({
    sqs: sqsClient(),
    queueUrl: holding.url,
    queue: { arn: holding.arn, kind: 'sqs' },
    fifo: false,
    route: r,
    routeVersion: 1,
    lookup: () => undefined,
    engine: new DeliveryEngine({ forwarders, secureFailures: false }),
    forwarders,
    plan: planDelivery,
  });
  expect(summary).toMatchObject({ total: 3, delivered: 3, failed: 0 });
  const bodies = async (url: string, n: number) =>
    (await receiveAll(url, { expected: n, timeoutMs: 5_000 })).map((m) => m.Body).sort();
  expect(await bodies(blue.url, 2)).toEqual(['{"n":"blue-invalid"}', '{"n":"blue-parked"}']);
  expect(await bodies(green.url, 1)).toEqual(['{"n":"green"}']);
});
