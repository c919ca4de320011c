import type { SNSClient } from '@aws-sdk/client-sns';
import { PayloadTooLargeError, TargetFailedError } from '../../src/errors';
import { GroupKeyMissingError } from '../../src/targets/fifo';
import { SnsForwarder } from '../../src/targets/sns';
import { fakeClient, sdkError, type SentCommand } from './fake-client';
import { message } from './messages';

// Failures fauxqs cannot produce on demand: a partial PublishBatch, throttling, 5xx.
const audit = { arn: 'arn:aws:sns:eu-west-1:000000000000:audit', kind: 'sns' as const };
type Entry = { Id: string; Message: string; MessageGroupId?: string; MessageDeduplicationId?: string };
const entriesOf = (c: SentCommand): Entry[] => c.input['PublishBatchRequestEntries'] as Entry[];
const acceptAll = (c: SentCommand): unknown => ({
  Successful: entriesOf(c).map((e) => ({ Id: e.Id })),
  Failed: [],
});

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
    expect(sent.map((c) => entriesOf(c).length)).toEqual([2, 1]);
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
    const [entry] = entriesOf(sent[0] as SentCommand);
    expect(entry?.MessageGroupId).toBe('g1');
    expect(entry?.MessageDeduplicationId).toMatch(/^[0-9a-f]{64}$/);
  });
});
