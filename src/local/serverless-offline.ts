import { join } from 'node:path';
import { spawnNode } from './child-process';
import { childPath } from './emulator';
import { LOCAL_STAGE } from './demo-resources';
import { waitForHttp } from './wait-ready';

/** Ports serverless-offline listens on (serverless.yml reads them from PSARN_OFFLINE_* variables). */
export interface OfflinePorts {
  /** Lambda Invoke API (`AWS_ENDPOINT_URL_LAMBDA`). */
  readonly lambda: number;
  /** serverless-offline-aws-eventbridge's PutEvents server (`AWS_ENDPOINT_URL_EVENTBRIDGE`). */
  readonly eventbridge: number;
  /** The MQTT broker the EventBridge plugin uses internally between its server and subscribers. */
  readonly eventbridgeMqtt: number;
  /** HTTP events (unused by psarn, but serverless-offline must not collide with anything on 3000). */
  readonly http: number;
}

export interface OfflineOptions {
  readonly ports: OfflinePorts;
  /** Variables the functions see (serverless/environment.js copies them into provider.environment). */
  readonly env: Readonly<Record<string, string>>;
  readonly projectDir: string;
  readonly logDir: string;
  readonly echo?: boolean;
  readonly timeoutMs?: number;
}

export interface RunningOffline {
  readonly lambdaEndpoint: string;
  readonly eventbridgeEndpoint: string;
  stop(): Promise<void>;
}

/**
 * Run `serverless offline start --stage local` (osls + serverless-offline +
 * serverless-offline-aws-eventbridge) from node_modules/.bin on this process's Node, and wait
 * until its Lambda and EventBridge endpoints answer.
 *
 * @example
 * const offline = await startServerlessOffline({ ports, env, projectDir, logDir });
 */
export async function startServerlessOffline(options: OfflineOptions): Promise<RunningOffline> {
  const { ports } = options;
  const child = spawnNode({
    name: 'serverless-offline',
    script: join(options.projectDir, 'node_modules', '.bin', 'serverless'),
    args: ['offline', 'start', '--stage', LOCAL_STAGE, '--noSponsor'],
    env: {
      ...process.env,
      ...options.env,
      PATH: childPath(),
      PSARN_OFFLINE_LAMBDA_PORT: String(ports.lambda),
      PSARN_OFFLINE_HTTP_PORT: String(ports.http),
      PSARN_OFFLINE_EVENTBRIDGE_PORT: String(ports.eventbridge),
      PSARN_OFFLINE_EVENTBRIDGE_MQTT_PORT: String(ports.eventbridgeMqtt),
      // No update checks, no telemetry, no interactive prompts: the stack runs offline.
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
      SLS_INTERACTIVE_SETUP_DISABLE: '1',
      CI: '1',
    },
    cwd: options.projectDir,
    logFile: join(options.logDir, `serverless-offline-${ports.lambda}.log`),
    ...(options.echo === undefined ? {} : { echo: options.echo }),
  });
  const lambdaEndpoint = `http://127.0.0.1:${ports.lambda}`;
  const eventbridgeEndpoint = `http://127.0.0.1:${ports.eventbridge}`;
  const wait = options.timeoutMs === undefined ? { child } : { child, timeoutMs: options.timeoutMs };
  try {
    // The EventBridge plugin listens in `before:offline:start:init`, serverless-offline's Lambda
    // server after it: both answering means the whole process is up.
    await waitForHttp('serverless-offline (Lambda)', `${lambdaEndpoint}/`, wait);
    await waitForHttp('serverless-offline-aws-eventbridge', `${eventbridgeEndpoint}/health`, wait);
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { lambdaEndpoint, eventbridgeEndpoint, stop: () => child.stop(5000) };
}
