/**
 * Caller overrides and payload contracts against the real local emulators (dynalite, fauxqs): a
 * real route table, real queues. The router runs in-process (the Lambda handler's own code) on a
 * route table of its own. HTTP ingress is fed real-shaped HTTP API v2 events: serverless.yml gives
 * the router no HTTP event, so serverless-offline has no HTTP endpoint (nor IAM auth) to call.
 */
import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, type Message } from '@aws-sdk/client-sqs';
import { createRouter, type RouterParts } from '../../src/router/wiring';
import { parseEnvelope } from '../../src/router/envelope';
import { respond, type Observer } from '../../src/router/respond';
import { DirectClient } from '../../src/client/direct-client';
import { createAwsClients } from '../../src/targets/clients';
import { createForwarders } from '../../src/targets/registry';
import { createRouteTable } from '../../src/store/create-route-table';
import { DynamoReleaseStore } from '../../src/store/dynamo-release-store';
import type { Route } from '../../src/routes/model';
import type { DeliveryReport } from '../../src/delivery/report';
import { PayloadInvalidError } from '../../src/errors';
import { dynamoClient, receiveAll, sqsClient } from '../support/stack';
import { route, split, sqsArn } from '../support/routes';
import { iamHttpEvent } from '../support/http-events';
import type { Context } from 'aws-lambda';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** The router Lambda's own module (middy, wiring from the environment) on this file's table and DLQ. */
function loadHandler(env: Record<string, string>): Handler {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  let handler: Handler | undefined;
  try {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- jest's fresh registry is reached through require
      handler = (require('../../src/router/handler') as { handler: Handler }).handler;
    });
  } finally {
    process.env = saved;
  }
  return handler as Handler;
}
const lambdaContext = (): Context =>
  ({
    awsRequestId: randomUUID(),
    getRemainingTimeInMillis: () => 10_000,
    functionName: 'psarn-local-router',
  }) as unknown as Context;

const run = randomUUID().slice(0, 8);
const name = (what: string) => `ct-${run}-${what}`;
const noop: Observer = { accepted: () => undefined, rejected: () => undefined, unsecured: () => undefined };

interface Queue {
  readonly arn: string;
  readonly url: string;
}
async function createQueue(what: string): Promise<Queue> {
  const out = await sqsClient().send(new CreateQueueCommand({ QueueName: name(what) }));
  return { arn: sqsArn(name(what)), url: out.QueueUrl as string };
}

const attribute = (m: Message | undefined, key: string) => m?.MessageAttributes?.[key]?.StringValue;
const newUser = {
  type: 'object',
  required: ['userId'],
  properties: { userId: { type: 'string' }, age: { type: 'integer', minimum: 0 } },
};

describe('caller overrides and payload contracts on the local stack', () => {
  const tableName = name('routes');
  const dynamo = dynamoClient();
  const clients = createAwsClients(process.env, { dynamodb: dynamo });
  let parts: RouterParts;
  let dlq: Queue;

  const direct = (psarn: string, payload: unknown, headers: Record<string, string> = {}) =>
    respond(parts.router, parseEnvelope({ headers: { psarn, ...headers }, payload }), noop, {
      requestId: randomUUID(),
    }) as Promise<DeliveryReport & { error?: { code: string; message: string } }>;
  const http = async (
    psarn: string,
    body: string,
    principal?: string,
    headers: Record<string, string> = {},
  ) => {
    const answer = (await respond(
      parts.router,
      parseEnvelope(iamHttpEvent(principal, { 'x-psarn': psarn, ...headers }, body)),
      noop,
      { requestId: randomUUID() },
    )) as { statusCode: number; body: string };
    return { status: answer.statusCode, body: JSON.parse(answer.body) as Record<string, unknown> };
  };
  const ingress = (psarn: string, bodies: readonly string[]) =>
    respond(
      parts.router,
      parseEnvelope({
        Records: bodies.map((body, i) => ({
          messageId: `${run}-${randomUUID()}-${i}`,
          eventSource: 'aws:sqs',
          body,
          messageAttributes: { psarn: { stringValue: psarn, dataType: 'String' } },
        })),
      }),
      noop,
    ) as Promise<{ batchItemFailures: unknown[] }>;

  beforeAll(async () => {
    await createRouteTable(dynamo, tableName);
    dlq = await createQueue('dlq');
    parts = createRouter(
      {
        tableName,
        deadLetterQueue: dlq.arn,
        // Every test publishes a release of its own routes and sends at once: the router must see
        // it on its next event, not after up to a second (a loaded CI run met ROUTE_NOT_FOUND).
        epochCheckSeconds: 0,
        maxStaleSeconds: 60,
        negativeTtlSeconds: 5,
      },
      { dynamo, forwarders: createForwarders({ clients }).forwarderFor },
    );
  });

  async function publish(...routes: Route[]): Promise<void> {
    await new DynamoReleaseStore({ client: dynamo, tableName }).publishRelease(routes, {
      by: 'contracts.integration.test',
    });
    await new Promise((resolve) => setTimeout(resolve, 1_050));
  }

  it('caller test: two producers with different callers reach their own consumers', async () => {
    const [green, blue, canary] = await Promise.all([
      createQueue('green'),
      createQueue('blue'),
      createQueue('canary'),
    ]);
    const r = route(`/ct/${run}/callers`, {
      targets: [split(green.arn, 1)],
      callers: [
        { match: { principal: 'arn:aws:iam::000000000000:role/canary-*' }, targets: [split(canary.arn, 1)] },
        { match: { labels: { deployment: 'blue' } }, targets: [split(blue.arn, 1)] },
      ],
    });
    await publish(r);
    const blueCaller = {
      'psarn-caller': JSON.stringify({ function: 'producer-blue', labels: { deployment: 'blue' } }),
    };
    const greenCaller = {
      'psarn-caller': JSON.stringify({ function: 'producer-green', labels: { deployment: 'green' } }),
    };
    for (let n = 0; n < 5; n++) {
      expect((await direct(r.psarn, { from: 'blue', n }, blueCaller)).deliveries).toEqual([
        { target: blue.arn, role: 'split', status: 'delivered' },
      ]);
      expect((await direct(r.psarn, { from: 'green', n }, greenCaller)).deliveries).toEqual([
        { target: green.arn, role: 'split', status: 'delivered' },
      ]);
    }
    // HTTP with IAM auth: the verified principal, an assumed-role session of a canary role.
    const viaHttp = await http(
      r.psarn,
      '{"from":"canary"}',
      'arn:aws:sts::000000000000:assumed-role/canary-api/s1',
    );
    expect(viaHttp.status).toBe(200);
    // Unauthenticated HTTP with blue labels: self-asserted labels still count, principals never.
    expect((await http(r.psarn, '{"from":"http-blue"}', undefined, blueCaller)).status).toBe(200);

    const bodiesOf = async (q: Queue, n: number) =>
      (await receiveAll(q.url, { expected: n, timeoutMs: 5_000 })).map(
        (m) => JSON.parse(m.Body ?? '') as { from: string },
      );
    expect((await bodiesOf(blue, 6)).map((b) => b.from).sort()).toEqual([
      ...Array(5).fill('blue'),
      'http-blue',
    ]);
    expect((await bodiesOf(green, 5)).map((b) => b.from)).toEqual(Array(5).fill('green'));
    expect((await bodiesOf(canary, 1)).map((b) => b.from)).toEqual(['canary']);
  });

  it('rejects a malformed psarn-caller header with INVALID_HEADER before anything is sent', async () => {
    const dest = await createQueue('bad-caller');
    const r = route(`/ct/${run}/bad-caller`, { targets: [split(dest.arn, 1)] });
    await publish(r);
    const answer = await direct(r.psarn, { n: 1 }, { 'psarn-caller': '{"labels":"blue"}' });
    expect(answer.error?.code).toBe('INVALID_HEADER');
    expect(await receiveAll(dest.url, { timeoutMs: 500 })).toEqual([]);
  });

  it('schema test (reject): invalid payloads rejected with pointers in all three forms, valid ones unaffected', async () => {
    const dest = await createQueue('reject-dest');
    const r = route(`/ct/${run}/reject`, {
      targets: [split(dest.arn, 1)],
      schema: newUser,
      onInvalid: 'reject',
    });
    await publish(r);

    const bad = await direct(r.psarn, { userId: 7 });
    expect(bad.error?.code).toBe('PAYLOAD_INVALID');
    expect(bad.error?.message).toContain('/userId must be string');

    const badHttp = await http(r.psarn, '{"userId":"u","age":-3}');
    expect(badHttp.status).toBe(422);
    expect((badHttp.body['error'] as { code: string; message: string }).message).toContain(
      '/age must be >= 0',
    );

    // SQS ingress: the bad record is dead-lettered with its error (never retried forever, never lost).
    const batch = await ingress(r.psarn, ['{"userId":"ok-sqs"}', '{"age":1}', '[1,2]']);
    expect(batch.batchItemFailures).toEqual([]);
    const dead = await receiveAll(dlq.url, {
      expected: 2,
      timeoutMs: 5_000,
      filter: (m) => attribute(m, 'psarn') === r.psarn,
    });
    expect(dead.map((m) => m.Body).sort()).toEqual(['[1,2]', '{"age":1}']);
    expect(dead.map((m) => attribute(m, 'psarn-error')?.split(':')[0])).toEqual([
      'PAYLOAD_INVALID',
      'PAYLOAD_INVALID',
    ]);

    expect((await direct(r.psarn, { userId: 'ok-direct' })).deliveries[0]?.status).toBe('delivered');
    expect((await http(r.psarn, '{"userId":"ok-http"}')).status).toBe(200);
    const got = await receiveAll(dest.url, { expected: 3, timeoutMs: 5_000 });
    expect(got.map((m) => (JSON.parse(m.Body ?? '') as { userId: string }).userId).sort()).toEqual([
      'ok-direct',
      'ok-http',
      'ok-sqs',
    ]);
  });

  it('schema test (park): invalid payloads parked with reason payload-invalid in all three forms', async () => {
    const [dest, holding] = await Promise.all([createQueue('park-dest'), createQueue('park-holding')]);
    const r = route(`/ct/${run}/park`, {
      targets: [split(dest.arn, 1)],
      park: { queue: holding.arn, enabled: false },
      onFailure: 'park',
      schema: newUser,
      onInvalid: 'park',
    });
    await publish(r);

    const parked = await direct(r.psarn, { userId: 1, form: 'direct' });
    expect(parked.deliveries).toEqual([
      {
        target: holding.arn,
        role: 'park',
        status: 'parked',
        error: expect.objectContaining({ code: 'PAYLOAD_INVALID', reason: 'rejected' }),
      },
    ]);
    expect((await http(r.psarn, '{"form":"http"}')).status).toBe(200);
    expect((await ingress(r.psarn, ['{"form":"sqs"}', '{"userId":"fine"}'])).batchItemFailures).toEqual([]);

    const held = await receiveAll(holding.url, { expected: 3, timeoutMs: 5_000 });
    expect(held.map((m) => (JSON.parse(m.Body ?? '') as { form: string }).form).sort()).toEqual([
      'direct',
      'http',
      'sqs',
    ]);
    expect(held.map((m) => attribute(m, 'psarn-park-reason'))).toEqual(Array(3).fill('payload-invalid'));
    expect(held.every((m) => attribute(m, 'psarn-error')?.startsWith('PAYLOAD_INVALID: ') === true)).toBe(
      true,
    );
    const delivered = await receiveAll(dest.url, { expected: 1, timeoutMs: 5_000 });
    expect(delivered.map((m) => m.Body)).toEqual(['{"userId":"fine"}']);
  });

  it('parks invalid payloads of a route without a park queue in the router DLQ', async () => {
    const dest = await createQueue('dlq-dest');
    const r = route(`/ct/${run}/park-dlq`, {
      targets: [split(dest.arn, 1)],
      schema: newUser,
      onInvalid: 'park',
    });
    await publish(r);
    const answer = await direct(r.psarn, { nope: true });
    expect(answer.deliveries.map((d) => [d.target, d.status])).toEqual([[dlq.arn, 'dead-lettered']]);
    const [kept] = await receiveAll(dlq.url, {
      expected: 1,
      timeoutMs: 5_000,
      filter: (m) => attribute(m, 'psarn') === r.psarn,
    });
    expect(attribute(kept, 'psarn-park-reason')).toBe('payload-invalid');
    expect(await receiveAll(dest.url, { timeoutMs: 500 })).toEqual([]);
  });

  it('checks the contract in direct mode (DirectClient) through the same admission', async () => {
    const dest = await createQueue('client-dest');
    const r = route(`/ct/${run}/client`, { targets: [split(dest.arn, 1)], schema: newUser });
    await publish(r);
    const client = new DirectClient({ clients, tableName, deadLetterQueue: dlq.arn, epochCheckSeconds: 1 });
    await expect(client.send(r.psarn, { userId: 3 })).rejects.toBeInstanceOf(PayloadInvalidError);
    await expect(client.send(r.psarn, { userId: 'u' })).resolves.toMatchObject({
      deliveries: [{ target: dest.arn, status: 'delivered' }],
    });
    expect((await receiveAll(dest.url, { expected: 1, timeoutMs: 5_000 })).map((m) => m.Body)).toEqual([
      '{"userId":"u"}',
    ]);
  });

  it('through the router Lambda handler itself: callers reach their own consumers, invalid payloads are refused', async () => {
    const [green, blue] = await Promise.all([createQueue('h-green'), createQueue('h-blue')]);
    const r = route(`/ct/${run}/handler`, {
      targets: [split(green.arn, 1)],
      callers: [{ match: { labels: { deployment: 'blue' } }, targets: [split(blue.arn, 1)] }],
      schema: newUser,
    });
    await publish(r);
    const handler = loadHandler({ PSARN_TABLE: tableName, PSARN_DLQ_ARN: dlq.arn });
    const invoke = (payload: unknown, caller?: object) =>
      handler(
        {
          headers: {
            psarn: r.psarn,
            ...(caller === undefined ? {} : { 'psarn-caller': JSON.stringify(caller) }),
          },
          payload,
        },
        lambdaContext(),
      ) as Promise<DeliveryReport & { error?: { code: string } }>;
    const quiet = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(
        (await invoke({ userId: 'b' }, { function: 'producer-blue', labels: { deployment: 'blue' } }))
          .deliveries,
      ).toEqual([{ target: blue.arn, role: 'split', status: 'delivered' }]);
      expect((await invoke({ userId: 'g' }, { function: 'producer-green' })).deliveries).toEqual([
        { target: green.arn, role: 'split', status: 'delivered' },
      ]);
      expect((await invoke({ userId: 42 }, { labels: { deployment: 'blue' } })).error?.code).toBe(
        'PAYLOAD_INVALID',
      );
    } finally {
      quiet.mockRestore();
    }
    expect((await receiveAll(blue.url, { expected: 1, timeoutMs: 5_000 })).map((m) => m.Body)).toEqual([
      '{"userId":"b"}',
    ]);
    expect((await receiveAll(green.url, { expected: 1, timeoutMs: 5_000 })).map((m) => m.Body)).toEqual([
      '{"userId":"g"}',
    ]);
  });
});
