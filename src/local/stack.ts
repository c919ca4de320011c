import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { LOCAL_ACCOUNT, LOCAL_DLQ, LOCAL_REGION, queueArn } from './demo-resources';
import { createLocalResources } from './create-resources';
import { startDynalite } from './dynalite';
import { startFauxqs } from './fauxqs';
import { assertPortsFree, freePort } from './free-port';
import { startServerlessOffline, type OfflinePorts, type RunningOffline } from './serverless-offline';
import { stackEnv, type StackEndpoints } from './stack-env';
import { probeEventBridge } from './probe-eventbridge';

/** The well-known ports of `npm start` (DESIGN.md "Local stack"). */
export const WELL_KNOWN_PORTS = {
  dynamodb: 8000,
  sqs: 4566,
  lambda: 3002,
  eventbridge: 4010,
  eventbridgeMqtt: 4011,
  http: 3000,
} as const;

export interface LocalStackOptions {
  /** `true`: the ports of WELL_KNOWN_PORTS (for `npm start`); default: free ports. */
  readonly fixedPorts?: boolean;
  /** Project root (node_modules/, serverless.yml, dist/); default: the current directory. */
  readonly projectDir?: string;
  /** Log files and records; default `<projectDir>/.local-stack`. */
  readonly logDir?: string;
  /** Where the demo functions record events; default: a fresh directory under logDir. */
  readonly recordDir?: string;
  /** Print the emulators' output on the terminal instead of log files. */
  readonly echo?: boolean;
  /** Run `esbuild.config.mjs` first so dist/ holds the router and demo bundles; default true. */
  readonly build?: boolean;
  /** Start serverless-offline (Lambda + EventBridge); default true. */
  readonly lambda?: boolean;
  readonly timeoutMs?: number;
}

export interface LocalStack {
  readonly region: string;
  readonly account: string;
  readonly endpoints: StackEndpoints;
  /** Every variable a process needs to use the stack (AWS_ENDPOINT_URL_*, PSARN_*, credentials). */
  readonly env: Readonly<Record<string, string>>;
  readonly recordDir: string;
  /** Milliseconds from the start call until each part was ready (for reports and tuning). */
  readonly timings: Readonly<Record<string, number>>;
  /** Stops everything the stack started; safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * Start the local AWS stack: dynalite (DynamoDB), fauxqs (SQS + SNS), serverless-offline (Lambda
 * Invoke, with the router and the demo functions) and serverless-offline-aws-eventbridge
 * (PutEvents), each as a child process in its own process group; create the `local` stage's
 * table, queues, topic and subscription; wait until all answer. A failure part-way stops what
 * had started before rethrowing.
 *
 * @example
 * const stack = await startLocalStack();
 * Object.assign(process.env, stack.env);
 * // ... use the SDK as usual ...
 * await stack.stop();
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const t0 = Date.now();
  const timings: Record<string, number> = {};
  const mark =
    <T>(phase: string) =>
    (value: T): T => {
      timings[phase] = Date.now() - t0;
      return value;
    };
  const projectDir = options.projectDir ?? process.cwd();
  const logDir = options.logDir ?? join(projectDir, '.local-stack');
  // Ports first: a busy fixed port fails before anything is created.
  const ports = await choosePorts(options.fixedPorts === true);
  mkdirSync(logDir, { recursive: true });
  pruneOldRuns(logDir);
  const recordDir = options.recordDir ?? mkdtempSync(join(logDir, 'records-'));
  mkdirSync(recordDir, { recursive: true });
  const common = {
    projectDir,
    logDir,
    ...(options.echo === undefined ? {} : { echo: options.echo }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  };
  const withLambda = options.lambda ?? true;

  // Everything started so far, stopped (all at once) on failure or by stop().
  const started: { stop(): Promise<void> }[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.allSettled(started.splice(0).map((s) => s.stop()));
    // A record directory of our own making goes with the stack, once no function can write to it.
    if (options.recordDir === undefined) rmSync(recordDir, { recursive: true, force: true });
  };
  const track = <T extends { stop(): Promise<void> }>(running: T): T => {
    started.push(running);
    return running;
  };

  try {
    const dynamoP = startDynalite({ ...common, port: ports.dynamodb })
      .then(track)
      .then(mark('dynalite'));
    const fauxqsP = startFauxqs({ ...common, port: ports.sqs })
      .then(track)
      .then(mark('fauxqs'));
    const endpoints: StackEndpoints = {
      dynamodb: `http://127.0.0.1:${ports.dynamodb}`,
      sqs: `http://127.0.0.1:${ports.sqs}`,
      sns: `http://127.0.0.1:${ports.sqs}`,
      lambda: `http://127.0.0.1:${ports.lambda}`,
      eventbridge: `http://127.0.0.1:${ports.eventbridge}`,
    };
    // The DLQ's URL and ARN follow from fauxqs's port, so serverless-offline (the slowest to
    // start) can start alongside the emulators; createLocalResources confirms them below.
    const dlqUrl = `http://sqs.${LOCAL_REGION}.localhost:${ports.sqs}/${LOCAL_ACCOUNT}/${LOCAL_DLQ}`;
    const env = stackEnv({ endpoints, dlqUrl, dlqArn: queueArn(LOCAL_DLQ), recordDir });

    // esbuild and serverless-offline start side by side: serverless-offline loads a handler
    // only when it is first invoked, which is after the build (the probe below waits for it).
    const buildP =
      withLambda && (options.build ?? true)
        ? buildBundles(projectDir).then(mark('build'))
        : Promise.resolve();
    const offlineP: Promise<RunningOffline | undefined> = withLambda
      ? startServerlessOffline({ ...common, ports, env })
          .then(track)
          .then(mark('serverlessOffline'))
      : Promise.resolve(undefined);

    const resourcesP = settleAll(dynamoP, fauxqsP).then(([dynamo, sqs]) =>
      createLocalResources({ dynamodb: dynamo.endpoint, sqs: sqs.endpoint }).then(mark('resources')),
    );
    const [[resources, offline]] = await settleAll(settleAll(resourcesP, offlineP), buildP);
    if (resources.dlqUrl !== dlqUrl || resources.dlqArn !== env.PSARN_DLQ_ARN) {
      throw new Error(
        `fauxqs named the router DLQ ${resources.dlqUrl} (${resources.dlqArn}), ` +
          `but the functions were started with ${dlqUrl} (${env.PSARN_DLQ_ARN})`,
      );
    }
    if (offline !== undefined) {
      await probeEventBridge({
        endpoint: endpoints.eventbridge,
        recordDir,
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      });
      mark('eventbridgeProbe')(undefined);
    }
    mark('ready')(undefined);
    return {
      region: LOCAL_REGION,
      account: LOCAL_ACCOUNT,
      endpoints,
      env,
      recordDir,
      timings,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function choosePorts(fixed: boolean): Promise<OfflinePorts & { dynamodb: number; sqs: number }> {
  if (fixed) {
    const { dynamodb, sqs, lambda, eventbridge, eventbridgeMqtt, http } = WELL_KNOWN_PORTS;
    await assertPortsFree({
      DynamoDB: dynamodb,
      'SQS/SNS': sqs,
      Lambda: lambda,
      EventBridge: eventbridge,
      'EventBridge MQTT': eventbridgeMqtt,
      'serverless-offline HTTP': http,
    });
    return { ...WELL_KNOWN_PORTS };
  }
  const [dynamodb, sqs, lambda, eventbridge, eventbridgeMqtt, http] = await Promise.all(
    Array.from({ length: 6 }, () => freePort()),
  );
  return {
    dynamodb: dynamodb!,
    sqs: sqs!,
    lambda: lambda!,
    eventbridge: eventbridge!,
    eventbridgeMqtt: eventbridgeMqtt!,
    http: http!,
  };
}

/** Await both, but after both have settled, so nothing keeps starting behind a thrown error. */
async function settleAll<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === 'rejected') throw ra.reason;
  if (rb.status === 'rejected') throw rb.reason;
  return [ra.value, rb.value];
}

/** `node esbuild.config.mjs` on this process's Node: dist/router.mjs (with dist/chunks/) and dist/demo/*.js. */
async function buildBundles(projectDir: string): Promise<void> {
  try {
    await promisify(execFile)(process.execPath, ['esbuild.config.mjs'], { cwd: projectDir });
  } catch (err) {
    const detail = err as { stderr?: string; stdout?: string; message?: string };
    throw new Error(
      `building dist/ with esbuild.config.mjs failed: ${detail.stderr ?? ''}${detail.stdout ?? ''}${detail.message ?? ''}`,
      { cause: err },
    );
  }
}

/** Log files and record directories of runs older than a day: each run names its own by port. */
function pruneOldRuns(logDir: string): void {
  const cutoff = Date.now() - 24 * 60 * 60 * 1000;
  for (const entry of readdirSync(logDir)) {
    if (!entry.endsWith('.log') && !entry.startsWith('records-')) continue;
    const path = join(logDir, entry);
    try {
      if (statSync(path).mtimeMs < cutoff) rmSync(path, { recursive: true, force: true });
    } catch {
      // Another run pruned it first: an old log file of a local run, not an event; nothing is lost.
    }
  }
}
