/**
 * `npm start`: the whole product on a laptop. Starts the local AWS stack (dynalite, fauxqs,
 * serverless-offline with the router and demo functions, the EventBridge plugin), applies
 * `routes/` for the `local` stage, writes `.local-stack/env.sh`, runs a live demo of the router,
 * then serves until Ctrl-C, which stops everything it started.
 *
 * Flags: --no-demo (skip the demo stream), --free-ports (instead of 8000/4566/3002/4010),
 * --events N (demo events per route, default 200), --debug (stack traces of a failure).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { startLocalStack, type LocalStack } from '../src/local/stack';
import { loadRoutes, routeContextFrom, routesOrThrow } from '../src/routes/load';
import { DynamoReleaseStore } from '../src/store/dynamo-release-store';
import { RouterClient } from '../src/client/router-client';
import type { Route } from '../src/routes/model';
import { runDemo } from './demo';
import { startFailureText } from '../src/local/start-failure';
import { describeRun, runHealthCheck } from '../src/health/run-check';
import { regionalClients } from '../src/targets/clients';
import { createForwarders, type ForwarderRegistry } from '../src/targets/registry';

const args = process.argv.slice(2);
const projectDir = process.cwd();
const debug = args.includes('--debug') || process.env['PSARN_DEBUG'] === '1';

async function main(): Promise<void> {
  const started = Date.now();
  say('starting the local AWS stack (dynalite, fauxqs, serverless-offline, EventBridge) …');
  const stack = await startLocalStack({
    projectDir,
    fixedPorts: !args.includes('--free-ports'),
    build: false,
  });
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    say('\nstopping the local stack …');
    await stack.stop();
    say('stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  try {
    Object.assign(process.env, stack.env);
    const envFile = writeEnvFile(stack);
    const routes = await localRoutes();
    const release = await applyRoutes(routes);
    const routerFunction = `psarn-${stack.env['PSARN_STAGE'] ?? 'local'}-router`;
    say(`routes/ applied for stage local as release ${release}`);
    await localHealthCheck();
    // The deployed stack runs the check on a schedule (custom.psarn.healthCheck); locally, every 5 minutes.
    setInterval(() => void localHealthCheck(), 5 * 60_000).unref();
    say(`\nready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    say(
      [
        '',
        `  DynamoDB ${stack.endpoints.dynamodb}   SQS/SNS ${stack.endpoints.sqs}`,
        `  Lambda   ${stack.endpoints.lambda}   EventBridge ${stack.endpoints.eventbridge}`,
        `  demo function records: ${stack.recordDir}`,
        '',
        'send an event from another terminal:',
        `  source ${envFile}`,
        `  npx psarn send arn:aws:psarns:${stack.region}:${stack.account}:/event/newUser --data '{"userId":"u1"}'`,
        '',
      ].join('\n'),
    );

    if (!args.includes('--no-demo')) {
      const client = new RouterClient({ lambda: new LambdaClient({}), routerFunction });
      const perRoute = Number(valueOf('--events') ?? 100);
      await runDemo({
        client,
        routes,
        perRoute,
        live: Boolean(process.stdout.isTTY),
      });
    }
    say('serving until Ctrl-C');
  } catch (err) {
    process.stderr.write(startFailureText(err, debug));
    await stack.stop();
    process.exit(1);
  }
}

async function localRoutes(): Promise<readonly Route[]> {
  const context = routeContextFrom({ stage: 'local' }, process.env);
  return routesOrThrow(await loadRoutes({ dir: join(projectDir, 'routes'), context }));
}

/** Apply `routes/` for stage local, as `psarn apply --yes` would. */
async function applyRoutes(routes: readonly Route[]): Promise<number> {
  const client = new DynamoDBClient({});
  try {
    const store = new DynamoReleaseStore({
      client,
      tableName: process.env['PSARN_TABLE'] ?? 'psarn-local-routes',
    });
    return (await store.publishRelease(routes, { by: 'npm start', summary: 'routes/ at start' })).release;
  } finally {
    client.destroy();
  }
}

let forCheck: { clientsFor: ReturnType<typeof regionalClients>; registry: ForwarderRegistry } | undefined;

/** The periodic check's clients and forwarders, built once: every run reuses their sockets. */
function checkClients(): NonNullable<typeof forCheck> {
  if (forCheck === undefined) {
    const clientsFor = regionalClients(process.env);
    forCheck = { clientsFor, registry: createForwarders({ clientsFor }) };
  }
  return forCheck;
}

/** One run of the scheduled health check against the local stack: a line, never a failed start. */
async function localHealthCheck(): Promise<void> {
  const client = new DynamoDBClient({});
  try {
    const { clientsFor, registry } = checkClients();
    const run = await runHealthCheck({
      dynamo: client,
      tableName: process.env['PSARN_TABLE'] ?? 'psarn-local-routes',
      clientsFor,
      // As the deployed check does: autoDrain routes get back what open circuits parked.
      autoDrain: { registry },
    });
    say(describeRun(run));
  } catch (err) {
    say(
      `health check failed: ${err instanceof Error ? err.message : String(err)} (routers keep the last health state)`,
    );
  } finally {
    client.destroy();
  }
}

/** `source .local-stack/env.sh` points a shell (and so `npx psarn`) at the running stack. */
function writeEnvFile(stack: LocalStack): string {
  const file = join(projectDir, '.local-stack', 'env.sh');
  const lines = Object.entries(stack.env).map(([k, v]) => `export ${k}='${v.replace(/'/g, `'\\''`)}'`);
  lines.push(`export PSARN_ROUTER_FUNCTION='psarn-local-router'`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

function valueOf(flag: string): string | undefined {
  const index = args.indexOf(flag);
  return index >= 0 ? args[index + 1] : undefined;
}

function say(text: string): void {
  process.stdout.write(text + '\n');
}

// A stack that cannot start (ports taken, an emulator that fails) is a message and exit 1, not an
// unhandled rejection.
main().catch((err: unknown) => {
  process.stderr.write(startFailureText(err, debug));
  process.exit(1);
});
