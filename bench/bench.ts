/**
 * `npm run bench` (`-- --quick`: fewer samples, under 3 minutes on 2 cores; `-- --json`: the
 * results object on stdout): the figures of issue 11, each measured side by side with what it is
 * compared to, in one process, against the real local emulators it starts and stops itself.
 * Writes bench/results.json (stable keys, see results.ts), bench/results.md and bench/scaling.svg.
 *
 * Goals: handler work per invocation (no-op target, p50/p99); handler → SQS and → Lambda against
 * the same SDK call made directly; DirectClient → SQS against SendMessage; an expired route against
 * SendMessage; bundle bytes; cold init against an empty handler (child processes); heap per cached
 * route. Beside them: route-table reads per 1,000 events, API calls per event of an SQS ingress
 * batch, cost per 1M events, and how cost scales with fanout width, payload size and routes cached.
 * Then the design pairs of earlier issues (cache vs Query, weighted vs sticky split, batching,
 * the router hop through serverless-offline, the EMF writer).
 *
 * Every SQS figure goes to a second fauxqs started with its logger off (bench/quiet-fauxqs.mjs):
 * fauxqs 2.4's CLI logs two lines per request whatever FAUXQS_LOGGER says.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, PurgeQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Context } from 'aws-lambda';
import { startLocalStack } from '../src/local/stack';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../src/local/demo-resources';
import { DirectClient } from '../src/client/direct-client';
import { RouterClient } from '../src/client/router-client';
import { DynamoReleaseStore } from '../src/store/dynamo-release-store';
import { DynamoRouteStore } from '../src/store/dynamo-route-store';
import { InMemoryRouteStore } from '../src/store/in-memory-route-store';
import { createRouter } from '../src/router/wiring';
import { planDelivery } from '../src/routing/planner';
import { createForwarders } from '../src/targets/registry';
import { createAwsClients, destroyAwsClients } from '../src/targets/clients';
import { DEFAULT_MAX_ROUTES } from '../src/store/route-cache';
import type { Route } from '../src/routes/model';
import type { RoutedEvent } from '../src/routing/plan';
import type { DeliveryItem } from '../src/delivery/engine';
import { comparePair, formatNs, type PairResult } from './measure';
import { metricsFlushPair } from './metrics-pair';
import { GeneratedStore, heapPerRoute, type HeapFigure } from './heap-per-route';
import { interleavedSamples, median, percentile, repeated } from './samples';
import { assembleResults, type Figure, type ResultKey } from './results';
import { routerCostPerMillion } from './cost';
import { PRICES, ROUTER_FUNCTION } from './prices';
import { coldInit, type ColdInit } from './cold-init';
import { initBytes } from './init-bytes';
import { countCalls, DYNAMO_READS } from './counting';
import { benchContext, benchHandler } from './noop-handler';
import { startQuietFauxqs } from './fauxqs-quiet';
import { markdownReport, textReport, type ScalingRow } from './report';
import { scalingChart } from './chart';
import {
  BENCH_FUNCTION,
  BENCH_QUEUE,
  FANOUT_WIDTHS,
  fanoutQueue,
  fanoutRoute,
  ROUTES,
  STICKY,
} from './routes';

const quick = process.argv.includes('--quick');
const json = process.argv.includes('--json');
const projectDir = process.cwd();

/** Samples per variant and repeats; --quick keeps the whole run under 3 minutes on 2 cores. */
const SIZE = quick
  ? {
      repeats: 3,
      overhead: 3000,
      sqs: 120,
      lambda: 25,
      fanout: 30,
      payload: 15,
      cold: 5,
      cache: 2000,
      pairs: 3,
    }
  : {
      repeats: 3,
      overhead: 20000,
      sqs: 400,
      lambda: 80,
      fanout: 100,
      payload: 50,
      cold: 11,
      cache: 10000,
      pairs: 7,
    };
const PAYLOAD_SIZES = [
  { label: '1 KB', bytes: 1_000 },
  { label: '64 KB', bytes: 64_000 },
  { label: '256 KB', bytes: 256_000 },
  { label: '1 MB', bytes: 1_000_000 },
] as const;
const CACHE_SIZES = [1, 1_000, 100_000] as const;

const progress = (text: string): void => void process.stderr.write(`bench: ${text}\n`);

/** A JSON payload of about `bytes` bytes. */
const payloadOf = (bytes: number, i: number): { n: number; pad: string } => ({
  n: i,
  pad: 'x'.repeat(Math.max(0, bytes - 20)),
});

/** A handler answer that carries an error (a typed rejection) instead of a delivery report. */
function answerError(answer: unknown): string | undefined {
  if (typeof answer !== 'object' || answer === null) return undefined;
  const error = (answer as { error?: { code?: string; message?: string } }).error;
  return error === undefined ? undefined : `${error.code ?? 'ERROR'}: ${error.message ?? ''}`;
}

/**
 * stdout is swapped for a sink while the router runs in this process: its EMF lines and log lines
 * would otherwise be the table's noise (and the terminal's speed part of the figures).
 */
function muteStdout(): () => void {
  const real = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  return () => {
    process.stdout.write = real;
  };
}

async function main(): Promise<void> {
  const figures: Partial<Record<ResultKey, Figure>> = {};
  const details: Record<string, unknown> = {
    node: process.version,
    mode: quick ? 'quick' : 'full',
    cpus: (await import('node:os')).cpus().length,
    loadavg: (await import('node:os')).loadavg(),
    startedAt: new Date().toISOString(),
    prices: PRICES,
    routerFunction: ROUTER_FUNCTION,
  };
  const scaling: ScalingRow[] = [];
  const notes: string[] = [];

  // ---- 1. bundle bytes (what init loads), before anything else.
  const routerFile = join(projectDir, 'dist', 'router.mjs');
  const chunkDir = join(projectDir, 'dist', 'chunks');
  // The chunks a stub loads on first use are the entry points of the router's build (not the
  // shared-<hash> ones, which are loaded by what imports them).
  const lazy = readdirSync(chunkDir)
    .filter((f) => f.endsWith('.mjs') && !f.startsWith('shared-'))
    .map((f) => join(chunkDir, f));
  const loaded = initBytes(routerFile, lazy);
  figures.bundle_bytes = loaded.initBytes;
  const chunks: Record<string, number> = loaded.firstUseBytes;
  details['chunks_bytes'] = chunks;

  // ---- 2. pure CPU: handler work with a no-op target, heap per route, routes in cache.
  progress('handler work per invocation (no-op target)');
  const restore = muteStdout();
  let stack: Awaited<ReturnType<typeof startLocalStack>> | undefined;
  let quiet: Awaited<ReturnType<typeof startQuietFauxqs>> | undefined;
  const pairs: PairResult[] = [];
  let metricsWrites: unknown;
  let heap: Record<string, HeapFigure>;
  try {
    const memory = new InMemoryRouteStore();
    await memory.publishRelease([ROUTES.queue], { by: 'bench' });
    const noop = benchHandler({ store: memory });
    const event = { headers: { psarn: ROUTES.queue.psarn }, payload: { userId: 'u-1', n: 1 } };
    const overhead = await repeated(SIZE.repeats, async (r) => {
      const times = await interleavedSamples(
        [{ name: 'noop', op: (i) => noop.handler(event, benchContext(r * 1e7 + i)) }],
        {
          samples: SIZE.overhead,
          warmup: 500,
        },
      );
      const t = times.get('noop') as number[];
      return { p50: percentile(t, 50) / 1e3, p99: percentile(t, 99) / 1e3 };
    });
    figures.overhead_us_p50 = overhead.median.p50;
    figures.overhead_us_p99 = overhead.median.p99;
    details['overhead_repeats_us'] = overhead.repeats;

    heap = {
      routes1k: await heapPerRoute(1_000, 200_000),
      routes100k: await heapPerRoute(100_000, 200_000),
      routes100kDefaultCap: await heapPerRoute(100_000, DEFAULT_MAX_ROUTES),
    };
    const perRoute = heap['routes100k']?.bytesPerRoute ?? null;
    figures.heap_bytes_per_route = perRoute ?? { reason: heap['routes100k']?.reason ?? 'heap not measured' };
    details['heap'] = heap;

    progress('routes in cache: 1 / 1k / 100k');
    for (const count of CACHE_SIZES) {
      const store = new GeneratedStore(ROUTES.queue);
      const routes = Array.from({ length: count }, (_, i) => ({ psarn: `${ROUTES.queue.psarn}-${i}` }));
      const h = benchHandler({ store, maxCachedRoutes: count + 10 });
      for (const route of routes) await h.parts.cache.get(route.psarn);
      const times = await interleavedSamples(
        [
          {
            name: 'hit',
            op: (i) =>
              h.handler(
                {
                  headers: { psarn: (routes[(i * 7919) % count] as { psarn: string }).psarn },
                  payload: { n: i },
                },
                benchContext(i),
              ),
          },
        ],
        { samples: SIZE.cache },
      );
      const us = median(times.get('hit') as number[]) / 1e3;
      const bytes = count === 1 ? heap['routes1k']?.bytesPerRoute : heap['routes100k']?.bytesPerRoute;
      scaling.push({
        dimension: 'routes in cache',
        point: count.toLocaleString('en-US'),
        time: us,
        unit: 'µs',
        costPerMillion: null,
        note:
          bytes == null ? 'heap n/a' : `${heapText(bytes * count)} of heap for the routes (${bytes} B each)`,
      });
    }

    const metricsPair = await metricsFlushPair();
    pairs.push(metricsPair.result);
    metricsWrites = metricsPair.writesPerFlush;

    // ---- 3. the local stack, and a quiet fauxqs for every SQS figure.
    progress('starting the local stack and a quiet fauxqs');
    stack = await startLocalStack({ build: false });
    quiet = await startQuietFauxqs(projectDir);
    Object.assign(process.env, stack.env, {
      AWS_ENDPOINT_URL_SQS: quiet.endpoint,
      PSARN_EPOCH_CHECK_SECONDS: '5',
    });
    const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
    const dynamodb = new DynamoDBClient({ ...common, endpoint: stack.endpoints.dynamodb });
    const sqs = new SQSClient({ ...common, endpoint: quiet.endpoint, useQueueUrlAsEndpoint: false });
    const lambda = new LambdaClient({ ...common, endpoint: stack.endpoints.lambda });
    const tableName = stack.env['PSARN_TABLE'] as string;
    const fanouts = FANOUT_WIDTHS.map(fanoutRoute);
    await new DynamoReleaseStore({ client: dynamodb, tableName }).publishRelease(
      [...Object.values(ROUTES), STICKY, ...fanouts],
      { by: 'bench' },
    );
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: BENCH_QUEUE }))).QueueUrl as string;
    for (let i = 0; i < Math.max(...FANOUT_WIDTHS); i++)
      await sqs.send(new CreateQueueCommand({ QueueName: fanoutQueue(i) }));
    const purge = (): Promise<unknown> => sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));

    // The deployed handler itself (its module reads the environment set above when imported).
    const { handler } = await import('../src/router/handler');
    const invoke = (event: unknown, i: number): Promise<unknown> =>
      (handler as unknown as (e: unknown, c: Context) => Promise<unknown>)(event, benchContext(i));
    const errors = new Map<string, string>();
    const checked = async (name: string, event: unknown, i: number): Promise<unknown> => {
      const answer = await invoke(event, i);
      const error = answerError(answer);
      if (error !== undefined && !errors.has(name)) errors.set(name, error);
      return answer;
    };

    // ---- 4. handler → SQS, DirectClient → SQS, expired route, all against SendMessage.
    progress('SQS: handler, DirectClient, expired route vs SendMessage');
    const direct = new DirectClient({
      clients: createAwsClients(process.env, { dynamodb, sqs, lambda }),
      tableName,
    });
    const small = (i: number): { userId: string; n: number } => ({ userId: `u-${i}`, n: i });
    const sqsFigures = await repeated(SIZE.repeats, async () => {
      const t = await interleavedSamples(
        [
          {
            name: 'send',
            op: (i) =>
              sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(small(i)) })),
          },
          {
            name: 'handler',
            op: (i) =>
              checked('handler → SQS', { headers: { psarn: ROUTES.queue.psarn }, payload: small(i) }, i),
          },
          { name: 'direct', op: (i) => direct.send(ROUTES.queue.psarn, small(i)) },
          {
            name: 'expired',
            op: (i) =>
              checked('expired route', { headers: { psarn: ROUTES.expired.psarn }, payload: small(i) }, i),
          },
        ],
        { samples: SIZE.sqs },
      );
      await purge();
      const p50 = (name: string): number => median(t.get(name) as number[]);
      return {
        sendMs: p50('send') / 1e6,
        handlerMs: p50('handler') / 1e6,
        directMs: p50('direct') / 1e6,
        expiredMs: p50('expired') / 1e6,
        handler: p50('handler') / p50('send'),
        direct: p50('direct') / p50('send'),
        expired: p50('expired') / p50('send'),
      };
    });
    figures.ratio_router_vs_direct_sqs_p50 = errors.has('handler → SQS')
      ? { reason: `the handler answered ${errors.get('handler → SQS')}` }
      : sqsFigures.median.handler;
    figures.ratio_direct_mode_vs_direct_p50 = sqsFigures.median.direct;
    figures.ratio_expired_route_vs_direct_sqs_p50 = errors.has('expired route')
      ? { reason: `the handler answered ${errors.get('expired route')}` }
      : sqsFigures.median.expired;
    details['sqs'] = sqsFigures;

    // ---- 5. handler → Lambda against Invoke (RequestResponse, as the router invokes).
    progress('Lambda: handler vs Invoke (serverless-offline)');
    const lambdaFigures = await repeated(SIZE.repeats, async () => {
      const t = await interleavedSamples(
        [
          {
            name: 'invoke',
            op: (i) =>
              lambda.send(
                new InvokeCommand({
                  FunctionName: BENCH_FUNCTION,
                  InvocationType: 'RequestResponse',
                  Payload: Buffer.from(JSON.stringify(small(i))),
                }),
              ),
          },
          {
            name: 'handler',
            op: (i) =>
              checked('handler → Lambda', { headers: { psarn: ROUTES.lambda.psarn }, payload: small(i) }, i),
          },
        ],
        { samples: SIZE.lambda, warmup: 5 },
      );
      const p50 = (name: string): number => median(t.get(name) as number[]);
      return {
        invokeMs: p50('invoke') / 1e6,
        handlerMs: p50('handler') / 1e6,
        ratio: p50('handler') / p50('invoke'),
      };
    });
    figures.ratio_router_vs_direct_lambda_p50 = errors.has('handler → Lambda')
      ? { reason: `the handler answered ${errors.get('handler → Lambda')}` }
      : lambdaFigures.median.ratio;
    details['lambda'] = lambdaFigures;

    // ---- 6. route-table reads per 1,000 events, and API calls per event of ingress batches.
    progress('route-table reads per 1,000 events; API calls per SQS ingress batch');
    const countedDynamo = new DynamoDBClient({ ...common, endpoint: stack.endpoints.dynamodb });
    const dynamoCalls = countCalls(countedDynamo, 'Dynamo');
    const reads = benchHandler({ dynamo: countedDynamo, tableName });
    const readsStarted = Date.now();
    for (let i = 0; i < 1000; i++)
      await reads.handler({ headers: { psarn: ROUTES.queue.psarn }, payload: small(i) }, benchContext(i));
    figures.store_reads_per_1000_events = dynamoCalls.total(DYNAMO_READS);
    details['store_reads'] = {
      calls: Object.fromEntries(dynamoCalls.calls),
      seconds: (Date.now() - readsStarted) / 1000,
      epochCheckSeconds: 5,
    };

    const countedSqs = new SQSClient({ ...common, endpoint: quiet.endpoint, useQueueUrlAsEndpoint: false });
    const sqsCalls = countCalls(countedSqs, 'Sqs');
    const registry = createForwarders({ clients: { sqs: countedSqs } });
    const batchHandler = benchHandler({
      dynamo: countedDynamo,
      tableName,
      forwarders: registry.forwarderFor,
    });
    const batchEvent = (b: number): unknown => ({
      Records: Array.from({ length: 10 }, (_, k) => ({
        messageId: `m-${b}-${k}`,
        body: JSON.stringify(small(b * 10 + k)),
        eventSource: 'aws:sqs',
        messageAttributes: { psarn: { stringValue: ROUTES.queue.psarn, dataType: 'String' } },
        attributes: { ApproximateReceiveCount: '1' },
      })),
    });
    await batchHandler.handler(batchEvent(0), benchContext(0)); // first use: queue URL, route read
    dynamoCalls.reset();
    sqsCalls.reset();
    const batches = quick ? 10 : 30;
    const batchTimes: number[] = [];
    for (let b = 1; b <= batches; b++) {
      const start = process.hrtime.bigint();
      const answer = await batchHandler.handler(batchEvent(b), benchContext(b));
      batchTimes.push(Number(process.hrtime.bigint() - start));
      const failures = (answer as { batchItemFailures?: unknown[] }).batchItemFailures ?? [];
      if (failures.length > 0) throw new Error(`SQS ingress batch ${b}: ${failures.length} records failed`);
    }
    figures.batch_api_calls_per_event = (dynamoCalls.total() + sqsCalls.total()) / (batches * 10);
    const batchMs = median(batchTimes) / 1e6;
    details['batch'] = {
      calls: { ...Object.fromEntries(dynamoCalls.calls), ...Object.fromEntries(sqsCalls.calls) },
      batches,
      p50Ms: batchMs,
    };
    await purge();

    // ---- 7. cost per 1M events, from the measured duration and the deployed memory.
    const readUnitsPerEvent = (figures.store_reads_per_1000_events ?? 0) / 1000;
    figures.cost_usd_per_million_router = routerCostPerMillion({
      durationMs: sqsFigures.median.handlerMs,
      events: 1,
      readUnitsPerEvent,
    });
    details['cost_usd_per_million_router_batch_of_10'] = routerCostPerMillion({
      durationMs: batchMs,
      events: 10,
      readUnitsPerEvent,
    });

    // ---- 8. scaling: fanout width and payload size (cost from each one's measured duration).
    progress('scaling: fanout width 1/5/20');
    const fanoutFigures = await repeated(SIZE.repeats, async () => {
      const t = await interleavedSamples(
        fanouts.map((route, w) => ({
          name: String(FANOUT_WIDTHS[w]),
          op: (i: number) =>
            checked(`fanout ${FANOUT_WIDTHS[w]}`, { headers: { psarn: route.psarn }, payload: small(i) }, i),
        })),
        { samples: SIZE.fanout, warmup: 5 },
      );
      return Object.fromEntries(
        FANOUT_WIDTHS.map((w) => [String(w), median(t.get(String(w)) as number[]) / 1e6]),
      );
    });
    for (const w of FANOUT_WIDTHS) {
      const ms = fanoutFigures.median[String(w)] as number;
      const error = errors.get(`fanout ${w}`);
      scaling.push({
        dimension: 'fanout width',
        point: String(w),
        time: error === undefined ? ms : null,
        unit: 'ms',
        costPerMillion:
          error === undefined ? routerCostPerMillion({ durationMs: ms, events: 1, readUnitsPerEvent }) : null,
        ...(error === undefined ? {} : { note: error }),
      });
    }

    progress('scaling: payload 1 KB / 64 KB / 256 KB / 1 MB');
    const payloadFigures = await repeated(SIZE.repeats, async () => {
      const t = await interleavedSamples(
        PAYLOAD_SIZES.flatMap((p) => [
          {
            name: `send ${p.label}`,
            op: (i: number) =>
              sqs
                .send(
                  new SendMessageCommand({
                    QueueUrl: queueUrl,
                    MessageBody: JSON.stringify(payloadOf(p.bytes, i)),
                  }),
                )
                .catch((err: unknown) => {
                  if (!errors.has(`send ${p.label}`)) errors.set(`send ${p.label}`, String(err));
                }),
          },
          {
            name: `handler ${p.label}`,
            op: (i: number) =>
              checked(
                `payload ${p.label}`,
                { headers: { psarn: ROUTES.queue.psarn }, payload: payloadOf(p.bytes, i) },
                i,
              ),
          },
        ]),
        { samples: SIZE.payload, warmup: 3 },
      );
      await purge();
      return Object.fromEntries(
        PAYLOAD_SIZES.flatMap((p) => [
          [`handler ${p.label}`, median(t.get(`handler ${p.label}`) as number[]) / 1e6],
          [`send ${p.label}`, median(t.get(`send ${p.label}`) as number[]) / 1e6],
        ]),
      );
    });
    for (const p of PAYLOAD_SIZES) {
      const ms = payloadFigures.median[`handler ${p.label}`] as number;
      const sendMs = payloadFigures.median[`send ${p.label}`] as number;
      const error = errors.get(`payload ${p.label}`) ?? errors.get(`send ${p.label}`);
      scaling.push({
        dimension: 'payload',
        point: p.label,
        time: error === undefined ? ms : null,
        unit: 'ms',
        costPerMillion:
          error === undefined ? routerCostPerMillion({ durationMs: ms, events: 1, readUnitsPerEvent }) : null,
        note: error ?? `${(ms / sendMs).toFixed(2)}× SendMessage of the same body`,
      });
    }
    details['payload_ms'] = payloadFigures.median;

    // ---- 9. cold init in child processes: dist/router.mjs against an empty handler.
    progress('cold init (child processes)');
    const cold: ColdInit = await coldInit({
      routerFile,
      env: process.env,
      repeats: SIZE.cold,
      event: { headers: { psarn: ROUTES.queue.psarn }, payload: small(0) },
    });
    figures.cold_init_ms_delta = cold.deltaMs;
    details['cold_init'] = cold;

    // ---- 10. the design pairs of earlier issues.
    progress('design pairs');
    const stackSqs = new SQSClient({
      ...common,
      endpoint: stack.endpoints.sqs,
      useQueueUrlAsEndpoint: false,
    });
    pairs.push(...(await designPairs({ dynamodb, sqs, lambda, stackSqs, tableName })));
    stackSqs.destroy();
    await purge();

    destroyAwsClients(registry.clients);
    for (const client of [dynamodb, sqs, lambda, countedDynamo, countedSqs]) client.destroy();
    if (errors.size > 0) details['errors'] = Object.fromEntries(errors);
  } finally {
    restore();
    await quiet?.stop();
    await stack?.stop();
  }

  details['pairs'] = pairs;
  details['metrics_writes_per_flush'] = metricsWrites;
  details['scaling'] = scaling;
  const results = assembleResults(figures, details);

  const load = (details['loadavg'] as number[]).map((l) => l.toFixed(1)).join(' ');
  notes.push(
    `${quick ? 'quick' : 'full'} run, Node ${process.version}, ${String(details['cpus'])} CPUs, load average at start ${load} (other processes share the machine: ratios are interleaved, times are not)`,
    `SQS figures: a fauxqs started with its logger off (bench/quiet-fauxqs.mjs); fauxqs 2.4's CLI logs two lines per request whatever FAUXQS_LOGGER says`,
    `cost: Lambda ${ROUTER_FUNCTION.architecture} ${ROUTER_FUNCTION.memoryMb} MB at $${PRICES.lambdaGbSecond.arm64}/GB-s + $0.20/1M requests, route reads at $0.125/1M RRU (${PRICES.region}, checked ${PRICES.checked}); durations are local (the emulators answer in ~1 ms, real SQS in several), targets' own charges left out; batch of 10: $${(details['cost_usd_per_million_router_batch_of_10'] as number).toFixed(3)} per 1M events`,
    `bundle: dist/router.mjs and its static imports ${String(results.bundle_bytes)} B loaded at init; added at the first use of each chunk ${JSON.stringify(chunks)}`,
  );
  const cold = details['cold_init'] as ColdInit | undefined;
  if (cold !== undefined)
    notes.push(
      `cold init: router ${cold.routerInitMs.toFixed(1)} ms, empty handler ${cold.emptyInitMs.toFixed(1)} ms (median of ${cold.repeats}; in CPU time the difference is ${cold.deltaCpuMs.toFixed(1)} ms); the router's first event after it: ${cold.routerFirstEventMs?.toFixed(1) ?? 'n/a'} ms (connections, first route read)`,
    );

  const benchDir = join(projectDir, 'bench');
  mkdirSync(benchDir, { recursive: true });
  writeFileSync(join(benchDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(join(benchDir, 'results.md'), markdownReport(results, scaling, notes));
  writeFileSync(join(benchDir, 'scaling.svg'), chart(scaling));

  if (json) {
    process.stdout.write(JSON.stringify(results, null, 2) + '\n');
    return;
  }
  process.stdout.write(`psarn-router bench (${quick ? 'quick' : 'full'}; Node ${process.version})\n\n`);
  process.stdout.write(textReport(results, scaling, notes));
  process.stdout.write('\ndesign pairs (median of alternating rounds)\n');
  for (const r of pairs) {
    process.stdout.write(
      `  ${r.pair}: ${r.a.name} ${formatNs(r.a.nsPerOp)}, ${r.b.name} ${formatNs(r.b.nsPerOp)} (${r.ratio.toFixed(2)}×)\n`,
    );
  }
  process.stdout.write('\nwrote bench/results.json, bench/results.md, bench/scaling.svg\n');
}

function heapText(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
}

function chart(scaling: readonly ScalingRow[]): string {
  const of = (dimension: string): ScalingRow[] => scaling.filter((r) => r.dimension === dimension);
  const fanout = of('fanout width');
  const payload = of('payload');
  const cache = of('routes in cache');
  return scalingChart(
    [
      {
        title: 'fanout width',
        xLabel: 'targets per event',
        yLabel: 'USD per 1M events',
        categories: fanout.map((r) => r.point),
        series: [{ name: 'router cost', values: fanout.map((r) => r.costPerMillion) }],
      },
      {
        title: 'payload size',
        xLabel: 'payload',
        yLabel: 'USD per 1M events',
        categories: payload.map((r) => r.point),
        series: [{ name: 'router cost', values: payload.map((r) => r.costPerMillion) }],
      },
      {
        title: 'routes in cache',
        xLabel: 'routes cached',
        yLabel: 'µs per event (no-op target)',
        categories: cache.map((r) => r.point),
        series: [{ name: 'handler work', values: cache.map((r) => r.time) }],
      },
    ],
    'psarn-router npm run bench: router Lambda arm64 512 MB, local emulators, medians of 3 interleaved repeats',
  );
}

/** The earlier issues' side-by-side pairs, kept so their trade-offs stay measured. */
async function designPairs(c: {
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  lambda: LambdaClient;
  stackSqs: SQSClient;
  tableName: string;
}): Promise<PairResult[]> {
  const out: PairResult[] = [];
  const registry = createForwarders({ clients: { sqs: c.sqs } });
  const { router } = createRouter(
    { tableName: c.tableName, epochCheckSeconds: 3600, maxStaleSeconds: 300, negativeTtlSeconds: 5 },
    { dynamo: c.dynamodb, forwarders: registry.forwarderFor },
  );
  const store = new DynamoRouteStore({ client: c.dynamodb, tableName: c.tableName });
  const { release } = await store.readControl();
  const event = (route: Route, i: number): RoutedEvent => ({
    psarn: route.psarn,
    payload: { userId: `user-${i}`, n: i },
    headers: {},
    traceId: `t-${i}`,
    eventId: `e-${i}`,
  });
  let i = 0;
  out.push(
    await comparePair(
      'route lookup + plan per event',
      {
        name: 'cached route',
        run: async (ops) => {
          for (let n = 0; n < ops; n++)
            await router.prepare(
              { psarn: ROUTES.canary.psarn, payload: { n: i++ }, headers: {} },
              { passthrough: false },
            );
        },
      },
      {
        name: 'one Query per event',
        run: async (ops) => {
          for (let n = 0; n < ops; n++) {
            const stored = await store.getRoute(ROUTES.canary.psarn, release);
            if (stored === undefined) throw new Error('bench route missing');
            planDelivery(stored.route, event(ROUTES.canary, i++), Math.random);
          }
        },
      },
      { ops: 200, rounds: SIZE.pairs },
    ),
  );
  out.push(
    await comparePair(
      'split planning',
      {
        name: 'weighted random',
        run: (ops) => {
          for (let n = 0; n < ops; n++) planDelivery(ROUTES.canary, event(ROUTES.canary, n), Math.random);
        },
      },
      {
        name: 'sticky (rendezvous hash)',
        run: (ops) => {
          for (let n = 0; n < ops; n++) planDelivery(STICKY, event(STICKY, n), Math.random);
        },
      },
      { ops: 100_000, rounds: SIZE.pairs },
    ),
  );
  const batch: DeliveryItem[] = [];
  for (let n = 0; n < 100; n++) {
    const prepared = await router.prepare(
      { psarn: ROUTES.queue.psarn, payload: { n }, headers: {} },
      { passthrough: false },
    );
    if (!prepared.ok) throw prepared.error;
    batch.push(prepared.item);
  }
  out.push(
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
      { ops: 3, rounds: Math.min(5, SIZE.pairs), warmupOps: 1 },
    ),
  );
  // The router in serverless-offline sends to the stack's own fauxqs: the queue must exist there too.
  await c.stackSqs.send(new CreateQueueCommand({ QueueName: BENCH_QUEUE }));
  const viaRouter = new RouterClient({ lambda: c.lambda, routerFunction: 'psarn-local-router' });
  const direct = new DirectClient({
    clients: createAwsClients(process.env, { dynamodb: c.dynamodb, sqs: c.sqs, lambda: c.lambda }),
    tableName: c.tableName,
  });
  out.push(
    await comparePair(
      'producer sends one event to a queue route',
      {
        name: 'direct (client-side discovery)',
        run: async (ops) => void (await repeat(ops, () => direct.send(ROUTES.queue.psarn, { n: i++ }))),
      },
      {
        name: 'through the router Lambda (serverless-offline)',
        run: async (ops) => void (await repeat(ops, () => viaRouter.send(ROUTES.queue.psarn, { n: i++ }))),
      },
      { ops: quick ? 10 : 50, rounds: Math.min(5, SIZE.pairs), warmupOps: 5 },
    ),
  );
  destroyAwsClients(registry.clients);
  return out;
}

async function repeat(times: number, fn: () => Promise<unknown>): Promise<void> {
  for (let n = 0; n < times; n++) await fn();
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
