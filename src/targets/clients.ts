import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';

/** Every AWS SDK v3 client psarn-router uses, built once per process. */
export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  readonly lambda: LambdaClient;
  readonly eventbridge: EventBridgeClient;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The SDK's service ids, which name its endpoint variables: `AWS_ENDPOINT_URL_<ID in upper case>`
 * (checked in @smithy/core `getEndpointUrlConfig`, SDK 3.1169).
 */
const ENDPOINT_VARIABLE = {
  dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB',
  sqs: 'AWS_ENDPOINT_URL_SQS',
  sns: 'AWS_ENDPOINT_URL_SNS',
  lambda: 'AWS_ENDPOINT_URL_LAMBDA',
  eventbridge: 'AWS_ENDPOINT_URL_EVENTBRIDGE',
} as const;

/**
 * Build each AWS client once. Region comes from `AWS_REGION` (or `AWS_DEFAULT_REGION`) of `env`.
 * Endpoints: with the default `env` (process.env) the SDK itself reads `AWS_ENDPOINT_URL_<SERVICE>`
 * and `AWS_ENDPOINT_URL` at the first request, so nothing is passed; with another `env` object (a
 * CLI test's injected environment) the same variables are read from it, in the SDK's order, and
 * passed as `endpoint`. The SQS client has `useQueueUrlAsEndpoint: false`: fauxqs queue URLs name
 * `sqs.<region>.localhost`, which must not replace the configured endpoint. `overrides` replaces any
 * client (tests inject their own).
 *
 * @example
 * const clients = createAwsClients(); // module scope of the handler
 * const registry = createForwarders(clients);
 */
export function createAwsClients(env: Env = process.env, overrides: Partial<AwsClients> = {}): AwsClients {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const base = (
    service: keyof typeof ENDPOINT_VARIABLE,
  ): { region?: string; endpoint?: string; profile?: string } => {
    const config: { region?: string; endpoint?: string; profile?: string } = {};
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
  return {
    dynamodb: overrides.dynamodb ?? new DynamoDBClient(base('dynamodb')),
    sqs: overrides.sqs ?? new SQSClient({ ...base('sqs'), useQueueUrlAsEndpoint: false }),
    sns: overrides.sns ?? new SNSClient(base('sns')),
    lambda: overrides.lambda ?? new LambdaClient(base('lambda')),
    eventbridge: overrides.eventbridge ?? new EventBridgeClient(base('eventbridge')),
  };
}

/**
 * Clients for targets in other regions, made on first use with the same environment (endpoints,
 * profile) and memoised per region; for `createForwarders(…, { regional })`.
 *
 * @example
 * createForwarders(clients, { regional: { home: 'eu-west-1', clientsFor: regionalClients() } })
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
