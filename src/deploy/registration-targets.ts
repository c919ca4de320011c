import { RegistrationInvalidError } from '../registration/errors';
import type { RawRegistration } from '../registration/parse';

/** The parts of a consumer's serverless.yml the plugin reads to name its targets. */
export interface ConsumerService {
  readonly service: string;
  readonly stage: string;
  readonly region: string;
  readonly account: string;
  readonly partition: string;
  /** `functions` as osls resolved them: `name` is the deployed function name. */
  readonly functions: Readonly<Record<string, { readonly name?: string } | undefined>>;
  /** `resources.Resources`: CloudFormation resources of the service. */
  readonly resources: Readonly<
    Record<string, { readonly Type?: string; readonly Properties?: Record<string, unknown> }>
  >;
}

/**
 * The physical id CloudFormation gave a resource of the deployed stack (queue URL, topic ARN,
 * bus name), for resources whose name the template does not write. Undefined before a deploy.
 */
export type PhysicalIdOf = (logicalId: string) => Promise<string | undefined>;

const KINDS = {
  queue: { type: 'AWS::SQS::Queue', nameProperty: 'QueueName' },
  topic: { type: 'AWS::SNS::Topic', nameProperty: 'TopicName' },
  bus: { type: 'AWS::Events::EventBus', nameProperty: 'Name' },
} as const;
type ResourceKey = keyof typeof KINDS;
const TARGET_KEYS = ['function', 'queue', 'topic', 'bus'] as const;

/**
 * Turn one entry of `custom.psarn.register` into a raw registration with a target ARN: `function:`
 * names a function of the service (its deployed name), `queue:`/`topic:`/`bus:` a resource of the
 * service by logical id (its explicit name, else its physical id once deployed), and any of them
 * may be an ARN instead. The rest (psarn, split, fanout, create, EventBridge and FIFO fields) is
 * passed on for `parseRegistration` to check.
 *
 * @example
 * await registrationTarget({ psarn: '/event/newUser', function: 'signupV3', split: { weight: 10 } }, 0, service, physicalId)
 */
export async function registrationTarget(
  entry: unknown,
  index: number,
  service: ConsumerService,
  physicalId: PhysicalIdOf,
): Promise<RawRegistration> {
  const where = `custom.psarn.register[${index}]`;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new RegistrationInvalidError(
      where,
      'must be a map like { psarn: /event/newUser, function: signupV3, split: { weight: 10 } }',
    );
  }
  const fields = entry as Record<string, unknown>;
  const named = TARGET_KEYS.filter((k) => fields[k] !== undefined);
  if (named.length !== 1) {
    throw new RegistrationInvalidError(
      where,
      `name exactly one target with \`function\`, \`queue\`, \`topic\` or \`bus\`${named.length > 1 ? ` (got ${named.join(', ')})` : ''}`,
    );
  }
  const key = named[0] as (typeof TARGET_KEYS)[number];
  const value = fields[key];
  if (typeof value !== 'string' || value === '')
    throw new RegistrationInvalidError(`${where}.${key}`, 'must be a name or an ARN');
  const arn = value.startsWith('arn:')
    ? value
    : key === 'function'
      ? functionArn(value, service, `${where}.${key}`)
      : await resourceArn(key, value, service, physicalId, `${where}.${key}`);
  const { function: _f, queue: _q, topic: _t, bus: _b, ...rest } = fields;
  void [_f, _q, _t, _b];
  return { ...rest, arn };
}

function functionArn(name: string, service: ConsumerService, where: string): string {
  const fn = service.functions[name];
  if (fn === undefined) {
    const known = Object.keys(service.functions);
    throw new RegistrationInvalidError(
      where,
      `"${name}" is not a function of ${service.service} (${known.length === 0 ? 'it has none' : `functions: ${known.join(', ')}`}); name one, or give a Lambda ARN`,
    );
  }
  const deployed = fn.name ?? `${service.service}-${service.stage}-${name}`;
  return `arn:${service.partition}:lambda:${service.region}:${service.account}:function:${deployed}`;
}

async function resourceArn(
  key: ResourceKey,
  logicalId: string,
  service: ConsumerService,
  physicalId: PhysicalIdOf,
  where: string,
): Promise<string> {
  const kind = KINDS[key];
  const resource = service.resources[logicalId];
  if (resource === undefined || resource.Type !== kind.type) {
    const candidates = Object.entries(service.resources)
      .filter(([, r]) => r.Type === kind.type)
      .map(([id]) => id);
    throw new RegistrationInvalidError(
      where,
      `"${logicalId}" is not a ${kind.type} in resources.Resources of ${service.service} (${candidates.length === 0 ? 'it has none' : `candidates: ${candidates.join(', ')}`}); name one, or give an ARN`,
    );
  }
  const explicit = resource.Properties?.[kind.nameProperty];
  let name = typeof explicit === 'string' ? explicit : undefined;
  if (name === undefined) {
    const physical = await physicalId(logicalId);
    if (physical === undefined) {
      throw new RegistrationInvalidError(
        where,
        `"${logicalId}" has no ${kind.nameProperty} and the stack does not have it (yet): give it a ${kind.nameProperty}, or an ARN`,
      );
    }
    // SQS: the physical id is the queue URL; SNS: the topic ARN; EventBridge: the bus name.
    if (physical.startsWith('arn:')) return physical;
    name = physical.split('/').pop() ?? physical;
  }
  const resourcePart = key === 'bus' ? `event-bus/${name}` : name;
  const service_ = key === 'queue' ? 'sqs' : key === 'topic' ? 'sns' : 'events';
  return `arn:${service.partition}:${service_}:${service.region}:${service.account}:${resourcePart}`;
}
