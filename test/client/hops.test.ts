/**
 * Loop safety across consumers (docs/routing.md "Loops"): a consumer that sends on what it
 * received passes `received` to the client, which carries the hop count; a loop through such
 * consumers is stopped by the router's own code at PSARN_MAX_HOPS and the event is dead-lettered.
 * Direct mode against the real emulators (dynalite, fauxqs); the consumer is this test, reading
 * the queue the route delivers to, as an SQS-triggered consumer Lambda would.
 */
import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, type Message } from '@aws-sdk/client-sqs';
import { createPsarnClient } from '../../src/client';
import { createRouteTable } from '../../src/store/create-route-table';
import { DynamoReleaseStore } from '../../src/store/dynamo-release-store';
import { dynamoClient, queueDepth, receiveAll, sqsClient } from '../support/stack';
import { route, split, sqsArn } from '../support/routes';

const run = randomUUID().slice(0, 8);

/** The event an SQS-triggered consumer Lambda gets for these messages. */
function sqsEvent(messages: readonly Message[]): unknown {
  return {
    Records: messages.map((m) => ({
      messageId: m.MessageId,
      eventSource: 'aws:sqs',
      body: m.Body,
      messageAttributes: Object.fromEntries(
        Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, { stringValue: v.StringValue }]),
      ),
    })),
  };
}

describe('a consumer loop through the client', () => {
  const tableName = `hops-${run}-routes`;
  const queueName = `hops-${run}-work`;
  const dlqName = `hops-${run}-dlq`;
  const ring = route(`/hops/${run}/work`, { targets: [split(sqsArn(queueName), 1)] });
  let url: string;
  let dlqUrl: string;

  beforeAll(async () => {
    await createRouteTable(dynamoClient(), tableName);
    url = (await sqsClient().send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl as string;
    dlqUrl = (await sqsClient().send(new CreateQueueCommand({ QueueName: dlqName }))).QueueUrl as string;
    await new DynamoReleaseStore({ client: dynamoClient(), tableName }).publishRelease([ring], {
      by: 'test',
    });
  });

  it('is stopped at the hop limit with LOOP_DETECTED, and the event is kept in the DLQ', async () => {
    const client = createPsarnClient({ mode: 'direct', table: tableName, deadLetterQueue: sqsArn(dlqName) });
    const id = randomUUID();
    await client.send(ring.psarn, { id });
    let sends = 1;
    let stopped: unknown;
    // The consumer sends on every message it gets, to the psARN that delivered it: a loop.
    for (let round = 0; round < 15 && stopped === undefined; round++) {
      const messages = await receiveAll(url, { expected: 1, timeoutMs: 3000 });
      expect(messages).toHaveLength(1);
      const event = sqsEvent(messages);
      try {
        await client.send(ring.psarn, JSON.parse(messages[0]?.Body ?? '{}'), { received: { event } });
        sends++;
      } catch (err) {
        stopped = err;
      }
    }
    // Hops 1..10 were routed; the 11th send met the limit (10, the router's default).
    expect(sends).toBe(10);
    expect(stopped).toMatchObject({ code: 'LOOP_DETECTED' });
    expect(await queueDepth(url)).toBe(0);
    const [kept] = await receiveAll(dlqUrl, { expected: 1 });
    expect(kept?.Body).toBe(JSON.stringify({ id }));
    expect(kept?.MessageAttributes?.['psarn-error']?.StringValue).toMatch(/^LOOP_DETECTED/);
    client.close();
  });

  it('without `received` the count starts again: each send is a new chain', async () => {
    const client = createPsarnClient({ mode: 'direct', table: tableName });
    await client.send(ring.psarn, { n: 1 });
    const [message] = await receiveAll(url, { expected: 1 });
    expect(JSON.parse(message?.MessageAttributes?.['psarn-headers']?.StringValue ?? '{}')).toEqual({
      'psarn-hops': '1',
    });
    client.close();
  });
});
