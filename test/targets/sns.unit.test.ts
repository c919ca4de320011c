import type { SNSClient } from '@aws-sdk/client-sns';
import { PayloadTooLargeError, TargetFailedError } from '../../src/errors';
import { GroupKeyMissingError } from '../../src/targets/fifo';
import { SnsForwarder } from '../../src/targets/sns';
import { fakeClient, sdkError, type SentCommand } from './fake-client';
import { message } from './messages';

// Failures fauxqs cannot produce on demand: a partial PublishBatch, throttling, 5xx.
const audit = { arn: 'arn:aws:sns:eu-west-1:000000000000:audit', kind: 'sns' as const };
type Entry = {
  Id?: string;
  Message: string;
  MessageAttributes?: unknown;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
};
/** The messages a request carried: a batch's entries, or the one message of a Publish. */
const entriesOf = (c: SentCommand): Entry[] =>
  c.name === 'PublishCommand'
    ? [c.input as unknown as Entry]
    : (c.input['PublishBatchRequestEntries'] as Entry[]);
const acceptAll = (c: SentCommand): unknown =>
  c.name === 'PublishCommand'
    ? { MessageId: 'id-1' }
    : { Successful: entriesOf(c).map((e) => ({ Id: e.Id })), Failed: [] };

describe('SnsForwarder (fake client)', () => {
  it('publishes 25 messages to the topic ARN as batches of 10, 10 and 5', async () => {
    const { client, sent } = fakeClient<SNSClient>(acceptAll);
    const outcomes = await new SnsForwarder(client).send(
      audit,
      Array.from({ length: 25 }, (_, i) => message(i)),
      { sync: false },
    );
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(sent.map((c) => c.input['TopicArn'])).toEqual([audit.arn, audit.arn, audit.arn]);
    expect(sent.map((c) => entriesOf(c).length)).toEqual([10, 10, 5]);
  });

  it('fails only the entries SNS lists as failed', async () => {
    const { client } = fakeClient<SNSClient>((c) => {
      const [first, ...rest] = entriesOf(c);
      return {
        Successful: rest.map((e) => ({ Id: e.Id })),
        Failed: [{ Id: first?.Id, Code: 'KMSThrottling', Message: 'slow down', SenderFault: false }],
      };
    });
    const outcomes = await new SnsForwarder(client).send(audit, [message(0), message(1), message(2)], {
      sync: false,
    });
    expect(outcomes.map((o) => o.ok)).toEqual([false, true, true]);
    expect(outcomes[0]?.ok === false && outcomes[0].error.message).toBe(
      `delivery to ${audit.arn} failed: KMSThrottling: slow down`,
    );
  });

  it('fails an entry the service leaves out of both lists', async () => {
    const { client } = fakeClient<SNSClient>((c) => ({
      Successful: [{ Id: entriesOf(c)[0]?.Id }],
      Failed: [],
    }));
    const outcomes = await new SnsForwarder(client).send(audit, [message(0), message(1)], { sync: false });
    expect(outcomes.map((o) => o.ok)).toEqual([true, false]);
    expect(outcomes[1]?.ok === false && outcomes[1].error).toBeInstanceOf(TargetFailedError);
  });

  it('turns throttling and 5xx into failed outcomes, never a throw', async () => {
    for (const err of [sdkError('Throttled', 'Rate exceeded', 400), sdkError('InternalError', 'oops', 500)]) {
      const { client } = fakeClient<SNSClient>(() => {
        throw err;
      });
      const outcomes = await new SnsForwarder(client).send(audit, [message(0)], { sync: false });
      expect(outcomes[0]?.ok === false && outcomes[0].error.message).toContain(`${err.name} (HTTP`);
    }
  });

  it('keeps a batch within the topic size limit and refuses a message over it', async () => {
    const { client, sent } = fakeClient<SNSClient>(acceptAll);
    const body = 'x'.repeat(100_000);
    const outcomes = await new SnsForwarder(client).send(
      audit,
      [message(body), message(body), message(body), message('y'.repeat(262_144))],
      { sync: false },
    );
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, false]);
    expect(outcomes[3]?.ok === false && outcomes[3].error).toBeInstanceOf(PayloadTooLargeError);
    expect(sent.map((c) => [c.name, entriesOf(c).length])).toEqual([
      ['PublishBatchCommand', 2],
      ['PublishCommand', 1],
    ]);
  });

  it('groups and deduplicates on a FIFO topic', async () => {
    const { client, sent } = fakeClient<SNSClient>(acceptAll);
    const topic = {
      arn: 'arn:aws:sns:eu-west-1:000000000000:audit.fifo',
      kind: 'sns' as const,
      groupBy: 'headers.t',
    };
    const outcomes = await new SnsForwarder(client).send(
      topic,
      [message(1, { headers: { t: 'g1' } }), message(2)],
      { sync: false },
    );
    expect(outcomes[1]?.ok === false && outcomes[1].error).toBeInstanceOf(GroupKeyMissingError);
    expect(sent.map((c) => c.name)).toEqual(['PublishCommand']);
    const [entry] = entriesOf(sent[0] as SentCommand);
    expect(entry?.MessageGroupId).toBe('g1');
    expect(entry?.MessageDeduplicationId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('publishes a single message with Publish: same message, attributes and FIFO ids as a batch entry, no Id', async () => {
    const topic = {
      arn: 'arn:aws:sns:eu-west-1:000000000000:audit.fifo',
      kind: 'sns' as const,
      groupBy: 'headers.t',
    };
    const copy = message(1, { headers: { t: 'g1' } });
    const alone = fakeClient<SNSClient>(acceptAll);
    const together = fakeClient<SNSClient>(acceptAll);
    expect((await new SnsForwarder(alone.client).send(topic, [copy], { sync: false }))[0]?.ok).toBe(true);
    await new SnsForwarder(together.client).send(topic, [copy, message(2, { headers: { t: 'g2' } })], {
      sync: false,
    });
    const [single] = alone.sent;
    const [batch] = together.sent;
    expect([single?.name, batch?.name]).toEqual(['PublishCommand', 'PublishBatchCommand']);
    expect(single?.input).not.toHaveProperty('Id');
    const { Id, ...asBatchEntry } = batch ? (entriesOf(batch)[0] as Entry) : ({} as Entry);
    expect(Id).toBe('m0');
    expect(single?.input).toEqual({ TopicArn: topic.arn, ...asBatchEntry });
    expect(asBatchEntry.MessageAttributes).toHaveProperty('psarn-event-id');
  });

  it.each([
    ['ThrottledException', 400, 'TARGET_THROTTLED'],
    ['InternalError', 500, 'TARGET_UNAVAILABLE'],
    ['InvalidParameter', 400, 'TARGET_FAILED'],
  ])('maps a single Publish failing with %s (HTTP %i) to %s', async (name, status, code) => {
    const { client } = fakeClient<SNSClient>(() => {
      throw sdkError(name, 'no', status);
    });
    const [outcome] = await new SnsForwarder(client).send(audit, [message(0)], { sync: false });
    expect(outcome?.ok === false && (outcome.error as TargetFailedError).code).toBe(code);
  });
});
