import { DescribeEventBusCommand } from '@aws-sdk/client-eventbridge';
import { GetFunctionConcurrencyCommand, GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { GetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { parseTargetArn } from '../psarn/target-arn';
import type { AwsClients } from '../targets/clients';
import type { TargetCheckResult } from './health-state';

/** A probe's finding: a health status, or `unknown` when the service could not be asked at all. */
export interface ProbeResult extends Omit<TargetCheckResult, 'status'> {
  /** `unknown` (no endpoint, an API the endpoint does not offer) is reported, never written: fail open. */
  readonly status: TargetCheckResult['status'] | 'unknown';
}

const NOT_FOUND = new Set([
  'ResourceNotFoundException',
  'NotFoundException',
  'NotFound',
  'AWS.SimpleQueueService.NonExistentQueue',
  'QueueDoesNotExist',
]);
const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'AuthorizationError',
  'AuthorizationErrorException',
]);
const THROTTLED = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestThrottled',
  'ThrottledException',
]);

interface ServiceError {
  readonly name?: string;
  readonly Code?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** The service says the resource does not exist (shared with `psarn check-targets`). */
export function isNotFound(err: unknown): boolean {
  const e = err as ServiceError;
  return (
    NOT_FOUND.has(e.name ?? '') ||
    NOT_FOUND.has(e.Code ?? '') ||
    /does not exist|not found/i.test(e.message ?? '')
  );
}

/**
 * Asks the target's service whether it exists and can be reached, with the calls that need no
 * side effect: GetFunctionConfiguration with the qualifier (its `State`) and the reserved
 * concurrency (0 is how a function is disabled), GetQueueUrl + GetQueueAttributes,
 * GetTopicAttributes, DescribeEventBus.
 *
 * - `removed`: the service says it does not exist;
 * - `unhealthy`: it exists but cannot take events (function not Active, disabled, access denied,
 *   throttled on every one of the SDK's attempts);
 * - `unknown`: the probe itself failed for another reason (no endpoint, an emulator without the
 *   API): nothing is said about the target.
 *
 * @example
 * await probeTarget(queueArn, regionalClients(), new Date()) // { status: 'removed', reason: '…' }
 */
export async function probeTarget(
  arn: string,
  clientsFor: (region: string) => AwsClients,
  now: () => Date = () => new Date(),
): Promise<ProbeResult> {
  const result = (status: ProbeResult['status'], reason: string): ProbeResult => ({
    arn,
    status,
    reason,
    checkedAt: now().toISOString(),
  });
  try {
    const problem = await probe(arn, clientsFor);
    if (problem === NOT_OFFERED)
      return result('unknown', 'could not be checked: the endpoint does not describe it');
    return problem === undefined ? result('healthy', 'reachable') : result('unhealthy', problem);
  } catch (err) {
    const e = err as ServiceError;
    const what = `${e.name ?? 'Error'}: ${e.message ?? ''}`.trim();
    // A bare HTTP error the SDK could not read as a service error (`Unknown: Not Found`) is an
    // endpoint without this API (serverless-offline has no GetFunctionConfiguration), not a
    // target that is gone: calling it `removed` would take every target out.
    if (e.name === 'Unknown' || e.name === 'UnknownError')
      return result('unknown', `could not be checked: the endpoint does not offer this call (${what})`);
    if (isNotFound(err)) return result('removed', `does not exist (${what})`);
    if (DENIED.has(e.name ?? '') || DENIED.has(e.Code ?? '') || e.$metadata?.httpStatusCode === 403)
      return result('unhealthy', `access denied (${what})`);
    if (THROTTLED.has(e.name ?? '') || THROTTLED.has(e.Code ?? ''))
      return result('unhealthy', `throttled on every try (${what})`);
    return result('unknown', `could not be checked (${what})`);
  }
}

/** `probe`'s answer when the endpoint answered but says nothing about the target. */
const NOT_OFFERED = Symbol('not offered');

/** Undefined when the target is reachable, else why not; throws what the service answered. */
async function probe(
  arn: string,
  clientsFor: (region: string) => AwsClients,
): Promise<string | typeof NOT_OFFERED | undefined> {
  const t = parseTargetArn(arn);
  const clients = clientsFor(t.region);
  switch (t.kind) {
    case 'lambda': {
      const name = `arn:aws:lambda:${t.region}:${t.account}:function:${t.name}`;
      const config = await clients.lambda.send(
        new GetFunctionConfigurationCommand({
          FunctionName: name,
          ...(t.qualifier === undefined ? {} : { Qualifier: t.qualifier }),
        }),
      );
      // Functions created before Lambda had states report none: they are active.
      const state = config.State ?? 'Active';
      if (state !== 'Active')
        return `function state ${state}${config.StateReason === undefined ? '' : ` (${config.StateReason})`}`;
      try {
        const concurrency = await clients.lambda.send(
          new GetFunctionConcurrencyCommand({ FunctionName: name }),
        );
        if (concurrency.ReservedConcurrentExecutions === 0)
          return 'disabled: reserved concurrency is 0, every invoke is throttled';
      } catch {
        // No right to read the concurrency (or no such API locally): the state above stands. A
        // probe only reads; no event passes through it, so nothing can be lost.
      }
      return undefined;
    }
    case 'sqs': {
      const { QueueUrl } = await clients.sqs.send(
        new GetQueueUrlCommand({ QueueName: t.name, QueueOwnerAWSAccountId: t.account }),
      );
      await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
      return undefined;
    }
    case 'sns':
      await clients.sns.send(new GetTopicAttributesCommand({ TopicArn: arn }));
      return undefined;
    case 'events': {
      const bus = await clients.eventbridge.send(new DescribeEventBusCommand({ Name: arn }));
      // EventBridge always names the bus it describes; an empty answer is an emulator without the API.
      return bus.Arn === undefined && bus.Name === undefined ? NOT_OFFERED : undefined;
    }
    default:
      return undefined;
  }
}
