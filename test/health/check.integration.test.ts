/**
 * `psarn check` on the local stack: a real route table (dynalite) whose live release names real
 * queues (fauxqs). Deleting a queue makes it `removed`; `--write` records that, and a router
 * reading the same table stops selecting it within epochCheckSeconds — measured over 1,000 events
 * — with the split renormalised onto the rest; re-created, it is healthy and chosen again.
 */
import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, DeleteQueueCommand } from '@aws-sdk/client-sqs';
import { main } from '../../src/cli/main';
import { createRouter, type RouterParts } from '../../src/router/wiring';
import { parseEnvelope } from '../../src/router/envelope';
import { respond, type Observer } from '../../src/router/respond';
import { createAwsClients } from '../../src/targets/clients';
import { createForwarders } from '../../src/targets/registry';
import { createRouteTable } from '../../src/store/create-route-table';
import { DynamoReleaseStore } from '../../src/store/dynamo-release-store';
import { HealthStore } from '../../src/health/health-store';
import { HealthWatcher } from '../../src/health/health-watcher';
import type { DeliveryOutcome } from '../../src/delivery/report';
import { captureIo } from '../support/cli';
import { dynamoClient, queueDepth, sqsClient } from '../support/stack';
import { route, split, sqsArn } from '../support/routes';

const run = randomUUID().slice(0, 8);
const name = (what: string) => `hc-${run}-${what}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function createQueue(what: string): Promise<string> {
  const out = await sqsClient().send(new CreateQueueCommand({ QueueName: name(what) }));
  return out.QueueUrl as string;
}

interface CheckJson {
  release: number;
  healthVersion?: number;
  targets: { arn: string; status: string; reason: string; checkedAt: string }[];
}

describe('psarn check on the local stack', () => {
  const tableName = name('routes');
  const dynamo = dynamoClient();
  const a = sqsArn(name('a'));
  const b = sqsArn(name('b'));
  const c = sqsArn(name('c'));
  const dlqArn = sqsArn(name('dlq'));
  const splitRoute = route(`/hc/${run}/split`, {
    targets: [split(a, 30), split(b, 50), split(c, 20)],
    onFailure: 'dlq',
  });
  let urls: Record<'a' | 'b' | 'c' | 'dlq', string>;
  let parts: RouterParts;

  beforeAll(async () => {
    await createRouteTable(dynamo, tableName);
    urls = {
      a: await createQueue('a'),
      b: await createQueue('b'),
      c: await createQueue('c'),
      dlq: await createQueue('dlq'),
    };
    await new DynamoReleaseStore({ client: dynamo, tableName }).publishRelease([splitRoute], {
      by: 'check.integration.test',
    });
    const clients = createAwsClients(process.env, { dynamodb: dynamo });
    const health = new HealthWatcher({
      read: (signal) => new HealthStore({ client: dynamo, tableName }).read({ signal }),
      everyMs: 1000,
      // A loaded 2-core machine can take longer than the default 100 ms to answer; the test
      // measures what routers do once they have read, not how fast dynalite is.
      waitMs: 5000,
    });
    parts = createRouter(
      {
        tableName,
        deadLetterQueue: dlqArn,
        epochCheckSeconds: 1,
        maxStaleSeconds: 60,
        negativeTtlSeconds: 5,
      },
      { dynamo, forwarders: createForwarders({ clients }).forwarderFor, health },
    );
  });

  async function check(...flags: string[]): Promise<{ code: number; json: CheckJson }> {
    const io = captureIo();
    const code = await main(['check', '--table', tableName, '--stage', 'local', '--json', ...flags], io);
    expect(io.err()).toBe('');
    return { code, json: JSON.parse(io.out()) as CheckJson };
  }

  const statuses = (json: CheckJson) => Object.fromEntries(json.targets.map((t) => [t.arn, t.status]));

  /** 1,000 events through SQS ingress batches of 10; counts, per target, what each report says. */
  async function route1000(tag: string): Promise<Map<string, Record<string, number>>> {
    const outcomes: DeliveryOutcome[] = [];
    const observer: Observer = {
      accepted: (outcome) => void outcomes.push(outcome),
      rejected: () => undefined,
      unsecured: (outcome) => void outcomes.push(outcome),
    };
    for (let i = 0; i < 1000; i += 10) {
      const records = Array.from({ length: 10 }, (_, j) => ({
        messageId: `${run}-${tag}-${i + j}`,
        eventSource: 'aws:sqs',
        body: JSON.stringify({ n: i + j }),
        messageAttributes: { psarn: { stringValue: splitRoute.psarn, dataType: 'String' } },
      }));
      await respond(parts.router, parseEnvelope({ Records: records }), observer);
    }
    expect(outcomes).toHaveLength(1000);
    const counts = new Map<string, Record<string, number>>();
    for (const o of outcomes) {
      for (const d of o.report.deliveries) {
        const row = counts.get(d.target) ?? {};
        row[d.status] = (row[d.status] ?? 0) + 1;
        counts.set(d.target, row);
      }
    }
    return counts;
  }

  it('reports every target of the live release healthy, with a reason and when', async () => {
    const { code, json } = await check();
    expect(code).toBe(0);
    expect(json.release).toBe(1);
    expect(statuses(json)).toEqual({ [a]: 'healthy', [b]: 'healthy', [c]: 'healthy' });
    for (const t of json.targets) expect(Number.isNaN(Date.parse(t.checkedAt))).toBe(false);
  });

  it('reports a deleted queue removed; with --write routers stop selecting it and the split renormalises', async () => {
    await sqsClient().send(new DeleteQueueCommand({ QueueUrl: urls.b }));
    const { code, json } = await check();
    expect(code).toBe(1);
    expect(statuses(json)).toEqual({ [a]: 'healthy', [b]: 'removed', [c]: 'healthy' });
    expect(json.targets.find((t) => t.arn === b)?.reason).toMatch(/does not exist/);
    expect(json.healthVersion).toBeUndefined();

    const written = await check('--write');
    expect(written.json.healthVersion).toBeGreaterThan(0);
    await sleep(1_100); // the router's epochCheckSeconds

    const counts = await route1000('removed');
    expect(counts.get(b)).toBeUndefined();
    const toA = counts.get(a)?.['delivered'] ?? 0;
    const toC = counts.get(c)?.['delivered'] ?? 0;
    expect(toA + toC).toBe(1000);
    // 30/20 renormalised is 60/40: with 1,000 events each share is within ±6 points.
    expect(toA).toBeGreaterThan(540);
    expect(toA).toBeLessThan(660);
    expect(await queueDepth(urls.a)).toBe(toA);
    expect(await queueDepth(urls.c)).toBe(toC);
    expect(await queueDepth(urls.dlq)).toBe(0);
  });

  it('reports a re-created queue healthy again, and routers send to it again', async () => {
    urls.b = await createQueue('b');
    const { code, json } = await check('--write');
    expect(code).toBe(0);
    expect(statuses(json)).toEqual({ [a]: 'healthy', [b]: 'healthy', [c]: 'healthy' });
    await sleep(1_100);
    const counts = await route1000('back');
    const toB = counts.get(b)?.['delivered'] ?? 0;
    expect(toB).toBeGreaterThan(440);
    expect(toB).toBeLessThan(560);
    expect(await queueDepth(urls.b)).toBe(toB);
  });

  it('prints a table and says when nothing was recorded', async () => {
    const io = captureIo();
    expect(await main(['check', '--table', tableName, '--stage', 'local'], io)).toBe(0);
    expect(io.out()).toContain(`3 of 3 targets of release 1 healthy`);
    expect(io.out()).toContain('not recorded: pass --write');
  });
});
