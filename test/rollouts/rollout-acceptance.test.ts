/**
 * Acceptance of progressive rollouts on the local stack: the real router handler (in-process, its
 * outcome counters flushing to the stack's dynalite in the background as in Lambda), the demo
 * target Lambdas on serverless-offline, the router DLQ on fauxqs, and the controller run once per
 * step through `psarn rollout run --once`. Steps last 1 s; the only waits are for the counters'
 * flush (polled) and the step's interval.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { Message } from '@aws-sdk/client-sqs';
import {
  LOCAL_DLQ,
  FAILING_FUNCTION,
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  localName,
  queueArn,
} from '../../src/local/demo-resources';
import type { Route } from '../../src/routes/model';
import { DynamoCounterStore } from '../../src/rollouts/counter-store';
import type { RolloutState } from '../../src/rollouts/rollout-state';
import { createRouteTable } from '../../src/store/create-route-table';
import { DynamoReleaseStore } from '../../src/store/dynamo-release-store';
import { runCli } from '../control/cli-harness';
import { dynamoClient, queueUrl, readRecords, receiveAll, stackVar } from '../support/stack';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

const lambdaArn = (name: string): string =>
  `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${localName(name)}`;
const V1 = lambdaArn('signupV1');
const V2 = lambdaArn('signupV2');
const FAILS = lambdaArn(FAILING_FUNCTION);
const EVENTS_PER_STEP = 60;

const tableName = `rollouts-${process.pid}-${randomUUID().slice(0, 6)}`;
let handler: Handler;
let saved: Record<string, string | undefined>;
const releases = (): DynamoReleaseStore => new DynamoReleaseStore({ client: dynamoClient(), tableName });
const counters = (): DynamoCounterStore => new DynamoCounterStore({ client: dynamoClient(), tableName });
const cliEnv = (): Record<string, string> => ({
  ...(process.env as Record<string, string>),
  PSARN_TABLE: tableName,
  PSARN_USER: 'tester@ci',
});
const cli = (...args: string[]) => runCli(args, cliEnv(), process.cwd());

beforeAll(async () => {
  stackVar('PSARN_TABLE');
  await createRouteTable(dynamoClient(), tableName);
  const env: Record<string, string> = {
    PSARN_TABLE: tableName,
    PSARN_DLQ_ARN: queueArn(LOCAL_DLQ),
    // Every invocation looks at #control, so a step's release is seen by the next event.
    PSARN_EPOCH_CHECK_SECONDS: '0',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  };
  saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handler = (require('../../src/router/handler') as { handler: Handler }).handler;
  });
});

afterAll(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

function baseRoute(path: string): Route {
  return {
    psarn: `arn:aws:psarns:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${path}`,
    ttl: 1,
    targets: [{ arn: V1, kind: 'lambda', weight: 100 }],
    fanout: [],
    onFailure: 'dlq',
  };
}

/** Publish `route` next to whatever else the table holds. */
async function publish(route: Route): Promise<number> {
  const store = releases();
  const { release } = await store.readControl();
  const others = release === 0 ? [] : (await store.routesAt(release)).filter((r) => r.psarn !== route.psarn);
  return (await store.publishRelease([...others, route], { by: 'setup', basedOn: release })).release;
}

async function liveRoute(psarn: string): Promise<Route | undefined> {
  const store = releases();
  const { release } = await store.readControl();
  return (await store.routesAt(release)).find((r) => r.psarn === psarn);
}

/** Send `n` events through the router; returns how many it accepted (answered without an error). */
async function send(psarn: string, run: string, from: number, n: number): Promise<number> {
  // The router's metric lines (EMF on stdout) are not this test's subject.
  const quiet = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    return await sendAll(psarn, run, from, n);
  } finally {
    quiet.mockRestore();
  }
}

async function sendAll(psarn: string, run: string, from: number, n: number): Promise<number> {
  let accepted = 0;
  for (let i = 0; i < n; i += 10) {
    const answers = await Promise.all(
      Array.from({ length: Math.min(10, n - i) }, (_, j) =>
        handler({ headers: { psarn }, payload: { run, n: from + i + j } }, {
          awsRequestId: randomUUID(),
          getRemainingTimeInMillis: () => 20_000,
        } as unknown as Context),
      ),
    );
    accepted += answers.filter((a) => (a as { error?: unknown }).error === undefined).length;
  }
  return accepted;
}

/** Copies the routers' counters hold for `targets`, all windows (the table is this file's own). */
async function counted(targets: readonly string[]): Promise<number> {
  const counts = await Promise.all(targets.map((t) => counters().read(t, 0)));
  return counts.reduce((s, c) => s + c.delivered + c.failed, 0);
}

/**
 * Poll until the counters for `targets` hold `total` more copies than `before` (their flush is
 * in the background). Both tests send to signupV1, hence the baseline.
 */
async function countersReach(targets: readonly string[], before: number, total: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const seen = (await counted(targets)) - before;
    if (seen >= total) return;
    if (Date.now() > deadline) throw new Error(`counters show ${seen} of ${total} copies after 15 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function status(psarn: string): Promise<RolloutState> {
  const run = await cli('rollout', 'status', psarn, '--json');
  expect(run).toMatchObject({ code: 0, stderr: '' });
  return (JSON.parse(run.stdout) as { rollouts: RolloutState[] }).rollouts[0] as RolloutState;
}

/** Until the step's interval has passed (1 s): the controller judges only a finished step. */
async function stepOver(psarn: string): Promise<void> {
  const s = await status(psarn);
  const wait = (s.stepStartedAt ?? 0) + s.settings.intervalMs - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait + 50));
}

/** Where this run's events ended: recorded by a target function, or kept in the router DLQ. */
async function account(
  run: string,
): Promise<{ delivered: Map<string, number>; deadLettered: number; keys: string[] }> {
  const mine = (event: unknown): boolean => (event as { run?: unknown } | null)?.run === run;
  const delivered = new Map<string, number>();
  const keys: string[] = [];
  for (const fn of ['signupV1', 'signupV2']) {
    const records = (await readRecords(fn)).filter((r) => mine(r.event));
    delivered.set(fn, records.length);
    keys.push(...records.map((r) => `${fn}:${(r.event as { n: number }).n}`));
  }
  const dlq: Message[] = await receiveAll(await queueUrl(LOCAL_DLQ), {
    filter: (m) => m.Body?.includes(`"run":"${run}"`) === true,
    timeoutMs: 3000,
  });
  keys.push(...dlq.map((m) => `dlq:${(JSON.parse(m.Body as string) as { n: number }).n}`));
  return { delivered, deadLettered: dlq.length, keys };
}

describe('progressive rollouts on the local stack', () => {
  it('walks a canary to a healthy target through every step to 100 %, losing no event', async () => {
    const run = randomUUID();
    const route = baseRoute(`/event/rollout-ok-${run.slice(0, 8)}`);
    await publish(route);
    const start = await cli(
      'rollout',
      'start',
      route.psarn,
      '--target',
      V2,
      '--steps',
      '25,50,100',
      '--interval',
      '1s',
      '--min-events',
      '3',
      // The recorder never fails; 20 % leaves room for a copy the loaded test machine times out.
      '--max-failure-rate',
      '20%',
    );
    expect(start).toMatchObject({ code: 0, stderr: '' });
    expect(start.stdout).toMatch(
      /^rollout ro-\w+ started for .*: step 1\/3, 25 % to .*signupV2 \(release \d+\)\n/,
    );

    let accepted = 0;
    const before = await counted([V1, V2]);
    for (const [i, next] of [50, 100].entries()) {
      accepted += await send(route.psarn, run, i * EVENTS_PER_STEP, EVENTS_PER_STEP);
      await countersReach([V1, V2], before, accepted);
      await stepOver(route.psarn);
      const tick = await cli('rollout', 'run', '--once', '--json');
      expect(tick).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(tick.stdout)).toMatchObject({
        psarn: route.psarn,
        outcome: next === 100 ? 'completed' : 'advanced',
      });
      expect((await liveRoute(route.psarn))?.targets.find((t) => t.arn === V2)?.weight).toBe(next);
    }
    accepted += await send(route.psarn, run, 2 * EVENTS_PER_STEP, EVENTS_PER_STEP);

    const done = await status(route.psarn);
    expect(done).toMatchObject({ status: 'completed', percent: 100 });
    const history = await cli('history', route.psarn, '--json');
    const summaries = (JSON.parse(history.stdout) as { releases: { summary: string }[] }).releases.map(
      (r) => r.summary,
    );
    expect(summaries.slice(-3)).toEqual([
      `rollout ${done.id} step 1/3: 25 %`,
      `rollout ${done.id} step 2/3: 50 %`,
      `rollout ${done.id} step 3/3: 100 %`,
    ]);

    const { delivered, deadLettered, keys } = await account(run);
    expect(accepted).toBe(3 * EVENTS_PER_STEP);
    expect((delivered.get('signupV1') ?? 0) + (delivered.get('signupV2') ?? 0) + deadLettered).toBe(accepted);
    expect(new Set(keys).size).toBe(keys.length);
    // At 100 % no event of the last batch went to the old target (a copy the loaded machine let
    // time out is dead-lettered, and counted above, not sent elsewhere).
    expect(
      keys.filter((k) => k.startsWith('signupV1:') && Number(k.split(':')[1]) >= 2 * EVENTS_PER_STEP),
    ).toEqual([]);
    expect(delivered.get('signupV2')).toBeGreaterThan(0);
  });

  it('rolls a canary to a failing target back by itself to the pre-rollout route, losing no event', async () => {
    const run = randomUUID();
    const route = baseRoute(`/event/rollout-bad-${run.slice(0, 8)}`);
    const before = await publish(route);
    const start = await cli(
      'rollout',
      'start',
      route.psarn,
      '--target',
      FAILS,
      '--steps',
      '25,50,100',
      '--interval',
      '1s',
      '--min-events',
      '3',
      '--max-failure-rate',
      '10%',
    );
    expect(start.code).toBe(0);

    const countedBefore = await counted([V1, FAILS]);
    let accepted = await send(route.psarn, run, 0, EVENTS_PER_STEP);
    await countersReach([V1, FAILS], countedBefore, accepted);
    const tick = await cli('rollout', 'run', '--once');
    expect(tick).toMatchObject({ code: 0, stderr: '' });
    expect(tick.stdout).toMatch(
      new RegExp(
        `^${route.psarn} ro-\\w+ rolled-back: failure rate 100 % \\(\\d+ of \\d+ copies failed\\) is above 10 %\\n$`,
      ),
    );

    // The route is what it was in the release before the rollout.
    expect(await liveRoute(route.psarn)).toEqual(
      (await releases().routesAt(before)).find((r) => r.psarn === route.psarn),
    );
    const detail = await cli('rollout', 'status', route.psarn);
    expect(detail.stdout).toContain(': rolled-back\n');
    expect(detail.stdout).toMatch(
      /figures {3}\d+ delivered, \d+ failed \((?:[a-z-]+ \d+, )*function-error \d+(?:, [a-z-]+ \d+)*\): 100 % failed/,
    );
    expect(detail.stdout).toMatch(/why {7}rolled back: failure rate 100 %/);

    // After the rollback no event goes to the canary any more.
    accepted += await send(route.psarn, run, EVENTS_PER_STEP, 20);
    const { delivered, deadLettered, keys } = await account(run);
    expect(accepted).toBe(EVENTS_PER_STEP + 20);
    expect((delivered.get('signupV1') ?? 0) + deadLettered).toBe(accepted);
    expect(deadLettered).toBeGreaterThanOrEqual(3);
    expect(delivered.get('signupV1')).toBeGreaterThanOrEqual(20);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
