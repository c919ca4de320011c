import { InvalidTargetArnError } from '../errors';
import { psarnProblem } from './psarn';

/** The kinds of real (or pseudo) resource a route may forward to. */
export const TargetKind = {
  lambda: 'lambda',
  sqs: 'sqs',
  sns: 'sns',
  events: 'events',
  psarn: 'psarn',
} as const;
export type TargetKind = (typeof TargetKind)[keyof typeof TargetKind];

/** A target ARN taken apart. `name` is what the service calls the resource (function, queue, topic, bus). */
export interface TargetArn {
  readonly arn: string;
  readonly kind: TargetKind;
  readonly region: string;
  readonly account: string;
  readonly name: string;
  /** Lambda version or alias (`function:name:live`). */
  readonly qualifier?: string;
  /** SQS queue whose name ends in `.fifo`. */
  readonly fifo: boolean;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const ACCOUNT = /^\d{12}$/;
const LAMBDA_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const LAMBDA_QUALIFIER = /^(\$LATEST|[A-Za-z0-9_-]{1,128})$/;
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const BUS_NAME = /^[A-Za-z0-9/._-]{1,256}$/;

/**
 * Parse `arn:aws:<service>:<region>:<account>:<resource>` for the services psarn-router forwards to.
 *
 * @example
 * parseTargetArn('arn:aws:lambda:eu-west-1:123456789012:function:newUser:live').qualifier // 'live'
 */
export function parseTargetArn(arn: string): TargetArn {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') {
    throw new InvalidTargetArnError(arn, 'expected arn:<partition>:<service>:<region>:<account>:<resource>');
  }
  const [, partition, service, region, account] = parts as [string, string, string, string, string];
  const resource = parts.slice(5).join(':');
  if (!/^aws(-[a-z]+)*$/.test(partition))
    throw new InvalidTargetArnError(arn, `unknown partition "${partition}"`);
  if (!REGION.test(region)) throw new InvalidTargetArnError(arn, `region "${region}" is not like eu-west-1`);
  if (!ACCOUNT.test(account)) throw new InvalidTargetArnError(arn, `account "${account}" is not 12 digits`);
  const base = { arn, region, account };

  switch (service) {
    case 'lambda': {
      const [word, name, qualifier, ...rest] = resource.split(':');
      if (word !== 'function' || name === undefined || rest.length > 0) {
        throw new InvalidTargetArnError(
          arn,
          'a Lambda ARN ends in function:<name> or function:<name>:<qualifier>',
        );
      }
      if (!LAMBDA_NAME.test(name))
        throw new InvalidTargetArnError(arn, `function name "${name}" is not valid`);
      if (qualifier !== undefined && !LAMBDA_QUALIFIER.test(qualifier)) {
        throw new InvalidTargetArnError(arn, `qualifier "${qualifier}" is not a version or alias`);
      }
      return {
        ...base,
        kind: 'lambda',
        name,
        fifo: false,
        ...(qualifier === undefined ? {} : { qualifier }),
      };
    }
    case 'sqs': {
      if (!QUEUE_NAME.test(resource.replace(/\.fifo$/, ''))) {
        throw new InvalidTargetArnError(arn, `queue name "${resource}" is not valid`);
      }
      return { ...base, kind: 'sqs', name: resource, fifo: resource.endsWith('.fifo') };
    }
    case 'sns': {
      if (!TOPIC_NAME.test(resource.replace(/\.fifo$/, ''))) {
        throw new InvalidTargetArnError(arn, `topic name "${resource}" is not valid`);
      }
      return { ...base, kind: 'sns', name: resource, fifo: resource.endsWith('.fifo') };
    }
    case 'events': {
      const match = /^event-bus\/(.+)$/.exec(resource);
      if (!match?.[1] || !BUS_NAME.test(match[1])) {
        throw new InvalidTargetArnError(arn, 'an EventBridge ARN ends in event-bus/<name>');
      }
      return { ...base, kind: 'events', name: match[1], fifo: false };
    }
    case 'psarns': {
      // An alias must be a psARN a route could be written for, so it follows the full psARN grammar.
      const problem = psarnProblem(arn);
      if (problem) throw new InvalidTargetArnError(arn, `psARN ${problem.part} ${problem.reason}`);
      return { ...base, kind: 'psarn', name: resource, fifo: false };
    }
    default:
      throw new InvalidTargetArnError(
        arn,
        `service "${service}" is not a target kind (lambda, sqs, sns, events, psarns)`,
      );
  }
}
