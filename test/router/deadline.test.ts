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
