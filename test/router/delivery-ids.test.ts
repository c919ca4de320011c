/**
 * Defects of "Nothing lost under faults" (items 1 and 2), on the real emulators: a FIFO target
 * deduplicates by the event's own id, never by the trace id many events share; a retried
 * invocation sends only the copies that did not reach their target (the retry ledger, in the
 * route table on dynalite).
 */
import { randomUUID } from 'node:crypto';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { createRouter, type RouterParts } from '../../src/router/wiring';
import { parseEnvelope } from '../../src/router/envelope';
import { respond, DeliveryIncompleteError, type Observer } from '../../src/router/respond';
import { createForwarders } from '../../src/targets/registry';
import { createRouteTable } from '../../src/store/create-route-table';
import { DynamoReleaseStore } from '../../src/store/dynamo-release-store';
import type { Route } from '../../src/routes/model';
import { dynamoClient, receiveAll, sqsClient } from '../support/stack';
import { route, split, sqsArn, target } from '../support/routes';

const run = randomUUID().slice(0, 8);
const name = (what: string) => `ids-${run}-${what}`;
const noop: Observer = { accepted: () => undefined, rejected: () => undefined, unsecured: () => undefined };

async function createQueue(what: string, fifo = false): Promise<{ arn: string; url: string }> {
  const queueName = fifo ? `${name(what)}.fifo` : name(what);
  const out = await sqsClient().send(
    new CreateQueueCommand({
      QueueName: queueName,
      ...(fifo ? { Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' } } : {}),
    }),
  );
  return { arn: sqsArn(queueName), url: out.QueueUrl as string };
}

describe('event ids and retries on the local stack', () => {
  const tableName = name('routes');
  const dynamo = dynamoClient();
  const releases = new DynamoReleaseStore({ client: dynamo, tableName });
  let parts: RouterParts;
  let dlq: { arn: string; url: string };

  beforeAll(async () => {
    await createRouteTable(dynamo, tableName);
    dlq = await createQueue('dlq');
    parts = buildRouter(dlq.arn);
  });

  function buildRouter(deadLetterQueue: string): RouterParts {
    return createRouter(
      { tableName, deadLetterQueue, epochCheckSeconds: 0, maxStaleSeconds: 60, negativeTtlSeconds: 0 },
      { dynamo, forwarders: createForwarders().forwarderFor },
    );
  }

  async function publish(...routes: Route[]): Promise<void> {
    await releases.publishRelease(routes, { by: 'delivery-ids.test' });
  }

  describe('FIFO deduplication (defect 1)', () => {
    it('delivers three distinct events that share one trace id, over direct invokes and SQS ingress', async () => {
      const orders = await createQueue('orders', true);
      const r = route(`/ids/${run}/orders`, {
        targets: [split(orders.arn, 1, { groupBy: 'payload.customer' })],
      });
      await publish(r);
      for (const n of [1, 2, 3]) {
        await respond(
          parts.router,
          parseEnvelope({
            headers: { psarn: r.psarn, 'psarn-trace-id': 'shared' },
            payload: { n, customer: 'c1' },
          }),
          noop,
          {
            requestId: `req-${run}-${n}`,
          },
        );
      }
      const records = [4, 5, 6].map((n) => ({
        messageId: `msg-${run}-${n}`,
        eventSource: 'aws:sqs',
        body: JSON.stringify({ n, customer: 'c1' }),
        messageAttributes: { psarn: { stringValue: r.psarn }, 'psarn-trace-id': { stringValue: 'shared' } },
      }));
      await respond(parts.router, parseEnvelope({ Records: records }), noop);
      const got = await receiveAll(orders.url, { expected: 6, timeoutMs: 15_000 });
      expect(got.map((m) => JSON.parse(m.Body ?? '{}').n)).toEqual([1, 2, 3, 4, 5, 6]);
    });

    it('parks distinct events with one trace id in a FIFO holding queue as distinct messages', async () => {
      const hold = await createQueue('hold', true);
      const r = route(`/ids/${run}/parked`, {
        targets: [split(sqsArn(name('never')), 1)],
        park: { queue: hold.arn, enabled: true, groupBy: 'psarn' },
      });
      await publish(r);
      for (const n of [1, 2, 3]) {
        const report = await respond(
          parts.router,
          parseEnvelope({ headers: { psarn: r.psarn, 'psarn-trace-id': 'shared' }, payload: { n } }),
          noop,
          {
            requestId: `req-${run}-p${n}`,
          },
        );
        expect(report).toMatchObject({ deliveries: [{ status: 'parked' }] });
      }
      const got = await receiveAll(hold.url, { expected: 3, timeoutMs: 15_000 });
      expect(got.map((m) => JSON.parse(m.Body ?? '{}').n)).toEqual([1, 2, 3]);
    });

    it('delivers both copies of an alias diamond that reaches one FIFO queue twice', async () => {
      const q = await createQueue('diamond', true);
      const left = route(`/ids/${run}/left`, { targets: [split(q.arn, 1, { groupBy: 'payload.g' })] });
      const right = route(`/ids/${run}/right`, { targets: [split(q.arn, 1, { groupBy: 'payload.g' })] });
      const top = route(`/ids/${run}/top`, {
        targets: [split(left.psarn, 1)],
        fanout: [target(right.psarn)],
      });
      await publish(left, right, top);
      const report = (await respond(
        parts.router,
        parseEnvelope({ headers: { psarn: top.psarn }, payload: { g: 'x' } }),
        noop,
        {
          requestId: `req-${run}-d`,
        },
      )) as { deliveries: { status: string }[] };
      expect(report.deliveries.map((d) => d.status)).toEqual(['delivered', 'delivered']);
      expect(await receiveAll(q.url, { expected: 2, timeoutMs: 15_000 })).toHaveLength(2);
    });

    it('still deduplicates a retry of the same SQS record', async () => {
      const q = await createQueue('retry', true);
      const r = route(`/ids/${run}/retry`, { targets: [split(q.arn, 1, { groupBy: 'payload.g' })] });
      await publish(r);
      const record = {
        messageId: `msg-${run}-same`,
        eventSource: 'aws:sqs',
        body: '{"g":"a"}',
        messageAttributes: { psarn: { stringValue: r.psarn } },
      };
      await respond(parts.router, parseEnvelope({ Records: [record] }), noop);
      await respond(parts.router, parseEnvelope({ Records: [record] }), noop);
      expect(await receiveAll(q.url, { expected: 2, timeoutMs: 2500 })).toHaveLength(1);
    });
  });

  describe('a retried invocation sends only what is missing (defect 2)', () => {
    // The fanout queue does not exist yet and the DLQ does not exist at all, so its copy can be
    // kept nowhere and the invocation fails; then the queue appears and the retry comes.
    async function scenario(what: string) {
      const ok = await createQueue(`${what}-ok`);
      const lateName = name(`${what}-late`);
      const r = route(`/ids/${run}/${what}`, {
        targets: [split(ok.arn, 1)],
        fanout: [target(sqsArn(lateName))],
      });
      await publish(r);
      const router = buildRouter(sqsArn(name('no-dlq'))).router;
      const appear = async () =>
        (await sqsClient().send(new CreateQueueCommand({ QueueName: lateName }))).QueueUrl as string;
      return { r, ok, router, appear };
    }

    it('SQS ingress: a redelivered record (ApproximateReceiveCount 2) skips the copy that was delivered', async () => {
      const { r, ok, router, appear } = await scenario('sqs');
      const record = (count: number) => ({
        messageId: `msg-${run}-ledger`,
        eventSource: 'aws:sqs',
        body: '{"id":1}',
        attributes: { ApproximateReceiveCount: String(count) },
        messageAttributes: { psarn: { stringValue: r.psarn } },
      });
      expect(await respond(router, parseEnvelope({ Records: [record(1)] }), noop)).toEqual({
        batchItemFailures: [{ itemIdentifier: `msg-${run}-ledger` }],
      });
      const late = await appear();
      expect(await respond(router, parseEnvelope({ Records: [record(2)] }), noop)).toEqual({
        batchItemFailures: [],
      });
      expect(await receiveAll(ok.url, { expected: 2, timeoutMs: 2500 })).toHaveLength(1);
      expect(await receiveAll(late, { expected: 1, timeoutMs: 2500 })).toHaveLength(1);
    });

    it("direct async invoke: Lambda's retry with the same request id skips the delivered copy", async () => {
      const { r, ok, router, appear } = await scenario('direct');
      const envelope = { headers: { psarn: r.psarn }, payload: { id: 2 } };
      const requestId = `req-${run}-ledger`;
      await expect(respond(router, parseEnvelope(envelope), noop, { requestId })).rejects.toBeInstanceOf(
        DeliveryIncompleteError,
      );
      const late = await appear();
      const report = (await respond(router, parseEnvelope(envelope), noop, { requestId, retried: true })) as {
        deliveries: { target: string; status: string }[];
      };
      expect(report.deliveries.map((d) => d.status)).toEqual(['delivered', 'delivered']);
      expect(await receiveAll(ok.url, { expected: 2, timeoutMs: 2500 })).toHaveLength(1);
      expect(await receiveAll(late, { expected: 1, timeoutMs: 2500 })).toHaveLength(1);
    });
  });
});
