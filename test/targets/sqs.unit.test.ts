import type { SQSClient } from '@aws-sdk/client-sqs';
import { PayloadTooLargeError, TargetFailedError } from '../../src/errors';
import { GroupKeyMissingError } from '../../src/targets/fifo';
import { SqsForwarder } from '../../src/targets/sqs';
import { fakeClient, sdkError, type SentCommand } from './fake-client';
import { message } from './messages';

// Failures fauxqs cannot produce on demand: throttling, 5xx, a partial batch, a lost queue URL.
const orders = { arn: 'arn:aws:sqs:eu-west-1:000000000000:orders', kind: 'sqs' as const };
const url = 'http://sqs.eu-west-1.localhost:4566/000000000000/orders';

type Entry = {
  Id?: string;
  MessageBody: string;
  MessageAttributes?: unknown;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
};
/** The messages a send carried: a batch's entries, or the one message of a SendMessage. */
const entriesOf = (c: SentCommand): Entry[] =>
  c.name === 'SendMessageCommand' ? [c.input as unknown as Entry] : (c.input['Entries'] as Entry[]);
const sends = (sent: SentCommand[]): SentCommand[] => sent.filter((c) => c.name !== 'GetQueueUrlCommand');

function acceptAll(c: SentCommand): unknown {
  if (c.name === 'GetQueueUrlCommand') return { QueueUrl: url };
  if (c.name === 'SendMessageCommand') return { MessageId: 'id-1' };
  return { Successful: entriesOf(c).map((e) => ({ Id: e.Id })), Failed: [] };
}

describe('SqsForwarder (fake client)', () => {
  it('sends 25 messages as batches of 10, 10 and 5 after one GetQueueUrl', async () => {
    const { client, sent } = fakeClient<SQSClient>(acceptAll);
    const outcomes = await new SqsForwarder(client).send(
      orders,
      Array.from({ length: 25 }, (_, i) => message({ i })),
      { sync: false },
    );
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(sent.map((c) => c.name)).toEqual([
      'GetQueueUrlCommand',
      'SendMessageBatchCommand',
      'SendMessageBatchCommand',
      'SendMessageBatchCommand',
    ]);
    expect(sent[0]?.input).toEqual({ QueueName: 'orders', QueueOwnerAWSAccountId: '000000000000' });
    expect(sent.slice(1).map((c) => entriesOf(c).length)).toEqual([10, 10, 5]);
  });

  it('resolves a queue URL once per queue across sends', async () => {
    const { client, sent } = fakeClient<SQSClient>(acceptAll);
    const sqs = new SqsForwarder(client);
    await sqs.send(orders, [message(1)], { sync: false });
    await sqs.send(orders, [message(2)], { sync: false });
    expect(sent.filter((c) => c.name === 'GetQueueUrlCommand')).toHaveLength(1);
  });

  it('keeps each request under the batch byte limit', async () => {
    const { client, sent } = fakeClient<SQSClient>(acceptAll);
    const body = 'x'.repeat(300_000);
    const outcomes = await new SqsForwarder(client).send(
      orders,
      [message(body), message(body), message(body), message(body)],
      { sync: false },
    );
    expect(outcomes.every((o) => o.ok)).toBe(true);
    // Three ~300 KB messages fit in 1 MiB; the fourth goes in a second request, alone: SendMessage.
    expect(sends(sent).map((c) => [c.name, entriesOf(c).length])).toEqual([
      ['SendMessageBatchCommand', 3],
      ['SendMessageCommand', 1],
    ]);
  });

  it('fails only the entries SQS lists as failed', async () => {
    const { client } = fakeClient<SQSClient>((c) => {
      if (c.name === 'GetQueueUrlCommand') return { QueueUrl: url };
      const entries = entriesOf(c);
      return {
        Successful: entries.filter((_, i) => i !== 1).map((e) => ({ Id: e.Id })),
        Failed: [{ Id: entries[1]?.Id, Code: 'InternalError', Message: 'try later', SenderFault: false }],
      };
    });
    const outcomes = await new SqsForwarder(client).send(orders, [message(0), message(1), message(2)], {
      sync: false,
    });
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    const failed = outcomes[1];
    expect(failed?.ok === false && failed.error.message).toBe(
      `delivery to ${orders.arn} failed: InternalError: try later`,
    );
  });

  it('turns throttling after the SDK retries into failed outcomes, never a throw', async () => {
    const { client } = fakeClient<SQSClient>((c) => {
      if (c.name === 'GetQueueUrlCommand') return { QueueUrl: url };
      throw sdkError('RequestThrottled', 'Rate exceeded', 400, 3);
    });
    const outcomes = await new SqsForwarder(client).send(orders, [message(0), message(1)], { sync: false });
    expect(outcomes).toHaveLength(2);
    for (const outcome of outcomes) {
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) {
        expect(outcome.error).toBeInstanceOf(TargetFailedError);
        expect(outcome.error.message).toContain('RequestThrottled (HTTP 400, 3 attempts): Rate exceeded');
      }
    }
  });

  it('fails a 5xx batch and only that batch', async () => {
    const { client } = fakeClient<SQSClient>((c) => {
      if (c.name === 'GetQueueUrlCommand') return { QueueUrl: url };
      if (entriesOf(c)[0]?.Id === 'm10')
        throw sdkError('InternalError', 'We encountered an internal error', 500);
      return acceptAll(c);
    });
    const outcomes = await new SqsForwarder(client).send(
      orders,
      Array.from({ length: 15 }, (_, i) => message(i)),
      { sync: false },
    );
    expect(outcomes.map((o) => o.ok)).toEqual([
      ...Array<boolean>(10).fill(true),
      ...Array<boolean>(5).fill(false),
    ]);
    expect(outcomes[14]?.ok === false && outcomes[14].error.message).toContain(
      'InternalError (HTTP 500, 3 attempts)',
    );
  });

  it('forgets a failed GetQueueUrl so the next send tries again', async () => {
    let lookups = 0;
    const { client } = fakeClient<SQSClient>((c) => {
      if (c.name === 'GetQueueUrlCommand') {
        lookups += 1;
        if (lookups === 1) throw sdkError('QueueDoesNotExist', 'The specified queue does not exist.', 400, 1);
      }
      return acceptAll(c);
    });
    const sqs = new SqsForwarder(client);
    const first = await sqs.send(orders, [message(1)], { sync: false });
    expect(first[0]?.ok === false && first[0].error.message).toContain('QueueDoesNotExist');
    const second = await sqs.send(orders, [message(2)], { sync: false });
    expect(second[0]?.ok).toBe(true);
    expect(lookups).toBe(2);
  });

  it('refuses an oversize message (body + attributes) without calling SQS for it', async () => {
    const { client, sent } = fakeClient<SQSClient>(acceptAll);
    const outcomes = await new SqsForwarder(client, { maxPayloadBytes: 1024 }).send(
      orders,
      [message('x'.repeat(2000)), message('ok')],
      { sync: false },
    );
    expect(outcomes[0]?.ok === false && outcomes[0].error).toBeInstanceOf(PayloadTooLargeError);
    expect(outcomes[1]?.ok).toBe(true);
    expect(sends(sent).map((c) => [c.name, entriesOf(c).map((e) => e.MessageBody)])).toEqual([
      ['SendMessageCommand', ['"ok"']],
    ]);
  });

  it('sends metadata as String attributes and skips empty ones', async () => {
    const { client, sent } = fakeClient<SQSClient>(acceptAll);
    const m = {
      ...message({ a: 1 }),
      metadata: { psarn: 'arn:aws:psarns:eu-west-1:000000000000:/x', empty: '' },
    };
    await new SqsForwarder(client).send(orders, [m], { sync: false });
    const [single] = sends(sent);
    expect(single?.name).toBe('SendMessageCommand');
    expect(single && entriesOf(single)[0]?.MessageAttributes).toEqual({
      psarn: { DataType: 'String', StringValue: 'arn:aws:psarns:eu-west-1:000000000000:/x' },
    });
  });

  it('on a FIFO queue, fails a message without a group key and sends the rest in order', async () => {
    const { client, sent } = fakeClient<SQSClient>(acceptAll);
    const fifo = {
      arn: 'arn:aws:sqs:eu-west-1:000000000000:orders.fifo',
      kind: 'sqs' as const,
      groupBy: 'payload.t',
    };
    const outcomes = await new SqsForwarder(client).send(
      fifo,
      [message({ t: 'a', n: 1 }), message({ n: 2 }), message({ t: 'a', n: 3 })],
      { sync: false },
    );
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    expect(outcomes[1]?.ok === false && outcomes[1].error).toBeInstanceOf(GroupKeyMissingError);
    const batch = sent.find((c) => c.name === 'SendMessageBatchCommand');
    expect(batch && entriesOf(batch).map((e) => [e.MessageBody, e.MessageGroupId])).toEqual([
      ['{"t":"a","n":1}', 'a'],
      ['{"t":"a","n":3}', 'a'],
    ]);
  });

  it('sends a single message with SendMessage: same body, attributes and FIFO ids as a batch entry, no Id', async () => {
    const fifo = {
      arn: 'arn:aws:sqs:eu-west-1:000000000000:orders.fifo',
      kind: 'sqs' as const,
      groupBy: 'payload.t',
    };
    const copy = message({ t: 'a' });
    const alone = fakeClient<SQSClient>(acceptAll);
    const together = fakeClient<SQSClient>(acceptAll);
    expect((await new SqsForwarder(alone.client).send(fifo, [copy], { sync: false }))[0]?.ok).toBe(true);
    await new SqsForwarder(together.client).send(fifo, [copy, message({ t: 'b' })], { sync: false });
    const [single] = sends(alone.sent);
    const [batch] = sends(together.sent);
    expect(single?.name).toBe('SendMessageCommand');
    expect(batch?.name).toBe('SendMessageBatchCommand');
    expect(single?.input['QueueUrl']).toBe(url);
    expect(single?.input).not.toHaveProperty('Id');
    const { Id, ...asBatchEntry } = batch ? (entriesOf(batch)[0] as Entry) : ({} as Entry);
    expect(Id).toBe('m0');
    expect(entriesOf(single as SentCommand)[0]).toEqual({ QueueUrl: url, ...asBatchEntry });
    expect(asBatchEntry.MessageGroupId).toBe('a');
    expect(asBatchEntry.MessageDeduplicationId).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['RequestThrottled', 400, 'TARGET_THROTTLED'],
    ['InternalError', 500, 'TARGET_UNAVAILABLE'],
    ['InvalidMessageContents', 400, 'TARGET_FAILED'],
  ])(
    'maps a single SendMessage failing with %s (HTTP %i) to %s, never a throw',
    async (name, status, code) => {
      const { client } = fakeClient<SQSClient>((c) => {
        if (c.name === 'GetQueueUrlCommand') return { QueueUrl: url };
        throw sdkError(name, 'no', status);
      });
      const [outcome] = await new SqsForwarder(client).send(orders, [message(0)], { sync: false });
      expect(outcome?.ok === false && outcome.error).toBeInstanceOf(TargetFailedError);
      expect(outcome?.ok === false && (outcome.error as TargetFailedError).code).toBe(code);
    },
  );

  it('forgets the queue URL when a single SendMessage finds the queue gone', async () => {
    let first = true;
    const { client, sent } = fakeClient<SQSClient>((c) => {
      if (c.name === 'SendMessageCommand' && first) {
        first = false;
        throw sdkError('QueueDoesNotExist', 'The specified queue does not exist.', 400, 1);
      }
      return acceptAll(c);
    });
    const sqs = new SqsForwarder(client);
    expect((await sqs.send(orders, [message(1)], { sync: false }))[0]?.ok).toBe(false);
    expect((await sqs.send(orders, [message(2)], { sync: false }))[0]?.ok).toBe(true);
    expect(sent.filter((c) => c.name === 'GetQueueUrlCommand')).toHaveLength(2);
  });
});
