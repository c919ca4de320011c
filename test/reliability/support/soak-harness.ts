/**
 * The load-with-faults run behind test/reliability/nothing-lost.test.ts and `npm run soak`:
 * N events, each with a unique id, through the real router handler (src/router/handler.ts, run
 * in-process) over the three ingress forms, with a TCP fault proxy between the router and the
 * emulators, a target queue deleted and re-created mid-run, an SQS/SNS outage, and a target
 * Lambda that fails at a set rate; then the per-target account read back from the emulators.
 *
 * The harness plays the AWS parts around the router the way AWS behaves:
 * - direct invoke (async): an invocation that throws (or outlives its timeout) is retried twice
 *   with the same awsRequestId, then its invocation record goes to the router DLQ, as Lambda's
 *   on-failure destination would write it;
 * - SQS ingress: batches of 10 records; records reported in batchItemFailures (all of them when
 *   the invocation throws) come back after a visibility timeout with ApproximateReceiveCount + 1,
 *   until maxReceiveCount, then the ingress queue's redrive keeps them;
 * - HTTP (Function URL): a 5xx or a thrown invocation makes the producer send again (a new request
 *   id); after its retries the producer is refused.
 */
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { createRouteTable } from '../../../src/store/create-route-table';
import { DynamoReleaseStore } from '../../../src/store/dynamo-release-store';
import { planDelivery } from '../../../src/routing/planner';
import { parseTargetArn } from '../../../src/psarn/target-arn';
import type { Route, TargetRef } from '../../../src/routes/model';
import { localName } from '../../../src/local/demo-resources';
import { startFaultProxy, type FaultPlan, type FaultProxy } from '../../../src/local/fault-proxy';
import {
  copyKey,
  formatAccount,
  settleAccount,
  uncertainKey,
  type Account,
  type Observed,
  type PlannedCopy,
} from './account';

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const FLAKY = localName('flaky');
const BUS_LISTENER = localName('busListener');
const BUS = 'psarn-local-bus';

export type Handler = (event: unknown, context: Context) => Promise<unknown>;
/** The SQS SDK module the handler uses (the same module instance), for PSARN_SOAK_BREAK. */
export type SqsModule = typeof import('@aws-sdk/client-sqs');

export type Break = 'drop' | 'resend';

export interface SoakOptions {
  readonly events: number;
  /** Invocations in flight at once (default 16). */
  readonly concurrency?: number;
  /** Faults on SQS + SNS (fauxqs), Lambda and EventBridge requests of the router. */
  readonly faults?: { readonly sqs?: FaultPlan; readonly lambda?: FaultPlan; readonly events?: FaultPlan };
  /** Delete and re-create a target queue, and take SQS/SNS down for a while, mid-run (default true). */
  readonly chaos?: boolean;
  /** How long the SQS/SNS outage lasts (default 2,000 ms). */
  readonly outageMs?: number;
  /** The router's Lambda timeout: an invocation still running after it counts as failed (default 30 s). */
  readonly invocationTimeoutMs?: number;
  /** Share (0-100) of events the flaky Lambda target fails on their first attempts (default 10). */
  readonly flakyPercent?: number;
  /**
   * Half the event blocks share one producer trace id (default true), as events of one producer
   * request do: the router must still keep them apart (FIFO dedup by the event, not the trace).
   */
  readonly sharedTraceIds?: boolean;
  /**
   * An answer slower than this counts as late (default 1,000 ms): a router whose client timeout or
   * deadline is shorter may have given up on it, so a duplicate of its copies is at-least-once.
   * Set it to the router's shortest client timeout to make the check as strict as it can be.
   */
  readonly lateMs?: number;
  /** Make the router lose or re-send on purpose, to prove the account catches it. */
  readonly break?: Break;
  /** The emulators' own endpoints (the stack's env): read-back never goes through the proxy. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Loads src/router/handler.ts fresh, after the harness has set process.env for it. */
  readonly loadHandler: () => { handler: Handler; sqs: SqsModule };
  readonly log?: (line: string) => void;
  readonly seed?: number;
}

export interface SoakResult {
  readonly account: Account;
  readonly seconds: number;
  readonly events: number;
  readonly invocations: Record<string, number>;
  readonly faults: Record<string, Record<string, number>>;
  /** A short, printable summary of everything above. */
  readonly report: string;
}

/** Default faults: a few percent of requests reset or slowed, more on SQS/SNS. */
export const DEFAULT_FAULTS = {
  sqs: { resetBefore: 0.02, resetAfter: 0.02, delay: 0.05, delayMs: 150 },
  lambda: { resetBefore: 0.01, resetAfter: 0.01, delay: 0.02, delayMs: 150 },
  events: { resetBefore: 0.01, resetAfter: 0.01, delay: 0.02, delayMs: 150 },
} as const;

type Form = 'direct' | 'http' | 'sqs';

interface SoakEvent {
  readonly id: string;
  readonly n: number;
  readonly route: Route;
  readonly form: Form;
  readonly headers: Record<string, string>;
  readonly payload: Record<string, unknown>;
}

interface Job {
  readonly form: Form;
  readonly events: readonly SoakEvent[];
  /** Lambda async retries keep the request id; HTTP and SQS get a new one per invocation. */
  readonly requestId: string;
  readonly attempt: number;
  /** SQS only: per event id, message id and receive count. */
  readonly records?: readonly { messageId: string; receiveCount: number }[];
}

const MAX_RECEIVE_COUNT = 5;
const VISIBILITY_TIMEOUT_MS = 500;
const LAMBDA_RETRY_DELAYS_MS = [1_000, 2_000];
const HTTP_RETRY_DELAYS_MS = [300, 1_000];

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const run = `soak-${randomUUID().slice(0, 8)}`;
  const env = options.env;
  const need = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === '')
      throw new Error(`${name} is not set: is the local stack running?`);
    return value;
  };
  const direct = {
    sqs: need('AWS_ENDPOINT_URL_SQS'),
    lambda: need('AWS_ENDPOINT_URL_LAMBDA'),
    events: need('AWS_ENDPOINT_URL_EVENTBRIDGE'),
    dynamodb: need('AWS_ENDPOINT_URL_DYNAMODB'),
  };
  const recordDir = need('PSARN_RECORD_DIR');
  const credentials = {
    accessKeyId: env['AWS_ACCESS_KEY_ID'] ?? 'local',
    secretAccessKey: env['AWS_SECRET_ACCESS_KEY'] ?? 'local',
  };
  const sqs = new SQSClient({
    region: REGION,
    credentials,
    endpoint: direct.sqs,
    useQueueUrlAsEndpoint: false,
  });
  const sns = new SNSClient({ region: REGION, credentials, endpoint: direct.sqs });
  const dynamo = new DynamoDBClient({ region: REGION, credentials, endpoint: direct.dynamodb });

  // --- resources of this run: its own table, queues, topic and DLQ -------------------------------
  const name = (what: string): string => `${run}-${what}`;
  const queueNames = {
    a: name('a'),
    b: name('b'),
    c: name('c'),
    d: name('deleted'), // deleted and re-created mid-run
    fifo: name('orders.fifo'),
    topicCopy: name('topic-copy'),
    holdSplit: name('hold-split'),
    holdLambda: name('hold-lambda'),
    dlq: name('router-dlq'),
  };
  const queueUrls = new Map<string, string>();
  const createQueue = async (queue: string): Promise<string> => {
    const out = await sqs.send(
      new CreateQueueCommand({
        QueueName: queue,
        ...(queue.endsWith('.fifo')
          ? { Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' } }
          : {}),
      }),
    );
    const url = out.QueueUrl as string;
    queueUrls.set(queue, url);
    return url;
  };
  await Promise.all(Object.values(queueNames).map(createQueue));
  const topicName = name('topic');
  const topicArn = (await sns.send(new CreateTopicCommand({ Name: topicName }))).TopicArn as string;
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: arn('sqs', queueNames.topicCopy),
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );
  const tableName = name('routes');
  await createRouteTable(dynamo, tableName);

  const t = (targetArn: string, extra: Partial<TargetRef> = {}): TargetRef => ({
    arn: targetArn,
    kind: parseTargetArn(targetArn).kind,
    ...extra,
  });
  const psarn = (path: string): string => `arn:aws:psarns:${REGION}:${ACCOUNT}:/soak/${run}/${path}`;
  const routes = {
    // Split by id between two queues, fanout to a topic and a FIFO queue; failures are parked.
    split: {
      psarn: psarn('split'),
      ttl: 300,
      targets: [
        { ...t(arn('sqs', queueNames.a)), weight: 50 },
        { ...t(arn('sqs', queueNames.b)), weight: 50 },
      ],
      stickyBy: 'payload.id',
      fanout: [t(topicArn), t(arn('sqs', queueNames.fifo), { groupBy: 'payload.group' })],
      park: { queue: arn('sqs', queueNames.holdSplit), enabled: false },
      onFailure: 'park',
    },
    // The flaky function, fanout to the bus and a queue; failures are parked.
    lambda: {
      psarn: psarn('lambda'),
      ttl: 300,
      targets: [{ ...t(lambdaArn(FLAKY)), weight: 1 }],
      fanout: [t(busArn(BUS), { detailType: 'SoakEvent' }), t(arn('sqs', queueNames.c))],
      park: { queue: arn('sqs', queueNames.holdLambda), enabled: false },
      onFailure: 'park',
    },
    // The queue that is deleted mid-run, fanout to the flaky function; failures go to the DLQ.
    dlq: {
      psarn: psarn('dlq'),
      ttl: 300,
      targets: [{ ...t(arn('sqs', queueNames.d)), weight: 1 }],
      fanout: [t(lambdaArn(FLAKY))],
      onFailure: 'dlq',
    },
  } satisfies Record<string, Route>;
  await new DynamoReleaseStore({ client: dynamo, tableName }).publishRelease(Object.values(routes), {
    by: 'reliability soak',
  });

  // --- the fault proxies and the router between them ---------------------------------------------
  const faults = { ...DEFAULT_FAULTS, ...options.faults };
  const seed = options.seed ?? 1;
  // Requests whose effect the router cannot know, as `destination \n psarn-target \n id` keys:
  // parsed as they happen, so a long soak keeps counts, not request texts.
  const uncertain = new Map<string, number>();
  const lateMs = options.lateMs ?? 1_000;
  const record = (request: string): void => {
    for (const key of requestKeys(request)) uncertain.set(key, (uncertain.get(key) ?? 0) + 1);
  };
  const proxyTo = (endpoint: string, plan: FaultPlan, seedOf: number): Promise<FaultProxy> => {
    const target = new URL(endpoint);
    return startFaultProxy(Number(target.port), {
      targetHost: target.hostname,
      plan,
      seed: seedOf,
      onUncertain: record,
      lateMs,
    });
  };
  const proxies: Record<'sqs' | 'lambda' | 'events', FaultProxy> = {
    sqs: await proxyTo(direct.sqs, faults.sqs, seed),
    lambda: await proxyTo(direct.lambda, faults.lambda, seed + 1),
    events: await proxyTo(direct.events, faults.events, seed + 2),
  };
  const dlqArn = arn('sqs', queueNames.dlq);
  const routerEnv: Record<string, string> = {
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: direct.dynamodb,
    AWS_ENDPOINT_URL_SQS: proxies.sqs.endpoint,
    AWS_ENDPOINT_URL_SNS: proxies.sqs.endpoint,
    AWS_ENDPOINT_URL_LAMBDA: proxies.lambda.endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: proxies.events.endpoint,
    PSARN_TABLE: tableName,
    PSARN_DLQ_ARN: dlqArn,
    PSARN_DLQ_URL: queueUrls.get(queueNames.dlq) as string,
    // One EMF line and a warning per failed delivery would drown the run's own output.
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  };
  const saved = new Map(Object.keys(routerEnv).map((k) => [k, process.env[k]] as const));
  Object.assign(process.env, routerEnv);
  const restoreEnv = (): void => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };

  const consumers: { stop: () => Promise<void> } = { stop: async () => undefined };
  try {
    const loaded = options.loadHandler();
    const handler = loaded.handler;
    if (options.break !== undefined) breakRouter(loaded.sqs, options.break, queueNames.a, log);

    // --- read-back: every queue of the run is consumed while the run goes on -----------------------
    const received = new Map<string, Message[]>(Object.values(queueNames).map((q) => [q, []]));
    let consuming = true;
    const consumeLoops = Object.values(queueNames).map((queue) =>
      consume(sqs, queue, queueUrls, received, () => consuming),
    );
    consumers.stop = async () => {
      consuming = false;
      await Promise.all(consumeLoops);
    };

    // --- the events ----------------------------------------------------------------------------------
    const flakyPercent = options.flakyPercent ?? 10;
    const routeOf = (n: number): Route =>
      n % 4 === 2 ? routes.lambda : n % 4 === 3 ? routes.dlq : routes.split;
    const makeEvent = (n: number): SoakEvent => {
      const id = `${run}-${n}`;
      const route = routeOf(n);
      const block = Math.floor(n / 10);
      const form: Form = (['direct', 'http', 'sqs'] as const)[block % 3] as Form;
      // Producers share trace ids between distinct events (one request fanning out to several
      // events): half the blocks carry one trace id for all their events.
      const headers: Record<string, string> =
        options.sharedTraceIds !== false && block % 2 === 0
          ? { 'psarn-trace-id': `${run}-trace-${block}` }
          : {};
      const payload: Record<string, unknown> = {
        id,
        n,
        group: `g${n % 8}`,
        sent: new Date().toISOString(),
        ...(route === routes.split
          ? {}
          : { flaky: { failPercent: flakyPercent, failUntil: Date.now() + 1_500 } }),
      };
      return { id, n, route, form, headers, payload };
    };

    // What the plan names per event: the account's "accepted" side. The planner is pure and the
    // split is sticky by id, so this is exactly what the router plans.
    const planned: PlannedCopy[] = [];
    const holdingOf = (route: Route): string | undefined =>
      route.onFailure === 'park' && route.park !== undefined
        ? parseTargetArn(route.park.queue).name
        : undefined;
    const plan = (event: SoakEvent): void => {
      const deliveries = planDelivery(
        event.route,
        {
          psarn: event.route.psarn,
          payload: event.payload,
          headers: event.headers,
          traceId: 'plan',
          eventId: 'plan',
        },
        Math.random,
      ).deliveries;
      for (const d of deliveries) {
        const holding = holdingOf(d.route);
        planned.push({
          eventId: event.id,
          target: d.target.arn,
          role: d.role,
          destination: destinationOf(d.target.arn),
          ...(holding === undefined ? {} : { holdingQueue: holding }),
        });
      }
    };

    const counts: Record<string, number> = {
      invocations: 0,
      'direct retries': 0,
      'direct to invocation record': 0,
      'http retries': 0,
      'http refused': 0,
      'sqs redeliveries': 0,
      'sqs to ingress redrive': 0,
      'invocations thrown': 0,
      'invocations timed out': 0,
      'events rejected': 0,
    };
    const observedExtra = {
      wholeEvent: new Map<string, number>(),
      producerRetries: new Map<string, number>(),
      refused: new Set<string>(),
      rejected: new Set<string>(),
    };

    // --- the driver: workers take invocations; retries come back after their delay --------------
    const ready: Job[] = [];
    let timers = 0;
    const later = (ms: number, job: Job): void => {
      timers += 1;
      setTimeout(() => {
        timers -= 1;
        ready.push(job);
      }, ms);
    };
    let next = 0;
    const nextJob = (): Job | undefined => {
      const retry = ready.shift();
      if (retry !== undefined) return retry;
      if (next >= options.events) return undefined;
      const first = makeEvent(next);
      if (first.form === 'sqs') {
        const events: SoakEvent[] = [];
        for (let i = 0; i < 10 && next < options.events; i++) {
          const event = makeEvent(next++);
          if (event.form !== 'sqs') {
            next -= 1;
            break;
          }
          events.push(event);
        }
        events.forEach(plan);
        return {
          form: 'sqs',
          events,
          requestId: randomUUID(),
          attempt: 0,
          records: events.map(() => ({ messageId: randomUUID(), receiveCount: 1 })),
        };
      }
      next += 1;
      plan(first);
      return { form: first.form, events: [first], requestId: randomUUID(), attempt: 0 };
    };

    const timeoutMs = options.invocationTimeoutMs ?? 30_000;
    const background = new Set<Promise<unknown>>();
    const invoke = async (
      event: unknown,
      requestId: string,
    ): Promise<{ ok: true; value: unknown } | { ok: false; error: string }> => {
      counts['invocations'] = (counts['invocations'] ?? 0) + 1;
      const deadline = Date.now() + timeoutMs;
      const context = lambdaContext(requestId, deadline);
      const call = handler(event, context);
      background.add(call);
      void call.then(
        () => background.delete(call),
        () => background.delete(call),
      );
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      try {
        const outcome = await Promise.race([call, timeout]);
        if (outcome === 'timeout') {
          bump(counts, 'invocations timed out');
          return { ok: false, error: `Task timed out after ${timeoutMs} ms` };
        }
        return { ok: true, value: outcome };
      } catch (err) {
        bump(counts, 'invocations thrown');
        return { ok: false, error: err instanceof Error ? err.message : String(err) };
      } finally {
        clearTimeout(timer);
      }
    };

    const runJob = async (job: Job): Promise<void> => {
      if (job.form === 'direct') {
        const event = job.events[0] as SoakEvent;
        const envelope = { headers: { psarn: event.route.psarn, ...event.headers }, payload: event.payload };
        const result = await invoke(envelope, job.requestId);
        if (result.ok) {
          if (isErrorAnswer(result.value)) rejectedEvent(event.id);
          return;
        }
        if (job.attempt < LAMBDA_RETRY_DELAYS_MS.length) {
          bump(counts, 'direct retries');
          later(LAMBDA_RETRY_DELAYS_MS[job.attempt] as number, { ...job, attempt: job.attempt + 1 });
          return;
        }
        // What Lambda's on-failure destination writes after the last retry (written straight to
        // the emulator: it is Lambda's write, not the router's).
        bump(counts, 'direct to invocation record');
        await sendInvocationRecord(
          sqs,
          queueUrls.get(queueNames.dlq) as string,
          job.requestId,
          envelope,
          result.error,
        );
        return;
      }
      if (job.form === 'http') {
        const event = job.events[0] as SoakEvent;
        const result = await invoke(functionUrlEvent(event, job.requestId), job.requestId);
        const status = result.ok ? statusOf(result.value) : 502;
        if (status < 400) return;
        if (status < 500) {
          rejectedEvent(event.id);
          return;
        }
        if (job.attempt < HTTP_RETRY_DELAYS_MS.length) {
          bump(counts, 'http retries');
          observedExtra.producerRetries.set(event.id, (observedExtra.producerRetries.get(event.id) ?? 0) + 1);
          later(HTTP_RETRY_DELAYS_MS[job.attempt] as number, {
            ...job,
            attempt: job.attempt + 1,
            requestId: randomUUID(),
          });
          return;
        }
        bump(counts, 'http refused');
        observedExtra.refused.add(event.id);
        return;
      }
      const records = job.records ?? [];
      const sqsEvent = {
        Records: job.events.map((event, i) =>
          sqsRecord(event, records[i] as { messageId: string; receiveCount: number }),
        ),
      };
      const result = await invoke(sqsEvent, job.requestId);
      let failed: Set<string>;
      if (!result.ok) failed = new Set(records.map((r) => r.messageId));
      else {
        const answer = result.value as { batchItemFailures?: { itemIdentifier: string }[] } | undefined;
        if (answer === undefined || !Array.isArray(answer.batchItemFailures))
          throw new Error(`an SQS batch answer without batchItemFailures: ${JSON.stringify(answer)}`);
        failed = new Set(answer.batchItemFailures.map((f) => f.itemIdentifier));
      }
      const again: { event: SoakEvent; record: { messageId: string; receiveCount: number } }[] = [];
      job.events.forEach((event, i) => {
        const record = records[i] as { messageId: string; receiveCount: number };
        if (!failed.has(record.messageId)) return;
        if (record.receiveCount >= MAX_RECEIVE_COUNT) {
          bump(counts, 'sqs to ingress redrive');
          observedExtra.wholeEvent.set(event.id, (observedExtra.wholeEvent.get(event.id) ?? 0) + 1);
        } else again.push({ event, record: { ...record, receiveCount: record.receiveCount + 1 } });
      });
      if (again.length > 0) {
        bump(counts, 'sqs redeliveries', again.length);
        later(VISIBILITY_TIMEOUT_MS, {
          form: 'sqs',
          events: again.map((a) => a.event),
          records: again.map((a) => a.record),
          requestId: randomUUID(),
          attempt: job.attempt + 1,
        });
      }
    };
    const rejectedEvent = (id: string): void => {
      bump(counts, 'events rejected');
      observedExtra.rejected.add(id);
    };

    // The chaos schedule: a target queue deleted at 25 %, SQS/SNS down at 55 %.
    const chaos = options.chaos ?? true;
    let gate: Promise<void> | undefined;
    let running = 0;
    let deletedAt = -1;
    let outageAt = -1;
    const chaosSteps: Promise<void>[] = [];
    const deleteQueueMidRun = async (): Promise<void> => {
      let open: () => void = () => undefined;
      gate = new Promise<void>((resolve) => (open = resolve));
      // Messages sitting in a queue die with it (that is SQS, not the router): pause the traffic,
      // let the consumer empty the queue, delete it, then let events meet the missing queue.
      while (running > 0) await sleep(20);
      const url = queueUrls.get(queueNames.d) as string;
      for (let i = 0; i < 200 && (await depth(sqs, url)) > 0; i++) await sleep(50);
      await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
      log(`  chaos: deleted queue ${queueNames.d}`);
      gate = undefined;
      open();
      await sleep(1_500);
      await createQueue(queueNames.d);
      log(`  chaos: re-created queue ${queueNames.d}`);
    };
    const outage = async (): Promise<void> => {
      await proxies.sqs.mode('down');
      log(`  chaos: SQS/SNS down for ${options.outageMs ?? 2_000} ms`);
      await sleep(options.outageMs ?? 2_000);
      await proxies.sqs.mode('pass');
      log('  chaos: SQS/SNS back');
    };

    let lastProgress = Date.now();
    const worker = async (): Promise<void> => {
      for (;;) {
        if (gate !== undefined) await gate;
        if (chaos && deletedAt < 0 && next >= options.events * 0.25) {
          deletedAt = next;
          chaosSteps.push(deleteQueueMidRun());
          continue;
        }
        if (chaos && outageAt < 0 && next >= options.events * 0.55) {
          outageAt = next;
          chaosSteps.push(outage());
        }
        const job = nextJob();
        if (job === undefined) {
          if (next >= options.events && ready.length === 0 && timers === 0 && running === 0) return;
          await sleep(10);
          continue;
        }
        running += 1;
        try {
          await runJob(job);
        } finally {
          running -= 1;
        }
        if (Date.now() - lastProgress > 5_000) {
          lastProgress = Date.now();
          log(
            `  ${next}/${options.events} events sent, ${counts['invocations']} invocations, ` +
              `${((Date.now() - started) / 1000).toFixed(0)} s`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 16 }, worker));
    await Promise.all(chaosSteps);
    // Invocations that outlived their timeout may still be sending (a real Lambda would be gone).
    await Promise.allSettled([...background]);
    const sentSeconds = (Date.now() - started) / 1000;
    log(`  all ${options.events} events sent in ${sentSeconds.toFixed(1)} s; reading back …`);

    // --- read back until nothing moves ---------------------------------------------------------------
    const records = async (fn: string): Promise<unknown[]> => {
      const text = await readFile(join(recordDir, `${fn}.jsonl`), 'utf8').catch(() => '');
      const events: unknown[] = [];
      for (const line of text.split('\n')) {
        if (!line.includes(run)) continue;
        events.push((JSON.parse(line) as { event: unknown }).event);
      }
      return events;
    };
    let flakyRecords: unknown[] = [];
    let busRecords: unknown[] = [];
    let stableSince = Date.now();
    let lastTotal = -1;
    const readDeadline = Date.now() + Math.max(60_000, options.events * 2);
    for (;;) {
      [flakyRecords, busRecords] = await Promise.all([records(FLAKY), records(BUS_LISTENER)]);
      const depths = await Promise.all([...queueUrls.values()].map((url) => depth(sqs, url)));
      const total =
        flakyRecords.length + busRecords.length + [...received.values()].reduce((s, m) => s + m.length, 0);
      if (total !== lastTotal || depths.some((d) => d > 0)) {
        lastTotal = total;
        stableSince = Date.now();
      } else if (Date.now() - stableSince > 3_000) break;
      if (Date.now() > readDeadline) {
        log('  read-back deadline passed; counting what arrived');
        break;
      }
      await sleep(250);
    }
    await consumers.stop();
    const dump = env['PSARN_SOAK_DUMP'];
    if (dump !== undefined && dump !== '') {
      // Everything read back, for a closer look at a failed run.
      await writeFile(
        dump,
        JSON.stringify({ run, planned, received: Object.fromEntries(received), flakyRecords, busRecords }),
      );
      log(`  read-back written to ${dump}`);
    }

    // --- the account -----------------------------------------------------------------------------------
    const observed: Observed = {
      delivered: new Map(),
      parked: new Map(),
      deadLettered: new Map(),
      uncertain,
      ...observedExtra,
    };
    const add = (map: Map<string, number>, key: string): void => void map.set(key, (map.get(key) ?? 0) + 1);
    const targetByQueue = new Map<string, string>([
      [queueNames.a, arn('sqs', queueNames.a)],
      [queueNames.b, arn('sqs', queueNames.b)],
      [queueNames.c, arn('sqs', queueNames.c)],
      [queueNames.d, arn('sqs', queueNames.d)],
      [queueNames.fifo, arn('sqs', queueNames.fifo)],
      [queueNames.topicCopy, topicArn],
    ]);
    for (const [queue, target] of targetByQueue) {
      for (const m of received.get(queue) ?? []) add(observed.delivered, copyKey(target, idOf(m.Body)));
    }
    for (const record of flakyRecords) add(observed.delivered, copyKey(lambdaArn(FLAKY), idOfValue(record)));
    for (const record of busRecords) {
      add(observed.delivered, copyKey(busArn(BUS), idOfValue((record as { detail?: unknown }).detail)));
    }
    for (const queue of [queueNames.holdSplit, queueNames.holdLambda]) {
      for (const m of received.get(queue) ?? [])
        add(observed.parked, copyKey(attr(m, 'psarn-target'), idOf(m.Body)));
    }
    for (const m of received.get(queueNames.dlq) ?? []) {
      const target = attr(m, 'psarn-target');
      if (target !== '') {
        add(observed.deadLettered, copyKey(target, idOf(m.Body)));
        continue;
      }
      // A Lambda invocation record: the whole event of a direct invoke that kept failing.
      const record = JSON.parse(m.Body ?? '{}') as { requestPayload?: { payload?: { id?: string } } };
      const id = record.requestPayload?.payload?.id;
      if (id !== undefined) add(observed.wholeEvent, id);
    }

    const label = (target: string): string => {
      const parsed = parseTargetArn(target);
      return `${parsed.kind}:${parsed.name.replace(`${run}-`, '')}`;
    };
    const account = settleAccount(planned, observed, queueNames.dlq, label);
    const seconds = (Date.now() - started) / 1000;
    const faultStats = Object.fromEntries(Object.entries(proxies).map(([k, p]) => [k, faultCounts(p)]));
    const report = [
      `reliability run ${run}: ${options.events} events in ${seconds.toFixed(1)} s ` +
        `(sent in ${sentSeconds.toFixed(1)} s)${options.break === undefined ? '' : `, PSARN_SOAK_BREAK=${options.break}`}`,
      `invocations: ${Object.entries(counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
      ...Object.entries(faultStats).map(
        ([k, s]) =>
          `faults ${k}: ${Object.entries(s)
            .map(([f, v]) => `${f} ${v}`)
            .join(', ')}`,
      ),
      '',
      formatAccountText(account),
    ].join('\n');
    return { account, seconds, events: options.events, invocations: counts, faults: faultStats, report };
  } finally {
    await consumers.stop();
    restoreEnv();
    await Promise.all(Object.values(proxies).map((p) => p.stop()));
    sqs.destroy();
    sns.destroy();
    dynamo.destroy();
  }
}

/** The proxy's per-request counts (connection and byte counts would only crowd the report). */
function faultCounts(proxy: FaultProxy): Record<string, number> {
  const { requests, resetBefore, resetAfter, delayed, refusedDown, unanswered, late } = proxy.counters;
  return { requests, resetBefore, resetAfter, delayed, refusedDown, unanswered, late };
}

function formatAccountText(account: Account): string {
  const lines = [formatAccount(account)];
  if (account.examples.lost.length > 0)
    lines.push('', 'lost (examples):', ...account.examples.lost.map((l) => `  ${l}`));
  if (account.examples.resent.length > 0)
    lines.push('', 're-sent (examples):', ...account.examples.resent.map((l) => `  ${l}`));
  return lines.join('\n');
}

// --- the router broken on purpose (PSARN_SOAK_BREAK) ------------------------------------------------

/**
 * Wraps the router's SQS sends to one queue (the split's first target): `drop` answers every 10th
 * batch as delivered without sending it; `resend` sends every 10th delivered batch a second time.
 * A single message goes out as SendMessage, a batch of one: it counts and breaks the same way.
 * The account must then show lost (drop) or re-sent (resend) copies.
 */
function breakRouter(mod: SqsModule, how: Break, queue: string, log: (line: string) => void): void {
  const prototype = mod.SQSClient.prototype as unknown as {
    send: (command: unknown, ...rest: unknown[]) => Promise<unknown>;
  };
  const original = prototype.send;
  let batches = 0;
  log(
    `  PSARN_SOAK_BREAK=${how}: the router ${how === 'drop' ? 'drops' : 're-sends'} every 10th batch to ${queue}`,
  );
  prototype.send = async function (this: unknown, command: unknown, ...rest: unknown[]): Promise<unknown> {
    const input = (command as { input?: { QueueUrl?: string; Entries?: { Id?: string }[] } }).input;
    const single = command instanceof mod.SendMessageCommand;
    const mine =
      (single || command instanceof mod.SendMessageBatchCommand) &&
      input?.QueueUrl?.endsWith(`/${queue}`) === true;
    if (!mine) return original.call(this, command, ...rest);
    batches += 1;
    if (how === 'drop' && batches % 10 === 0) {
      if (single) return { MessageId: 'dropped', MD5OfMessageBody: '' };
      return {
        Successful: (input?.Entries ?? []).map((e) => ({
          Id: e.Id,
          MessageId: 'dropped',
          MD5OfMessageBody: '',
        })),
        Failed: [],
      };
    }
    const output = await original.call(this, command, ...rest);
    if (how === 'resend' && batches % 10 === 0)
      await original.call(this, command, ...rest).catch(() => undefined);
    return output;
  };
}

// --- what the harness builds and reads ----------------------------------------------------------------

function arn(kind: 'sqs' | 'sns', name: string): string {
  return `arn:aws:${kind}:${REGION}:${ACCOUNT}:${name}`;
}
function lambdaArn(name: string): string {
  return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
}
function busArn(name: string): string {
  return `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${name}`;
}
function destinationOf(target: string): string {
  return parseTargetArn(target).name;
}

function lambdaContext(requestId: string, deadline: number): Context {
  const functionName = localName('router');
  return {
    awsRequestId: requestId,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: lambdaArn(functionName),
    memoryLimitInMB: '512',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'soak',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function functionUrlEvent(event: SoakEvent, requestId: string): unknown {
  const body = JSON.stringify(event.payload);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', 'x-psarn': event.route.psarn, ...event.headers },
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: ACCOUNT,
      apiId: 'soak',
      domainName: 'soak.lambda-url.us-east-1.on.aws',
      http: { method: 'POST', path: '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'soak' },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
  };
}

function sqsRecord(event: SoakEvent, record: { messageId: string; receiveCount: number }): unknown {
  const body = JSON.stringify(event.payload);
  return {
    messageId: record.messageId,
    receiptHandle: randomUUID(),
    body,
    attributes: {
      ApproximateReceiveCount: String(record.receiveCount),
      SentTimestamp: String(Date.now()),
      SenderId: ACCOUNT,
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries({ psarn: event.route.psarn, ...event.headers }).map(([k, v]) => [
        k,
        { stringValue: v, dataType: 'String', stringListValues: [], binaryListValues: [] },
      ]),
    ),
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT}:psarn-local-ingress`,
    awsRegion: REGION,
  };
}

async function sendInvocationRecord(
  sqs: SQSClient,
  dlqUrl: string,
  requestId: string,
  envelope: unknown,
  error: string,
): Promise<void> {
  const record = {
    version: '1.0',
    timestamp: new Date().toISOString(),
    requestContext: {
      requestId,
      functionArn: `${lambdaArn(localName('router'))}:$LATEST`,
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
    },
    requestPayload: envelope,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: 'Error', errorMessage: error },
  };
  await sqs.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: JSON.stringify(record) }));
}

function isErrorAnswer(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'error' in value;
}
function statusOf(value: unknown): number {
  const status = (value as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : 200;
}

/** Receives and deletes a queue's messages until told to stop; a deleted queue is waited for. */
async function consume(
  sqs: SQSClient,
  queue: string,
  urls: Map<string, string>,
  into: Map<string, Message[]>,
  going: () => boolean,
): Promise<void> {
  const got = into.get(queue) as Message[];
  while (going()) {
    try {
      const url = urls.get(queue) ?? (await sqs.send(new GetQueueUrlCommand({ QueueName: queue }))).QueueUrl;
      if (url === undefined) throw new Error(`no URL for ${queue}`);
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          VisibilityTimeout: 60,
          MessageAttributeNames: ['All'],
        }),
      );
      const messages = out.Messages ?? [];
      if (messages.length === 0) {
        await sleep(50);
        continue;
      }
      got.push(...messages);
      await sqs
        .send(
          new DeleteMessageBatchCommand({
            QueueUrl: url,
            Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        )
        .catch(() => undefined); // the queue may have just been deleted; the messages are counted
    } catch {
      await sleep(100); // deleted right now, or a moment's error: try again
    }
  }
}

async function depth(sqs: SQSClient, url: string): Promise<number> {
  try {
    const out = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) +
      Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
    );
  } catch {
    return 0; // deleted
  }
}

function attr(message: Message, name: string): string {
  return message.MessageAttributes?.[name]?.StringValue ?? '';
}
function idOf(body: string | undefined): string {
  try {
    return idOfValue(JSON.parse(body ?? 'null'));
  } catch {
    return '';
  }
}
function idOfValue(value: unknown): string {
  const id = (value as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : '';
}

/**
 * Which copies an uncertain request carried: `destination \n psarn-target \n event id` per
 * message (see `uncertainKey`). SQS speaks JSON (QueueUrl, Entries / MessageBody), SNS the query
 * protocol (TopicArn, PublishBatchRequestEntries.member.N.Message), EventBridge JSON (Entries with
 * EventBusName and Detail), Lambda a path naming the function with the payload as body.
 */
export function requestKeys(text: string): string[] {
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) return [];
  const head = text.slice(0, split);
  const body = text.slice(split + 4);
  const keys: string[] = [];
  const invoke = /^POST \/2015-03-31\/functions\/([^/\s]+)\/invocations/.exec(head);
  if (invoke !== null) {
    keys.push(uncertainKey(decodeURIComponent(invoke[1] as string), '', idOf(body)));
    return keys;
  }
  if (/x-amz-target: *AmazonSQS\./i.test(head)) {
    const input = safeJson(body) as {
      QueueUrl?: string;
      MessageBody?: string;
      MessageAttributes?: Record<string, { StringValue?: string }>;
      Entries?: { MessageBody?: string; MessageAttributes?: Record<string, { StringValue?: string }> }[];
    } | null;
    const queue = input?.QueueUrl?.split('/').pop() ?? '';
    const entries = input?.Entries ?? (input?.MessageBody === undefined ? [] : [input]);
    for (const e of entries) {
      keys.push(
        uncertainKey(queue, e.MessageAttributes?.['psarn-target']?.StringValue ?? '', idOf(e.MessageBody)),
      );
    }
    return keys;
  }
  if (/x-amz-target: *AWSEvents\./i.test(head)) {
    const input = safeJson(body) as { Entries?: { EventBusName?: string; Detail?: string }[] } | null;
    for (const e of input?.Entries ?? []) {
      const bus = (e.EventBusName ?? '').split('/').pop() ?? '';
      keys.push(uncertainKey(bus, '', idOf(e.Detail)));
    }
    return keys;
  }
  if (body.includes('Action=Publish')) {
    const form = new URLSearchParams(body);
    const topic = (form.get('TopicArn') ?? '').split(':').pop() ?? '';
    for (const [k, v] of form) {
      if (k === 'Message' || /^PublishBatchRequestEntries\.member\.\d+\.Message$/.test(k)) {
        keys.push(uncertainKey(topic, '', idOf(v)));
      }
    }
  }
  return keys;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function bump(counts: Record<string, number>, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
