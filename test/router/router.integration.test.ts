/**
 * The router against the real local emulators the suite started (dynalite, fauxqs,
 * serverless-offline, the EventBridge plugin): real route table, real queues, topic, bus and
 * functions. The router runs in-process (the same code as the Lambda handler) on a route table
 * of its own, so this file can publish releases without racing other files.
 */
import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, DeleteQueueCommand, type Message } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createRouter, type RouterParts } from '../../src/router/wiring';
import { parseEnvelope } from '../../src/router/envelope';
import { respond, type Observer } from '../../src/router/respond';
import { createAwsClients } from '../../src/targets/clients';
import { createForwarders } from '../../src/targets/registry';
import { createRouteTable } from '../../src/store/create-route-table';
import { DynamoReleaseStore } from '../../src/store/dynamo-release-store';
import { startDynalite } from '../../src/local/dynalite';
import type { Route } from '../../src/routes/model';
import type { DeliveryReport } from '../../src/delivery/report';
import {
  dynamoClient,
  queueDepth,
  queueUrl,
  receiveAll,
  sqsClient,
  stackVar,
  waitForRecords,
} from '../support/stack';
import { busArn, lambdaArn, psarnOf, route, snsArn, split, sqsArn, target } from '../support/routes';

const run = randomUUID().slice(0, 8);
const name = (what: string) => `it-${run}-${what}`;
const noop: Observer = { accepted: () => undefined, rejected: () => undefined, unsecured: () => undefined };

interface Queue {
  readonly arn: string;
  readonly url: string;
}
async function createQueue(what: string): Promise<Queue> {
  const out = await sqsClient().send(new CreateQueueCommand({ QueueName: name(what) }));
  return { arn: sqsArn(name(what)), url: out.QueueUrl as string };
}

function buildRouter(
  tableName: string,
  dlq: string,
  dynamo: DynamoDBClient,
  epochCheckSeconds = 1,
): RouterParts {
  const clients = createAwsClients(process.env, { dynamodb: dynamo });
  return createRouter(
    { tableName, deadLetterQueue: dlq, epochCheckSeconds, maxStaleSeconds: 60, negativeTtlSeconds: 5 },
    { dynamo, forwarders: createForwarders({ clients }).forwarderFor },
  );
}

const direct = (parts: RouterParts, psarn: string, payload: unknown) =>
  respond(parts.router, parseEnvelope({ headers: { psarn }, payload }), noop) as Promise<DeliveryReport>;

/** SQS ingress form: batches of 10 records, so deliveries go out in batches too. */
async function viaIngress(parts: RouterParts, psarn: string, payloads: readonly unknown[]): Promise<void> {
  for (let i = 0; i < payloads.length; i += 10) {
    const records = payloads.slice(i, i + 10).map((payload, j) => ({
      messageId: `${run}-${i + j}`,
      eventSource: 'aws:sqs',
      body: JSON.stringify(payload),
      messageAttributes: { psarn: { stringValue: psarn, dataType: 'String' } },
    }));
    const result = (await respond(parts.router, parseEnvelope({ Records: records }), noop)) as {
      batchItemFailures: unknown[];
    };
    expect(result.batchItemFailures).toEqual([]);
  }
}

const bodies = (messages: readonly Message[]) => messages.map((m) => m.Body);
const attribute = (m: Message | undefined, key: string) => m?.MessageAttributes?.[key]?.StringValue;

describe('the router on the local stack', () => {
  const tableName = name('routes');
  const dynamo = dynamoClient();
  const releases = new DynamoReleaseStore({ client: dynamo, tableName });
  let parts: RouterParts;
  let dlq: Queue;

  beforeAll(async () => {
    await createRouteTable(dynamo, tableName);
    dlq = await createQueue('dlq');
    parts = buildRouter(tableName, dlq.arn, dynamo);
  });

  /** Publishes a release and waits out the router's epochCheckSeconds (1 s), as a user would. */
  async function publish(...routes: Route[]): Promise<void> {
    await releases.publishRelease(routes, { by: 'router.integration.test' });
    await new Promise((resolve) => setTimeout(resolve, 1_050));
  }

  it('delivers a payload byte for byte to a queue, a topic, a bus and a function', async () => {
    const id = randomUUID();
    const queue = await createQueue('all');
    const all = route(`/it/${run}/all`, {
      targets: [split(queue.arn, 1)],
      fanout: [
        target(snsArn('psarn-local-audit')),
        target(busArn('psarn-local-bus'), { detailType: 'ItDelivered' }),
        target(lambdaArn('psarn-local-signupV1')),
      ],
    });
    await publish(all);
    const payload = { id, name: 'Zoë – 東京 "quoted" \\ back', nested: { list: [1, 2.5, null, true] } };
    const text = JSON.stringify(payload);

    const report = await direct(parts, all.psarn, payload);
    expect(report.deliveries.map((d) => d.status)).toEqual([
      'delivered',
      'delivered',
      'delivered',
      'delivered',
    ]);

    const [atQueue] = await receiveAll(queue.url, { expected: 1 });
    expect(atQueue?.Body).toBe(text);
    expect(attribute(atQueue, 'psarn')).toBe(all.psarn);
    expect(attribute(atQueue, 'psarn-trace-id')).toBe(report.traceId);

    const [atTopic] = await receiveAll(await queueUrl('audit-copy'), {
      expected: 1,
      timeoutMs: 10_000,
      filter: (m) => m.Body?.includes(id) === true,
    });
    expect(atTopic?.Body).toBe(text);

    const [atFunction] = await waitForRecords('signupV1', (r) => JSON.stringify(r.event).includes(id));
    expect(JSON.stringify(atFunction?.event)).toBe(text);

    const [atBus] = await waitForRecords('busListener', (r) => JSON.stringify(r.event).includes(id), {
      timeoutMs: 15_000,
    });
    expect(atBus?.event).toMatchObject({ 'detail-type': 'ItDelivered', source: 'psarn' });
    expect(JSON.stringify((atBus?.event as { detail: unknown }).detail)).toBe(text);
  });

  it('lands a 90/10 canary within 3 points of its weights over 2,000 events', async () => {
    const [live, canary] = await Promise.all([createQueue('live'), createQueue('canary')]);
    const canaryRoute = route(`/it/${run}/canary`, { targets: [split(live.arn, 90), split(canary.arn, 10)] });
    await publish(canaryRoute);
    await viaIngress(
      parts,
      canaryRoute.psarn,
      Array.from({ length: 2000 }, (_, n) => ({ n })),
    );
    const atLive: Message[] = [];
    const atCanary: Message[] = [];
    const deadline = Date.now() + 20_000;
    while (atLive.length + atCanary.length < 2000 && Date.now() < deadline) {
      const [l, c] = await Promise.all([receiveAll(live.url), receiveAll(canary.url)]);
      atLive.push(...l);
      atCanary.push(...c);
    }
    expect(atLive.length + atCanary.length).toBe(2000);
    expect(Math.abs(atLive.length / 2000 - 0.9)).toBeLessThanOrEqual(0.03);
    expect(Math.abs(atCanary.length / 2000 - 0.1)).toBeLessThanOrEqual(0.03);
  });

  it('fans out exactly one copy per fanout target per event', async () => {
    const [main, copyA, copyB] = await Promise.all([
      createQueue('main'),
      createQueue('copyA'),
      createQueue('copyB'),
    ]);
    const fan = route(`/it/${run}/fan`, {
      targets: [split(main.arn, 1)],
      fanout: [target(copyA.arn), target(copyB.arn)],
    });
    await publish(fan);
    const payloads = Array.from({ length: 50 }, (_, n) => ({ n }));
    await viaIngress(parts, fan.psarn, payloads);
    const expected = payloads.map((p) => JSON.stringify(p)).sort();
    for (const queue of [main, copyA, copyB]) {
      const got = await receiveAll(queue.url, { expected: 50, timeoutMs: 3_000 });
      expect(bodies(got).sort()).toEqual(expected);
      expect(await queueDepth(queue.url)).toBe(0); // and not one copy more
    }
  });

  it('holds every event of a parked route in its holding queue and sends none to its targets', async () => {
    const [dest, holding] = await Promise.all([createQueue('parked-dest'), createQueue('holding')]);
    const parked = route(`/it/${run}/parked`, {
      targets: [split(dest.arn, 1)],
      park: { queue: holding.arn, enabled: true },
      onFailure: 'park',
    });
    await publish(parked);
    await viaIngress(
      parts,
      parked.psarn,
      Array.from({ length: 30 }, (_, n) => ({ n })),
    );
    const held = await receiveAll(holding.url, { expected: 30, timeoutMs: 3_000 });
    expect(held).toHaveLength(30);
    expect(attribute(held[0], 'psarn-park-reason')).toBe('route-parked');
    expect(await receiveAll(dest.url, { timeoutMs: 500 })).toEqual([]);
  });

  it('keeps every event of a failing target: parked or dead-lettered with the error, none lost', async () => {
    const [fanCopy, holding, doomed] = await Promise.all([
      createQueue('fan-copy'),
      createQueue('fail-hold'),
      createQueue('doomed'),
    ]);
    await sqsClient().send(new DeleteQueueCommand({ QueueUrl: doomed.url }));
    const throwing = route(`/it/${run}/throws`, {
      targets: [split(lambdaArn('psarn-local-alwaysFails'), 1)],
      fanout: [target(fanCopy.arn)],
      park: { queue: holding.arn, enabled: false },
      onFailure: 'park',
    });
    const deleted = route(`/it/${run}/deleted`, { targets: [split(doomed.arn, 1)], onFailure: 'dlq' });
    await publish(throwing, deleted);

    const reports: DeliveryReport[] = [];
    for (let n = 0; n < 10; n++) {
      reports.push(await direct(parts, throwing.psarn, { n, route: 'throws' }));
      reports.push(await direct(parts, deleted.psarn, { n, route: 'deleted' }));
    }
    const statuses = reports.flatMap((r) => r.deliveries.map((d) => d.status));
    const count = (status: string) => statuses.filter((s) => s === status).length;
    // 20 accepted events planned 30 copies: each one delivered, parked or dead-lettered.
    expect({
      delivered: count('delivered'),
      parked: count('parked'),
      deadLettered: count('dead-lettered'),
    }).toEqual({
      delivered: 10,
      parked: 10,
      deadLettered: 10,
    });

    const held = await receiveAll(holding.url, { expected: 10, timeoutMs: 3_000 });
    expect(held).toHaveLength(10);
    expect(attribute(held[0], 'psarn-target')).toBe(lambdaArn('psarn-local-alwaysFails'));
    expect(attribute(held[0], 'psarn-error')).toMatch(/^FUNCTION_ERROR: .*psarn-local-alwaysFails/);
    const dead = await receiveAll(dlq.url, {
      expected: 10,
      timeoutMs: 3_000,
      filter: (m) => m.Body?.includes('deleted') === true,
    });
    expect(dead).toHaveLength(10);
    expect(attribute(dead[0], 'psarn-target')).toBe(doomed.arn);
    expect(await receiveAll(fanCopy.url, { expected: 10, timeoutMs: 3_000 })).toHaveLength(10);
    expect(await queueDepth(fanCopy.url)).toBe(0);
    expect(attribute(dead[0], 'psarn-error')).toMatch(/^TARGET_FAILED: /);
  });

  it('reads the route table at most twice for 1,000 events on one cached route', async () => {
    const queue = await createQueue('cached');
    const cached = route(`/it/${run}/cached`, { ttl: 300, targets: [split(queue.arn, 1)] });
    await publish(cached);
    const fresh = buildRouter(tableName, dlq.arn, dynamo, 60);
    await viaIngress(
      fresh,
      cached.psarn,
      Array.from({ length: 1000 }, (_, n) => ({ n })),
    );
    expect(fresh.cache.stats.storeReads).toBeLessThanOrEqual(2);
    expect(await receiveAll(queue.url, { expected: 1000, timeoutMs: 15_000 })).toHaveLength(1000);
    expect(await queueDepth(queue.url)).toBe(0);
  });

  it('sees an applied change of a route within epochCheckSeconds', async () => {
    const [before, after] = await Promise.all([createQueue('before'), createQueue('after')]);
    const moving = route(`/it/${run}/moving`, { ttl: 300, targets: [split(before.arn, 1)] });
    await publish(moving);
    await direct(parts, moving.psarn, { step: 1 });
    await publish({ ...moving, targets: [split(after.arn, 1)] });
    await direct(parts, moving.psarn, { step: 2 });
    expect(bodies(await receiveAll(before.url, { expected: 1, timeoutMs: 5_000 }))).toEqual(['{"step":1}']);
    expect(bodies(await receiveAll(after.url, { expected: 1, timeoutMs: 5_000 }))).toEqual(['{"step":2}']);
  });
});

describe('the router when DynamoDB goes away', () => {
  it('keeps routing cached psARNs from stale entries and fails unknown ones clearly', async () => {
    const dynalite = await startDynalite();
    const dynamo = new DynamoDBClient({ endpoint: dynalite.endpoint, maxAttempts: 2 });
    try {
      const tableName = name('outage');
      await createRouteTable(dynamo, tableName);
      const queue = await createQueue('outage');
      const cached = route(`/it/${run}/outage`, { ttl: 1, targets: [split(queue.arn, 1)] });
      await new DynamoReleaseStore({ client: dynamo, tableName }).publishRelease([cached], { by: 'test' });
      const dlqArn = sqsArn(name('dlq'));
      const parts = buildRouter(tableName, dlqArn, dynamo, 1);

      await direct(parts, cached.psarn, { phase: 'before' });
      await dynalite.stop();
      await new Promise((resolve) => setTimeout(resolve, 1_200)); // past the route's 1 s TTL

      const report = await direct(parts, cached.psarn, { phase: 'during' });
      expect(report.deliveries.map((d) => d.status)).toEqual(['delivered']);
      expect(parts.cache.stats.staleServes).toBeGreaterThanOrEqual(1);
      // Not answered away: the invocation fails, so Lambda (or the producer) retries it later.
      await expect(direct(parts, psarnOf(`/it/${run}/never-seen`), {})).rejects.toMatchObject({
        code: 'STORE_UNAVAILABLE',
      });
      expect(bodies(await receiveAll(queue.url, { expected: 2, timeoutMs: 2_000 })).sort()).toEqual([
        '{"phase":"before"}',
        '{"phase":"during"}',
      ]);
    } finally {
      dynamo.destroy();
      await dynalite.stop();
    }
  });
});

// The stack's variables must be there: a run without the emulators is a broken setup, not a pass.
test('runs against the stack the suite started', () => {
  expect(stackVar('AWS_ENDPOINT_URL_SQS')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
});
