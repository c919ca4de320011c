/**
 * Loop safety (issue "Target health…", item 5), on the real emulators: a route whose target is a
 * queue the router reads again loops for ever unless something counts the hops. Lambda's own
 * recursive-loop detection would stop it after ~16 invocations and drop the event; the router
 * stops it at PSARN_MAX_HOPS with LOOP_DETECTED and keeps it in its DLQ.
 */
import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, type Message } from '@aws-sdk/client-sqs';
import { createRouter, type RouterParts } from '../../src/router/wiring';
import { answerEvent, type Observer } from '../../src/router/respond';
import { receivedHops } from '../../src/router/hops';
import { createForwarders } from '../../src/targets/registry';
import { createRouteTable } from '../../src/store/create-route-table';
import { DynamoReleaseStore } from '../../src/store/dynamo-release-store';
import { dynamoClient, queueDepth, receiveAll, sqsClient } from '../support/stack';
import { route, split, sqsArn } from '../support/routes';

const run = randomUUID().slice(0, 8);
const name = (what: string) => `loops-${run}-${what}`;
const MAX_HOPS = 4;

async function createQueue(what: string): Promise<{ arn: string; url: string }> {
  const out = await sqsClient().send(new CreateQueueCommand({ QueueName: name(what) }));
  return { arn: sqsArn(name(what)), url: out.QueueUrl as string };
}

/** The SQS event Lambda would hand the router for these messages (attributes as Lambda spells them). */
function sqsEvent(messages: readonly Message[]): unknown {
  return {
    Records: messages.map((m) => ({
      messageId: m.MessageId,
      eventSource: 'aws:sqs',
      body: m.Body,
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: Object.fromEntries(
        Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [
          k,
          { stringValue: v.StringValue, dataType: 'String' },
        ]),
      ),
    })),
  };
}

describe('routing loops are stopped by the router, and the event is kept', () => {
  const tableName = name('routes');
  const dynamo = dynamoClient();
  const releases = new DynamoReleaseStore({ client: dynamo, tableName });
  const rejected: string[] = [];
  const observer: Observer = {
    accepted: () => undefined,
    rejected: (_psarn, error) => void rejected.push(error.code),
    unsecured: () => undefined,
  };
  let parts: RouterParts;
  let dlq: { arn: string; url: string };
  let ring: { arn: string; url: string };
  const loop = route(`/loops/${run}/ring`, { targets: [] });

  beforeAll(async () => {
    await createRouteTable(dynamo, tableName);
    dlq = await createQueue('dlq');
    ring = await createQueue('ring');
    await releases.publishRelease([{ ...loop, targets: [split(ring.arn, 1)] }], { by: 'loops.test' });
    parts = createRouter(
      {
        tableName,
        deadLetterQueue: dlq.arn,
        epochCheckSeconds: 0,
        maxStaleSeconds: 60,
        negativeTtlSeconds: 0,
        maxHops: MAX_HOPS,
      },
      { dynamo, forwarders: createForwarders().forwarderFor },
    );
  });

  it('a route into a queue the router reads again is cut after maxHops and dead-lettered once', async () => {
    const id = randomUUID();
    // The producer's direct invoke: hop 1 puts the event in the ring queue.
    await answerEvent(
      parts.router,
      { headers: { psarn: loop.psarn, tenant: 'acme' }, payload: { id } },
      observer,
      {
        requestId: `req-${id}`,
      },
    );
    const hopsSeen: number[] = [];
    // The ring queue is the router's own ingress: each message read goes through the router again.
    for (let round = 0; round < MAX_HOPS + 3; round++) {
      const messages = await receiveAll(ring.url, { expected: 1, timeoutMs: 3000 });
      if (messages.length === 0) break;
      hopsSeen.push(receivedHops(sqsEvent(messages)));
      const answer = await answerEvent(parts.router, sqsEvent(messages), observer);
      expect(answer).toEqual({ batchItemFailures: [] });
    }
    // Hop counts grow by one per router pass, then the loop stops (nothing left in the ring).
    expect(hopsSeen).toEqual([1, 2, 3, 4]);
    expect(await queueDepth(ring.url)).toBe(0);
    expect(rejected).toContain('LOOP_DETECTED');
    const kept = await receiveAll(dlq.url, { expected: 1 });
    expect(kept).toHaveLength(1);
    const message = kept[0] as Message;
    expect(message.Body).toBe(JSON.stringify({ id }));
    expect(message.MessageAttributes?.['psarn-error']?.StringValue).toMatch(/^LOOP_DETECTED: /);
    expect(message.MessageAttributes?.['psarn']?.StringValue).toBe(loop.psarn);
    // The producer's own headers survived every hop, one level deep (not nested per hop).
    expect(JSON.parse(message.MessageAttributes?.['psarn-headers']?.StringValue ?? '{}')).toEqual({
      tenant: 'acme',
      'psarn-hops': String(MAX_HOPS),
    });
  });

  it('a direct invoke at the hop limit gets LOOP_DETECTED and its event is dead-lettered', async () => {
    const id = randomUUID();
    const answer = await answerEvent(
      parts.router,
      { headers: { psarn: loop.psarn, 'psarn-hops': String(MAX_HOPS) }, payload: { id } },
      observer,
      { requestId: `req-${id}` },
    );
    expect(answer).toMatchObject({ psarn: loop.psarn, error: { code: 'LOOP_DETECTED' } });
    const kept = await receiveAll(dlq.url, { expected: 1, filter: (m) => m.Body?.includes(id) === true });
    expect(kept).toHaveLength(1);
    expect(await queueDepth(ring.url)).toBe(0);
  });

  it('an HTTP producer at the hop limit gets 508 Loop Detected', async () => {
    const id = randomUUID();
    const answer = await answerEvent(
      parts.router,
      {
        requestContext: { http: { method: 'POST' } },
        headers: { 'x-psarn': loop.psarn, 'psarn-hops': '9' },
        body: JSON.stringify({ id }),
      },
      observer,
      { requestId: `req-${id}` },
    );
    expect(answer).toMatchObject({ statusCode: 508 });
    expect(JSON.parse((answer as { body: string }).body)).toMatchObject({ error: { code: 'LOOP_DETECTED' } });
    expect(
      await receiveAll(dlq.url, { expected: 1, filter: (m) => m.Body?.includes(id) === true }),
    ).toHaveLength(1);
  });

  it('a hop count that is not a small whole number is a typed header error, and nothing is sent', async () => {
    for (const bad of ['-1', 'x', '1.5', '99999']) {
      const answer = await answerEvent(
        parts.router,
        { headers: { psarn: loop.psarn, 'psarn-hops': bad }, payload: {} },
        observer,
        { requestId: `req-${randomUUID()}` },
      );
      expect(answer).toMatchObject({ error: { code: 'INVALID_HEADER' } });
    }
    expect(await queueDepth(ring.url)).toBe(0);
  });
});
