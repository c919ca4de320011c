import { randomUUID } from 'node:crypto';
import { CreateTopicCommand, DeleteTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { createAwsClients } from '../../src/targets/clients';
import { SnsForwarder } from '../../src/targets/sns';
import { forwarderContract } from './forwarder.contract';
import { message } from './messages';
import { createTestQueue, deleteTestQueue, queueReader } from './read-back';

// Against fauxqs: a topic of this file's own with a raw-delivery SQS subscription (like the stack's
// psarn-local-audit → psarn-local-audit-copy), read back from the queue.
const clients = createAwsClients();
const suffix = randomUUID().slice(0, 8);
const topic = { arn: '' };
const copy = { url: '', arn: '' };

beforeAll(async () => {
  Object.assign(copy, await createTestQueue(clients.sqs, `psarn-test-targets-sns-${suffix}`));
  const created = await clients.sns.send(new CreateTopicCommand({ Name: `psarn-test-targets-${suffix}` }));
  topic.arn = created.TopicArn as string;
  await clients.sns.send(
    new SubscribeCommand({
      TopicArn: topic.arn,
      Protocol: 'sqs',
      Endpoint: copy.arn,
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );
});

afterAll(async () => {
  await clients.sns.send(new DeleteTopicCommand({ TopicArn: topic.arn }));
  await deleteTestQueue(clients.sqs, copy.url);
});

forwarderContract(
  'SNS topic (raw delivery to SQS)',
  () => ({
    target: { arn: topic.arn, kind: 'sns' },
    forwarder: new SnsForwarder(clients.sns),
    sync: false,
    read: queueReader(clients.sqs, copy.url),
    carriesMetadata: true,
  }),
  { hasPoison: false },
);

describe('SNS on fauxqs: a message the topic rejects', () => {
  it('fails only that entry of the PublishBatch (forwarder told the topic allows 1 MiB; it allows 256 KiB)', async () => {
    // The forwarder's own check would refuse this before sending; a forwarder configured for a
    // raised MaximumMessageSize lets the service itself reject it, which is the per-entry path.
    const sns = new SnsForwarder(clients.sns, { maxPayloadBytes: 1_048_576 });
    const [first, big, last] = ['first', 'big', 'last'].map((l) => `${l}-${randomUUID()}`) as [
      string,
      string,
      string,
    ];
    const outcomes = await sns.send(
      { arn: topic.arn, kind: 'sns' },
      [message({ id: first }), message({ id: big, pad: 'x'.repeat(300_000) }), message({ id: last })],
      { sync: false },
    );
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    expect(outcomes[1]?.ok === false && outcomes[1].error.message).toContain(topic.arn);
  });
});
