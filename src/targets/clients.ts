import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
// Each target kind's client is a chunk: the router loads its code at its first use, not at init.
import { EventBridgeClient } from '../chunks/sdk-eventbridge';
import { LambdaClient } from '../chunks/sdk-lambda';
import { SNSClient } from '../chunks/sdk-sns';
import { SQSClient } from '../chunks/sdk-sqs';

/** Every AWS SDK v3 client psarn-router uses; each is built on first use, once per process. */
export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  readonly lambda: LambdaClient;
  readonly eventbridge: EventBridgeClient;
}

type Env = Readonly<Record<string, string | undefined>>;
type Service = keyof AwsClients;

/**
 * The SDK's service ids, which name its endpoint variables: `AWS_ENDPOINT_URL_<ID in upper case>`
 * (checked in @smithy/core `getEndpointUrlConfig`, SDK 3.1169).
 */
const ENDPOINT_VARIABLE: Readonly<Record<Service, string>> = {
  dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB',
  sqs: 'AWS_ENDPOINT_URL_SQS',
  sns: 'AWS_ENDPOINT_URL_SNS',
  lambda: 'AWS_ENDPOINT_URL_LAMBDA',
  eventbridge: 'AWS_ENDPOINT_URL_EVENTBRIDGE',
};

/** Connection and request timeouts (ms) and attempts of one client (see `clientTimeouts`). */
export interface ClientTimeouts {
  readonly connectionTimeout: number;
  readonly requestTimeout: number;
  readonly maxAttempts: number;
}

/**
 * Every AWS call has a connection and a request timeout: without them a socket that never answers
 * holds its caller (and every event waiting on it) forever. The route table must answer fast or
 * count as down (cached routes are then served stale); queues, topics and buses answer in tens of
 * ms; a synchronous Lambda invoke lasts as long as the function runs, so its bound is generous and
 * the invocation's deadline (an abort signal) is what really ends it. `requestTimeout` counts the
 * whole request and response. Overridable per service: `PSARN_<SERVICE>_TIMEOUT_MS` (request),
 * `PSARN_CONNECT_TIMEOUT_MS` and `PSARN_<SERVICE>_MAX_ATTEMPTS`, e.g. PSARN_DYNAMODB_TIMEOUT_MS.
 */
export const DEFAULT_TIMEOUTS: Readonly<Record<Service, ClientTimeouts>> = {
  dynamodb: { connectionTimeout: 1000, requestTimeout: 2000, maxAttempts: 2 },
  sqs: { connectionTimeout: 1000, requestTimeout: 5000, maxAttempts: 3 },
  sns: { connectionTimeout: 1000, requestTimeout: 5000, maxAttempts: 3 },
  eventbridge: { connectionTimeout: 1000, requestTimeout: 5000, maxAttempts: 3 },
  lambda: { connectionTimeout: 1000, requestTimeout: 900_000, maxAttempts: 3 },
};

/** The timeouts of one service's client, from the defaults and the environment. */
export function clientTimeouts(service: Service, env: Env): ClientTimeouts {
  const base = DEFAULT_TIMEOUTS[service];
  const number = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0)
      throw new Error(`${name} must be a positive number, got "${raw}"`);
    return value;
  };
  const upper = service.toUpperCase();
  return {
    connectionTimeout: number('PSARN_CONNECT_TIMEOUT_MS', base.connectionTimeout),
    requestTimeout: number(`PSARN_${upper}_TIMEOUT_MS`, base.requestTimeout),
    maxAttempts: number(`PSARN_${upper}_MAX_ATTEMPTS`, base.maxAttempts),
  };
}

interface BaseConfig {
  region?: string;
  endpoint?: string;
  profile?: string;
  maxAttempts: number;
  requestHandler: { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: true };
}

/**
 * AWS clients, each built on first use (a route that only uses SQS never loads the Lambda client)
 * with its timeouts. Region comes from `AWS_REGION` (or `AWS_DEFAULT_REGION`) of `env`. Endpoints:
 * with the default `env` (process.env) the SDK itself reads `AWS_ENDPOINT_URL_<SERVICE>` and
 * `AWS_ENDPOINT_URL` at the first request, so nothing is passed; with another `env` object (a CLI
 * test's injected environment) the same variables are read from it, in the SDK's order, and passed
 * as `endpoint`. The SQS client has `useQueueUrlAsEndpoint: false`: fauxqs queue URLs name
 * `sqs.<region>.localhost`, which must not replace the configured endpoint. `overrides` replaces any
 * client (tests and producers inject their own).
 *
 * @example
 * const clients = createAwsClients(); // module scope of the handler
 * const registry = createForwarders({ clients });
 */
export function createAwsClients(env: Env = process.env, overrides: Partial<AwsClients> = {}): AwsClients {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const base = (service: Service): BaseConfig => {
    const timeouts = clientTimeouts(service, env);
    const config: BaseConfig = {
      maxAttempts: timeouts.maxAttempts,
      requestHandler: {
        connectionTimeout: timeouts.connectionTimeout,
        requestTimeout: timeouts.requestTimeout,
        // Without it the SDK only logs a warning when requestTimeout passes, and keeps waiting.
        throwOnRequestTimeout: true,
      },
    };
    if (region !== undefined) config.region = region;
    if (env !== process.env) {
      const endpoint = env[ENDPOINT_VARIABLE[service]] ?? env.AWS_ENDPOINT_URL;
      if (endpoint !== undefined) config.endpoint = endpoint;
      // A CLI's --profile arrives as AWS_PROFILE in its injected environment; the SDK itself only
      // reads process.env, so the profile is passed on explicitly.
      if (env.AWS_PROFILE !== undefined && env.AWS_PROFILE !== '') config.profile = env.AWS_PROFILE;
    }
    return config;
  };
  const build: { readonly [S in Service]: () => AwsClients[S] } = {
    dynamodb: () => new DynamoDBClient(base('dynamodb')),
    sqs: () => new SQSClient({ ...base('sqs'), useQueueUrlAsEndpoint: false }),
    sns: () => new SNSClient(base('sns')),
    lambda: () => new LambdaClient(base('lambda')),
    eventbridge: () => new EventBridgeClient(base('eventbridge')),
  };
  const made: Partial<Record<Service, AwsClients[Service]>> = {};
  const clients = {} as AwsClients;
  for (const service of Object.keys(build) as Service[]) {
    Object.defineProperty(clients, service, {
      enumerable: true,
      // Overrides are read on first use too, not spread up front: they may themselves be lazy
      // (another createAwsClients), and spreading would build every one of them.
      get: () => (made[service] ??= overrides[service] ?? build[service]()),
    });
  }
  built.set(clients, made);
  return clients;
}

const built = new WeakMap<AwsClients, Partial<Record<Service, AwsClients[Service]>>>();

/**
 * Closes the clients that were actually built (their sockets would keep a CLI from exiting),
 * without building the others just to close them.
 */
export function destroyAwsClients(clients: AwsClients): void {
  const made = built.get(clients);
  for (const client of Object.values(made ?? clients)) client?.destroy();
}

/**
 * Clients for targets in other regions, made on first use with the same environment (endpoints,
 * profile, timeouts) and memoised per region; `createForwarders` uses it for every caller.
 */
export function regionalClients(env: Env = process.env): (region: string) => AwsClients {
  const made = new Map<string, AwsClients>();
  return (region) => {
    let clients = made.get(region);
    if (clients === undefined) {
      // A copy of the environment with the region replaced: endpoints and profile still apply.
      clients = createAwsClients({ ...env, AWS_REGION: region, AWS_DEFAULT_REGION: region });
      made.set(region, clients);
    }
    return clients;
  };
}
