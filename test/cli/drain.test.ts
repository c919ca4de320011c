/**
 * `psarn drain` against the local stack: events parked by the router wait in a real holding
 * queue (fauxqs), the route is unparked by a new release (dynalite), and the drain re-drives them.
 */
import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { main } from '../../src/cli/main';
import { createRouter } from '../../src/router/wiring';
import { parseEnvelope } from '../../src/router/envelope';
import { respond } from '../../src/router/respond';
import { createAwsClients } from '../../src/targets/clients';
import { createForwarders } from '../../src/targets/registry';
import { createRouteTable } from '../../src/store/create-route-table';
import { DynamoReleaseStore } from '../../src/store/dynamo-release-store';
import type { Route } from '../../src/routes/model';
import { dynamoClient, queueDepth, receiveAll, sqsClient } from '../support/stack';
import { captureIo } from '../support/cli';
import { route, split, sqsArn, target } from '../support/routes';

const run = randomUUID().slice(0, 8);
const name = (what: string) => `drain-${run}-${what}`;
const tableName = name('routes');
const dynamo = dynamoClient();
const releases = new DynamoReleaseStore({ client: dynamo, tableName });

async function createQueue(what: string, fifo = false): Promise<{ arn: string; url: string }> {
  const queueName = name(what) + (fifo ? '.fifo' : '');
  const out = await sqsClient().send(
    new CreateQueueCommand({ QueueName: queueName, ...(fifo ? { Attributes: { FifoQueue: 'true' } } : {}) }),
  );
  return { arn: sqsArn(queueName), url: out.QueueUrl as string };
}

async function publish(...routes: Route[]): Promise<void> {
  await releases.publishRelease(routes, { by: 'drain.test' });
}

const drain = async (...args: string[]) => {
  const io = captureIo();
  const code = await main(['drain', ...args, '--table', tableName], io);
  return { code, out: io.out(), err: io.err() };
};

beforeAll(async () => {
  await createRouteTable(dynamo, tableName);
});

describe('psarn drain', () => {
  it('re-drives 500 parked events through the live route, each delivered once, and empties the holding queue', async () => {
    const [dest, holding] = await Promise.all([createQueue('dest'), createQueue('holding')]);
    const parked = route(`/drain/${run}/orders`, {
      targets: [split(dest.arn, 1)],
      park: { queue: holding.arn, enabled: true },
      onFailure: 'park',
    });
    await publish(parked);
    const clients = createAwsClients();
    const { router } = createRouter(
      { tableName, epochCheckSeconds: 60, maxStaleSeconds: 60, negativeTtlSeconds: 1 },
      { dynamo, forwarders: createForwarders({ clients }).forwarderFor },
    );
    for (let i = 0; i < 500; i += 10) {
      const records = Array.from({ length: 10 }, (_, j) => ({
        messageId: `${run}-${i + j}`,
        eventSource: 'aws:sqs',
        body: JSON.stringify({ n: i + j }),
        messageAttributes: { psarn: { stringValue: parked.psarn } },
      }));
      await respond(router, parseEnvelope({ Records: records }), {
        accepted: () => undefined,
        rejected: () => undefined,
        unsecured: () => undefined,
      });
    }

    // A dry run says it would refuse, as the real drain does, instead of planning into the park queue.
    const dry = await drain(parked.psarn, '--dry-run');
    expect(dry.code).toBe(1);
    expect(dry.err).toMatch(
      /^error \[NOT_PARKABLE\]: dry run: the drain would refuse: .* is still parked: unpark it first/,
    );
    expect(dry.err).toContain('nothing was sent or deleted');

    const refused = await drain(parked.psarn);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('is still parked: unpark it first');

    await publish({ ...parked, park: { queue: holding.arn, enabled: false } });
    const { code, out, err } = await drain(parked.psarn);
    expect(code).toBe(0);
    expect(out).toMatch(
      new RegExp(
        `^drained ${holding.arn}: 500 of 500 messages in [\\d.]+ s — 500 delivered, 0 failed \\(left in the queue\\), 0 skipped\\n$`,
      ),
    );
    expect(err.trim().split('\n').at(-1)).toMatch(/^draining 500\/500 [\d.]+\/s ETA 0s$/);

    const delivered = await receiveAll(dest.url, { expected: 500, timeoutMs: 10_000 });
    expect(new Set(delivered.map((m) => m.Body)).size).toBe(500);
    expect(delivered).toHaveLength(500);
    // Once each: nothing more arrives, and the holding queue is empty, in-flight messages included.
    expect(await receiveAll(dest.url, { timeoutMs: 500 })).toEqual([]);
    expect(await queueDepth(dest.url)).toBe(0);
    expect(await queueDepth(holding.url)).toBe(0);
  });

  it('sends a copy kept after its fanout target failed back to that target only', async () => {
    const [main, audit, holding] = await Promise.all([
      createQueue('main'),
      createQueue('audit'),
      createQueue('hold2'),
    ]);
    const r = route(`/drain/${run}/fan`, {
      targets: [split(main.arn, 1)],
      fanout: [target(audit.arn)],
      park: { queue: holding.arn, enabled: false },
      onFailure: 'park',
    });
    await publish(r);
    const attributes = (values: Record<string, string>) =>
      Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]));
    await sqsClient().send(
      new SendMessageCommand({
        QueueUrl: holding.url,
        MessageBody: '{"order":1}',
        MessageAttributes: attributes({
          psarn: r.psarn,
          'psarn-trace-id': 't-1',
          'psarn-target': audit.arn,
          'psarn-park-reason': 'target-failed',
          'psarn-role': 'fanout',
        }),
      }),
    );
    const { code, out } = await drain(r.psarn, '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ queue: holding.arn, total: 1, done: 1, delivered: 1, failed: 0 });
    expect((await receiveAll(audit.url, { expected: 1 })).map((m) => m.Body)).toEqual(['{"order":1}']);
    expect(await receiveAll(main.url, { timeoutMs: 500 })).toEqual([]);
  });

  it.each(['deadline', 'some-future-reason'])(
    'treats a copy kept for reason %s like a failed target: back to that target only',
    async (reason) => {
      const [main, audit, holding] = await Promise.all([
        createQueue(`main-${reason}`),
        createQueue(`audit-${reason}`),
        createQueue(`hold-${reason}`),
      ]);
      const r = route(`/drain/${run}/reason-${reason}`, {
        targets: [split(main.arn, 1)],
        fanout: [target(audit.arn)],
        park: { queue: holding.arn, enabled: false },
        onFailure: 'park',
      });
      await publish(r);
      await sqsClient().send(
        new SendMessageCommand({
          QueueUrl: holding.url,
          MessageBody: '{"order":2}',
          MessageAttributes: Object.fromEntries(
            Object.entries({
              psarn: r.psarn,
              'psarn-trace-id': `t-${reason}`,
              'psarn-target': audit.arn,
              'psarn-park-reason': reason,
              'psarn-role': 'fanout',
              'psarn-route': r.psarn,
            }).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
          ),
        }),
      );
      const { code, out } = await drain(r.psarn, '--json');
      expect(code).toBe(0);
      expect(JSON.parse(out)).toMatchObject({ total: 1, done: 1, delivered: 1, failed: 0 });
      expect((await receiveAll(audit.url, { expected: 1 })).map((m) => m.Body)).toEqual(['{"order":2}']);
      expect(await receiveAll(main.url, { timeoutMs: 500 })).toEqual([]);
    },
  );

  it("drains only this psARN's messages from the router DLQ, leaving the others", async () => {
    const [dest, dlq] = await Promise.all([createQueue('dlq-dest'), createQueue('router-dlq')]);
    const mine = route(`/drain/${run}/mine`, { targets: [split(dest.arn, 1)] });
    await publish(mine);
    for (const [psarn, n] of [
      [mine.psarn, 1],
      ['arn:aws:psarns:us-east-1:000000000000:/someone/else', 2],
      [mine.psarn, 3],
    ] as const) {
      await sqsClient().send(
        new SendMessageCommand({
          QueueUrl: dlq.url,
          MessageBody: JSON.stringify({ n }),
          MessageAttributes: { psarn: { DataType: 'String', StringValue: psarn } },
        }),
      );
    }
    const { code, out } = await drain(mine.psarn, '--dlq', '--dlq-arn', dlq.arn, '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ delivered: 2, skipped: 1, skippedBy: { 'other-psarn': 1 } });
    expect((await receiveAll(dest.url, { expected: 2 })).map((m) => m.Body).sort()).toEqual([
      '{"n":1}',
      '{"n":3}',
    ]);
    expect((await receiveAll(dlq.url, { expected: 1 })).map((m) => m.Body)).toEqual(['{"n":2}']);
  });

  it('shows where messages would go with --dry-run, and keeps them', async () => {
    const [dest, holding] = await Promise.all([createQueue('dry-dest'), createQueue('dry-hold')]);
    const r = route(`/drain/${run}/dry`, {
      targets: [split(dest.arn, 1)],
      park: { queue: holding.arn, enabled: false },
    });
    await publish(r);
    await sqsClient().send(
      new SendMessageCommand({
        QueueUrl: holding.url,
        MessageBody: '{"k":1}',
        MessageAttributes: { 'psarn-trace-id': { DataType: 'String', StringValue: 'trace-dry' } },
      }),
    );
    const { code, out } = await drain(r.psarn, '--dry-run');
    expect(code).toBe(0);
    expect(out).toContain(`would send trace-dry → ${dest.arn}`);
    expect(await receiveAll(dest.url, { timeoutMs: 500 })).toEqual([]);
    expect((await receiveAll(holding.url, { expected: 1 })).map((m) => m.Body)).toEqual(['{"k":1}']);
  });
});
