/**
 * `psarn drain --dlq` reads Lambda's invocation records: when every attempt of an async invoke of
 * the router failed (e.g. the route table was down), Lambda's on-failure destination puts a record
 * of the invocation in the router DLQ, with the router envelope as `requestPayload` and no message
 * attributes. serverless-offline has no on-failure destinations, so the records are written here
 * in the shape the AWS Lambda docs give ("Capturing records of Lambda asynchronous invocations");
 * queue, route table and targets are the real emulators.
 */
import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, SendMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { main } from '../../src/cli/main';
import { createRouter } from '../../src/router/wiring';
import { parseEnvelope } from '../../src/router/envelope';
import { respond } from '../../src/router/respond';
import { createForwarders } from '../../src/targets/registry';
import { createRouteTable } from '../../src/store/create-route-table';
import { DynamoReleaseStore } from '../../src/store/dynamo-release-store';
import { dynamoClient, receiveAll, sqsClient } from '../support/stack';
import { captureIo } from '../support/cli';
import { psarnOf, route, split, sqsArn, target } from '../support/routes';

const run = randomUUID().slice(0, 8);
const name = (what: string) => `records-${run}-${what}`;
const tableName = name('routes');
const dynamo = dynamoClient();

async function createQueue(what: string, fifo = false): Promise<{ arn: string; url: string }> {
  const queueName = name(what) + (fifo ? '.fifo' : '');
  const out = await sqsClient().send(
    new CreateQueueCommand({ QueueName: queueName, ...(fifo ? { Attributes: { FifoQueue: 'true' } } : {}) }),
  );
  return { arn: sqsArn(queueName), url: out.QueueUrl as string };
}

/** What Lambda writes to an on-failure destination after the router's last failed attempt. */
function invocationRecord(
  requestId: string,
  headers: Record<string, string>,
  payload: unknown,
  condition = 'RetriesExhausted',
): string {
  return JSON.stringify({
    version: '1.0',
    timestamp: '2026-12-01T20:00:00.000Z',
    requestContext: {
      requestId,
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:psarn-local-router:$LATEST',
      condition,
      approximateInvokeCount: 3,
    },
    requestPayload: { headers, payload },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: {
      errorType: 'StoreUnavailableError',
      errorMessage: 'route store unavailable: connect ECONNREFUSED',
    },
  });
}

const attr = (m: Message, key: string) => m.MessageAttributes?.[key]?.StringValue;

beforeAll(async () => {
  await createRouteTable(dynamo, tableName);
});

describe('psarn drain --dlq with Lambda invocation records', () => {
  it("re-drives this psARN's failed invocations, with their headers and trace id (default: the invocation's request id)", async () => {
    const [dest, dlq] = await Promise.all([createQueue('dest', true), createQueue('dlq')]);
    const mine = route(`/records/${run}/orders`, {
      targets: [split(dest.arn, 1, { groupBy: 'payload.customer' })],
    });
    await new DynamoReleaseStore({ client: dynamo, tableName }).publishRelease([mine], { by: 'test' });
    const bodies = [
      invocationRecord(
        `req-1-${run}`,
        { psarn: mine.psarn, 'psarn-trace-id': `tr-${run}`, tenant: 't1' },
        {
          n: 1,
          customer: 'c',
        },
      ),
      invocationRecord(`req-2-${run}`, { psarn: psarnOf('/someone/else') }, { n: 2, customer: 'c' }),
      invocationRecord(`req-3-${run}`, { psarn: mine.psarn }, { n: 3, customer: 'c' }),
      // A success record (an on-success destination pointed at the DLQ): the router handled it.
      invocationRecord(`req-4-${run}`, { psarn: mine.psarn }, { n: 4, customer: 'c' }, 'Success'),
    ];
    for (const body of bodies)
      await sqsClient().send(new SendMessageCommand({ QueueUrl: dlq.url, MessageBody: body }));

    const io = captureIo();
    const code = await main(
      ['drain', mine.psarn, '--dlq', '--dlq-arn', dlq.arn, '--table', tableName, '--json'],
      io,
    );
    const delivered = await receiveAll(dest.url, { expected: 2 });
    expect(delivered.map((m) => m.Body)).toEqual(['{"n":1,"customer":"c"}', '{"n":3,"customer":"c"}']);
    // Trace id: the producer's, else the request id (the router's default); headers travel on.
    expect(delivered.map((m) => attr(m, 'psarn-trace-id'))).toEqual([`tr-${run}`, `req-3-${run}`]);
    expect(delivered.map((m) => attr(m, 'psarn-headers'))).toEqual(['{"tenant":"t1"}', undefined]);
    expect(delivered.map((m) => attr(m, 'psarn'))).toEqual([mine.psarn, mine.psarn]);
    expect(code).toBe(0);
    expect(JSON.parse(io.out())).toMatchObject({
      total: 4,
      done: 2,
      delivered: 2,
      skipped: 2,
      skippedBy: { 'other-psarn': 1, 'succeeded-invocation': 1 },
    });
    // The other route's record and the success record stay in the DLQ, untouched.
    const left = await receiveAll(dlq.url, { expected: 2 });
    expect(
      left
        .map(
          (m) =>
            (JSON.parse(m.Body as string) as { requestContext: { requestId: string } }).requestContext
              .requestId,
        )
        .sort(),
    ).toEqual([`req-2-${run}`, `req-4-${run}`]);
  });

  it('a record re-driven twice reaches a FIFO target once: its dedup id comes from the request id, as on the first attempt', async () => {
    const [dest, dlq] = await Promise.all([createQueue('dedup-dest', true), createQueue('dedup-dlq')]);
    const r = route(`/records/${run}/dedup`, { targets: [split(dest.arn, 1, { groupBy: 'psarn' })] });
    await new DynamoReleaseStore({ client: dynamo, tableName }).publishRelease([r], { by: 'test' });
    const body = invocationRecord(`req-dedup-${run}`, { psarn: r.psarn }, { n: 1 });
    // The same failed invocation recorded twice (Lambda's destinations deliver at least once).
    for (let i = 0; i < 2; i++)
      await sqsClient().send(new SendMessageCommand({ QueueUrl: dlq.url, MessageBody: body }));
    const io = captureIo();
    expect(
      await main(['drain', r.psarn, '--dlq', '--dlq-arn', dlq.arn, '--table', tableName, '--json'], io),
    ).toBe(0);
    expect(JSON.parse(io.out())).toMatchObject({ delivered: 2 });
    expect((await receiveAll(dest.url, { expected: 2, timeoutMs: 1500 })).map((m) => m.Body)).toEqual([
      '{"n":1}',
    ]);
  });

  it('keeps the missing copy of a partly delivered record in the router form, with the request id as its event id', async () => {
    const [dest, dlq] = await Promise.all([createQueue('part-dest'), createQueue('part-dlq')]);
    const down = sqsArn(name('part-down'));
    const r = route(`/records/${run}/part`, { targets: [split(dest.arn, 1)], fanout: [target(down)] });
    await new DynamoReleaseStore({ client: dynamo, tableName }).publishRelease([r], { by: 'test' });
    await sqsClient().send(
      new SendMessageCommand({
        QueueUrl: dlq.url,
        MessageBody: invocationRecord(`req-part-${run}`, { psarn: r.psarn, tenant: 't9' }, { n: 9 }),
      }),
    );
    const io = captureIo();
    expect(
      await main(['drain', r.psarn, '--dlq', '--dlq-arn', dlq.arn, '--table', tableName, '--json'], io),
    ).toBe(1);
    expect(JSON.parse(io.out())).toMatchObject({ failed: 1, partlyDelivered: 1, keptCopies: 1 });
    expect((await receiveAll(dest.url, { expected: 1 })).map((m) => m.Body)).toEqual(['{"n":9}']);
    const [copy, ...more] = await receiveAll(dlq.url, { expected: 1 });
    expect(more).toEqual([]);
    expect(copy?.Body).toBe('{"n":9}');
    expect(
      copy === undefined
        ? {}
        : Object.fromEntries(Object.keys(copy.MessageAttributes ?? {}).map((k) => [k, attr(copy, k)])),
    ).toMatchObject({
      psarn: r.psarn,
      'psarn-trace-id': `req-part-${run}`,
      'psarn-event-id': `req-part-${run}`,
      'psarn-headers': '{"tenant":"t9"}',
      'psarn-park-reason': 'target-failed',
      'psarn-role': expect.stringMatching(/^fanout /),
      'psarn-target': down,
      'psarn-route': r.psarn,
    });
  });

  it('sends only the copies the failed invocation had not delivered: the retry ledger says which', async () => {
    const [sent, dlq] = await Promise.all([createQueue('ledger-sent'), createQueue('ledger-dlq')]);
    const lateName = name('ledger-late');
    const r = route(`/records/${run}/ledger`, {
      targets: [split(sent.arn, 1)],
      fanout: [target(sqsArn(lateName))],
    });
    await new DynamoReleaseStore({ client: dynamo, tableName }).publishRelease([r], { by: 'test' });
    // The router's async invocation: the split copy is delivered, the fanout copy can be kept
    // nowhere (its queue is missing and so is the DLQ the router was given): the invocation fails.
    const { router } = createRouter(
      {
        tableName,
        deadLetterQueue: sqsArn(name('missing-dlq')),
        epochCheckSeconds: 0,
        maxStaleSeconds: 60,
        negativeTtlSeconds: 0,
      },
      { dynamo, forwarders: createForwarders().forwarderFor },
    );
    const requestId = `req-ledger-${run}`;
    const envelope = { headers: { psarn: r.psarn }, payload: { n: 1 } };
    const quiet = { accepted: () => undefined, rejected: () => undefined, unsecured: () => undefined };
    await expect(respond(router, parseEnvelope(envelope), quiet, { requestId })).rejects.toThrow(
      /neither delivered/,
    );
    // Lambda gives up and writes the record to the DLQ; the operator fixes the queue and drains.
    await sqsClient().send(
      new SendMessageCommand({
        QueueUrl: dlq.url,
        MessageBody: invocationRecord(requestId, envelope.headers, envelope.payload),
      }),
    );
    const late = (await sqsClient().send(new CreateQueueCommand({ QueueName: lateName }))).QueueUrl as string;
    const io = captureIo();
    const code = await main(
      ['drain', r.psarn, '--dlq', '--dlq-arn', dlq.arn, '--table', tableName, '--json'],
      io,
    );
    expect(code).toBe(0);
    expect(await receiveAll(late, { expected: 1 })).toHaveLength(1);
    expect(await receiveAll(sent.url, { expected: 2, timeoutMs: 2000 })).toHaveLength(1);
  });
});
