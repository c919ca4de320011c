/**
 * `npm run bench`: what the router's design choices buy, as ratios measured side by side in one
 * run against the real local emulators (dynalite, fauxqs) it starts and stops itself.
 *
 *   1. a cached route vs. one DynamoDB Query per event (the cache's worth);
 *   2. weighted-random split vs. sticky (rendezvous-hash) split (what stickiness costs);
 *   3. 100 events to one queue in one invocation (SendMessageBatch of 10) vs. one by one;
 *   4. a producer calling targets itself (DirectClient) vs. through the router Lambda
 *      (serverless-offline): what the router hop costs locally;
 *   5. one invocation's metrics flush: the hand-written EMF writer vs. Powertools Metrics;
 *   6. heap bytes per cached route at 1k and 100k routes, and what 100k distinct routes retain
 *      under the default cap (not a ratio: a size, read with a full GC around it).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, PurgeQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { startLocalStack } from '../src/local/stack';
import { LOCAL_ACCOUNT, LOCAL_CREDENTIALS, LOCAL_REGION } from '../src/local/demo-resources';
import { DirectClient } from '../src/client/direct-client';
import { RouterClient } from '../src/client/router-client';
import { DynamoReleaseStore } from '../src/store/dynamo-release-store';
import { DynamoRouteStore } from '../src/store/dynamo-route-store';
import { createRouter } from '../src/router/wiring';
import { planDelivery } from '../src/routing/planner';
import { createForwarders } from '../src/targets/registry';
import { destroyAwsClients } from '../src/targets/clients';
import type { Route } from '../src/routes/model';
import type { RoutedEvent } from '../src/routing/plan';
import type { DeliveryItem } from '../src/delivery/engine';
import { comparePair, formatNs, type PairResult } from './measure';
import { metricsFlushPair } from './metrics-pair';
import { heapPerRoute } from './heap-per-route';
import { DEFAULT_MAX_ROUTES } from '../src/store/route-cache';

const json = process.argv.includes('--json');
const psarn = (path: string) => `arn:aws:psarns:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${path}`;
const lambda = (name: string) => `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}`;
const queueArn = (name: string) => `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${name}`;

const canary: Route = {
  psarn: psarn('/bench/canary'),
  ttl: 300,
  targets: [
    { arn: lambda('v1'), kind: 'lambda', weight: 90 },
    { arn: lambda('v2'), kind: 'lambda', weight: 10 },
  ],
  fanout: [],
  onFailure: 'dlq',
};
const sticky: Route = { ...canary, psarn: psarn('/bench/sticky'), stickyBy: 'payload.userId' };
const toQueue: Route = {
  psarn: psarn('/bench/queue'),
  ttl: 300,
  targets: [{ arn: queueArn('psarn-bench'), kind: 'sqs', weight: 1 }],
  fanout: [],
  onFailure: 'dlq',
};

function event(route: Route, i: number): RoutedEvent {
  return {
    psarn: route.psarn,
    payload: { userId: `user-${i}`, n: i },
    headers: {},
    traceId: `t-${i}`,
    eventId: `e-${i}`,
  };
}

async function main(): Promise<void> {
  const stack = await startLocalStack({ build: false });
  Object.assign(process.env, stack.env);
  const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const dynamodb = new DynamoDBClient({ ...common, endpoint: stack.endpoints.dynamodb });
  const sqs = new SQSClient({ ...common, endpoint: stack.endpoints.sqs, useQueueUrlAsEndpoint: false });
  const lambdaClient = new LambdaClient(common);
  const results: PairResult[] = [];
  // Pure CPU, no emulator involved: measured before the stack's traffic starts.
  const metricsPair = await metricsFlushPair();
  const heap = {
    routes1k: await heapPerRoute(1_000, 200_000),
    routes100k: await heapPerRoute(100_000, 200_000),
    routes100kDefaultCap: await heapPerRoute(100_000, DEFAULT_MAX_ROUTES),
  };
  try {
    // The stack's own table: the router Lambda in serverless-offline reads it too.
    const tableName = stack.env['PSARN_TABLE'] as string;
    await new DynamoReleaseStore({ client: dynamodb, tableName }).publishRelease([canary, sticky, toQueue], {
      by: 'bench',
    });
    const queue = await sqs.send(new CreateQueueCommand({ QueueName: 'psarn-bench' }));

    const registry = createForwarders({ clients: { sqs } });
    const clients = { ...registry.clients, dynamodb, sqs };
    const { router } = createRouter(
      { tableName, epochCheckSeconds: 3600, maxStaleSeconds: 300, negativeTtlSeconds: 5 },
      { dynamo: dynamodb, forwarders: registry.forwarderFor },
    );
    const store = new DynamoRouteStore({ client: dynamodb, tableName });
    const { release } = await store.readControl();

    let i = 0;
    results.push(
      await comparePair(
        'route lookup + plan per event',
        {
          name: 'cached route',
          run: async (ops) => {
            for (let n = 0; n < ops; n++)
              await router.prepare(
                { psarn: canary.psarn, payload: { n: i++ }, headers: {} },
                { passthrough: false },
              );
          },
        },
        {
          name: 'one Query per event',
          run: async (ops) => {
            for (let n = 0; n < ops; n++) {
              const stored = await store.getRoute(canary.psarn, release);
              if (stored === undefined) throw new Error('bench route missing');
              planDelivery(stored.route, event(canary, i++), Math.random);
            }
          },
        },
        { ops: 200 },
      ),
    );

    results.push(
      await comparePair(
        'split planning',
        {
          name: 'weighted random',
          run: (ops) => {
            for (let n = 0; n < ops; n++) planDelivery(canary, event(canary, n), Math.random);
          },
        },
        {
          name: 'sticky (rendezvous hash)',
          run: (ops) => {
            for (let n = 0; n < ops; n++) planDelivery(sticky, event(sticky, n), Math.random);
          },
        },
        { ops: 100_000 },
      ),
    );

    const items = async (count: number): Promise<DeliveryItem[]> => {
      const out: DeliveryItem[] = [];
      for (let n = 0; n < count; n++) {
        const prepared = await router.prepare(
          { psarn: toQueue.psarn, payload: { n }, headers: {} },
          { passthrough: false },
        );
        if (!prepared.ok) throw prepared.error;
        out.push(prepared.item);
      }
      return out;
    };
    const batch = await items(100);
    results.push(
      await comparePair(
        'SQS delivery of 100 events',
        {
          name: 'batched (10 per call)',
          run: async (ops) => void (await repeat(ops, () => router.deliver(batch))),
        },
        {
          name: 'one call per event',
          run: async (ops) =>
            void (await repeat(ops, async () => {
              for (const item of batch) await router.deliver([item]);
            })),
        },
        { ops: 3, rounds: 5, warmupOps: 1 },
      ),
    );
    await sqs.send(new PurgeQueueCommand({ QueueUrl: queue.QueueUrl }));

    const direct = new DirectClient({ clients, tableName });
    const viaRouter = new RouterClient({ lambda: lambdaClient, routerFunction: 'psarn-local-router' });
    results.push(
      await comparePair(
        'producer sends one event to a queue route',
        {
          name: 'direct (client-side discovery)',
          run: async (ops) => void (await repeat(ops, () => direct.send(toQueue.psarn, { n: i++ }))),
        },
        {
          name: 'through the router Lambda',
          run: async (ops) => void (await repeat(ops, () => viaRouter.send(toQueue.psarn, { n: i++ }))),
        },
        { ops: 50, rounds: 5, warmupOps: 10 },
      ),
    );
    await sqs.send(new PurgeQueueCommand({ QueueUrl: queue.QueueUrl }));
    results.push(metricsPair.result);
    destroyAwsClients(registry.clients);
  } finally {
    dynamodb.destroy();
    sqs.destroy();
    lambdaClient.destroy();
    await stack.stop();
  }

  if (json) {
    process.stdout.write(
      JSON.stringify(
        { node: process.version, results, metricsWritesPerFlush: metricsPair.writesPerFlush, heap },
        null,
        2,
      ) + '\n',
    );
    return;
  }
  process.stdout.write(`psarn-router bench (Node ${process.version}; median of alternating rounds)\n\n`);
  for (const r of results) {
    process.stdout.write(
      `${r.pair}\n  ${r.a.name.padEnd(28)} ${formatNs(r.a.nsPerOp).padStart(12)} per op\n` +
        `  ${r.b.name.padEnd(28)} ${formatNs(r.b.nsPerOp).padStart(12)} per op\n` +
        `  ratio: ${r.b.name} takes ${r.ratio.toFixed(2)}× the time of ${r.a.name}\n\n`,
    );
  }
  const w = metricsPair.writesPerFlush;
  process.stdout.write(`stdout writes per metrics flush: EMF writer ${w.emf}, Powertools ${w.powertools}\n`);
  for (const [name, h] of Object.entries(heap)) {
    process.stdout.write(
      h.bytesPerRoute === null
        ? `heap per cached route (${name}): null, ${h.reason ?? ''}\n`
        : `heap per cached route (${name}): ${h.bytesPerRoute} B over ${h.cached} cached of ${h.routes} looked up, ${(h.retainedBytes ?? 0) / 1e6} MB retained\n`,
    );
  }
}

async function repeat(times: number, fn: () => Promise<unknown>): Promise<void> {
  for (let n = 0; n < times; n++) await fn();
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
