/**
 * Defect of "Nothing lost under faults" (item 4): one slow target made a whole SQS batch of 10
 * redeliver. Each invocation now has a deadline from Lambda's remaining time; copies that cannot
 * finish in time are parked (reason `deadline`) before Lambda would end the invocation. The slow
 * target is an SDK-level fake (an invoke that never answers but honours the abort signal, as the
 * SDK does): serverless-offline cannot be told to hang one function on demand.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { createRouter } from '../../src/router/wiring';
import { parseEnvelope } from '../../src/router/envelope';
import { respond, type Observer } from '../../src/router/respond';
import { InMemoryRouteStore } from '../../src/store/in-memory-route-store';
import { createForwarders } from '../../src/targets/registry';
import { fakeClient, type SentCommand } from '../targets/fake-client';
import { lambdaArn, route, split, sqsArn, target } from '../support/routes';

const noop: Observer = { accepted: () => undefined, rejected: () => undefined, unsecured: () => undefined };
type Entry = { Id: string; MessageAttributes?: Record<string, { StringValue?: string }> };
const entriesOf = (c: SentCommand): Entry[] => (c.input['Entries'] ?? []) as Entry[];

it('parks the copies of a slow target before the deadline: the SQS batch of 10 is not redelivered', async () => {
  const hold = sqsArn('holding');
  const r = route('/event/slow', {
    targets: [split(sqsArn('fast'), 1)],
    fanout: [target(lambdaArn('slow'))],
    park: { queue: hold, enabled: false },
    onFailure: 'park',
  });
  const store = new InMemoryRouteStore();
  await store.publishRelease([r], { by: 'test' });
  const slow = {
    send: (_c: unknown, options?: { abortSignal?: AbortSignal }) =>
      new Promise((_resolve, reject) =>
        options?.abortSignal?.addEventListener('abort', () =>
          reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
        ),
      ),
  } as unknown as LambdaClient;
  const { client: sqs, sent } = fakeClient<SQSClient>((c) =>
    c.name === 'GetQueueUrlCommand'
      ? { QueueUrl: `http://sqs.us-east-1.localhost/000000000000/${String(c.input['QueueName'])}` }
      : { Successful: entriesOf(c).map((e) => ({ Id: e.Id })), Failed: [] },
  );
  const forwarders = createForwarders({ env: { AWS_REGION: 'us-east-1' }, clients: { lambda: slow, sqs } });
  const { router } = createRouter(
    {
      tableName: 't',
      deadLetterQueue: sqsArn('dlq'),
      epochCheckSeconds: 5,
      maxStaleSeconds: 60,
      negativeTtlSeconds: 5,
    },
    { store, forwarders: forwarders.forwarderFor },
  );
  const records = Array.from({ length: 10 }, (_, i) => ({
    messageId: `m${i}`,
    eventSource: 'aws:sqs',
    body: JSON.stringify({ i }),
    messageAttributes: { psarn: { stringValue: r.psarn } },
  }));
  const started = Date.now();
  const answer = await respond(router, parseEnvelope({ Records: records }), noop, {
    deadline: Date.now() + 1500,
  });
  expect(Date.now() - started).toBeLessThan(1500);
  expect(answer).toEqual({ batchItemFailures: [] });
  const parked = sent
    .filter((c) => c.name === 'SendMessageBatchCommand' && String(c.input['QueueUrl']).endsWith('/holding'))
    .flatMap(entriesOf);
  expect(parked).toHaveLength(10);
  expect(parked.every((e) => e.MessageAttributes?.['psarn-park-reason']?.StringValue === 'deadline')).toBe(
    true,
  );
  expect(parked[0]?.MessageAttributes?.['psarn-error']?.StringValue).toMatch(/^DEADLINE_EXCEEDED: /);
});

it.each([
  ['the holding queue hangs: the DLQ still takes the copies in time', false],
  [
    'the holding queue and the DLQ hang: the invocation fails in time, a slow ledger write does not hold it',
    true,
  ],
])('%s', async (_name, dlqHangs) => {
  const hold = sqsArn('holding');
  const r = route('/event/hung-hold', {
    targets: [split(lambdaArn('fails'), 1)],
    fanout: [target(lambdaArn('ok'))],
    park: { queue: hold, enabled: false },
    onFailure: 'park',
  });
  const store = new InMemoryRouteStore();
  await store.publishRelease([r], { by: 'test' });
  const failing = {
    send: async (c: { input: { FunctionName?: string } }) =>
      String(c.input.FunctionName).endsWith(':ok')
        ? { StatusCode: 200, Payload: new TextEncoder().encode('{}') }
        : {
            StatusCode: 200,
            FunctionError: 'Unhandled',
            Payload: new TextEncoder().encode('{"errorMessage":"boom"}'),
          },
  } as unknown as LambdaClient;
  let remembered = 0;
  const sent: string[] = [];
  // The holding queue never answers (but honours the abort, as the SDK does); the DLQ answers.
  const sqs = {
    send: (
      c: { constructor: { name: string }; input: Record<string, unknown> },
      o?: { abortSignal?: AbortSignal },
    ) => {
      if (c.constructor.name === 'GetQueueUrlCommand')
        return Promise.resolve({
          QueueUrl: `http://sqs.us-east-1.localhost/000000000000/${String(c.input['QueueName'])}`,
        });
      const url = String(c.input['QueueUrl']);
      if (url.endsWith('/holding') || (dlqHangs && url.endsWith('/dlq')))
        return new Promise((_r, reject) =>
          o?.abortSignal?.addEventListener('abort', () =>
            reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
          ),
        );
      sent.push(url);
      return Promise.resolve({
        Successful: entriesOf(c as unknown as SentCommand).map((e) => ({ Id: e.Id })),
        Failed: [],
      });
    },
  } as unknown as SQSClient;
  const forwarders = createForwarders({
    env: { AWS_REGION: 'us-east-1' },
    clients: { lambda: failing, sqs },
  });
  const slowLedger = {
    recall: async () => new Map(),
    remember: (_k: string, _r: unknown, signal?: AbortSignal) => {
      remembered++;
      return new Promise<void>((_resolve, reject) =>
        signal?.addEventListener('abort', () => reject(new Error('aborted'))),
      );
    },
  };
  const { router } = createRouter(
    {
      tableName: 't',
      deadLetterQueue: sqsArn('dlq'),
      epochCheckSeconds: 5,
      maxStaleSeconds: 60,
      negativeTtlSeconds: 5,
    },
    { store, forwarders: forwarders.forwarderFor, ledger: slowLedger },
  );
  const started = Date.now();
  const answer = respond(router, parseEnvelope({ headers: { psarn: r.psarn }, payload: {} }), noop, {
    requestId: 'req-hung',
    deadline: Date.now() + 1200,
  });
  if (dlqHangs) {
    await expect(answer).rejects.toThrow(/neither delivered/);
    expect(remembered).toBe(1);
  } else {
    const report = (await answer) as { deliveries: { status: string }[] };
    expect(report.deliveries.map((d) => d.status)).toEqual(['dead-lettered', 'delivered']);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((u) => u.endsWith('/dlq'))).toBe(true);
  }
  expect(Date.now() - started).toBeLessThan(1500);
});
