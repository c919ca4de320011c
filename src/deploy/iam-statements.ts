import type { TargetKind } from '../psarn/target-arn';

/** A literal ARN, or a CloudFormation intrinsic that yields one (`Fn::Sub`, `Fn::GetAtt`). */
export type CfnValue = string | { readonly [intrinsic: string]: unknown };

/** One statement of the router role's inline policy, as osls merges it (`provider.iam.role.statements`). */
export interface IamStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Action: readonly string[];
  readonly Resource: readonly CfnValue[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

/** How the router role reaches targets: exactly the ARNs the routes name, or any resource of each service. */
export const IamMode = { exact: 'exact', wildcard: 'wildcard' } as const;
export type IamMode = (typeof IamMode)[keyof typeof IamMode];

/** The real services a route can forward to: psARN targets resolve inside the table and need no permission. */
export type ServiceKind = Exclude<TargetKind, 'psarn'>;

/**
 * What the router calls on each kind of target (src/targets/*). SQS needs GetQueueUrl too: the
 * forwarder turns a queue ARN into its URL once per process. SNS PublishBatch and SQS
 * SendMessageBatch are authorised as sns:Publish and sqs:SendMessage.
 */
export const TARGET_ACCESS: Readonly<
  Record<ServiceKind, { readonly sid: string; readonly actions: readonly string[] }>
> = {
  lambda: { sid: 'PsarnInvokeTargets', actions: ['lambda:InvokeFunction'] },
  sqs: { sid: 'PsarnSendToQueues', actions: ['sqs:SendMessage', 'sqs:GetQueueUrl'] },
  sns: { sid: 'PsarnPublishToTopics', actions: ['sns:Publish'] },
  events: { sid: 'PsarnPutEventsToBuses', actions: ['events:PutEvents'] },
};

/** The resource pattern of `iam: wildcard` per service, partition left to CloudFormation. */
export const WILDCARD_RESOURCES: Readonly<Record<ServiceKind, string>> = {
  lambda: 'arn:${AWS::Partition}:lambda:*:*:function:*',
  sqs: 'arn:${AWS::Partition}:sqs:*:*:*',
  sns: 'arn:${AWS::Partition}:sns:*:*:*',
  events: 'arn:${AWS::Partition}:events:*:*:event-bus/*',
};

/**
 * What the scheduled health check (src/health/probe.ts) asks of each target: read-only calls on
 * the same resources the router sends to (the functions share the role).
 */
export const HEALTH_PROBE_ACCESS: Readonly<
  Record<ServiceKind, { readonly sid: string; readonly actions: readonly string[] }>
> = {
  lambda: {
    sid: 'PsarnProbeFunctions',
    actions: ['lambda:GetFunctionConfiguration', 'lambda:GetFunctionConcurrency'],
  },
  sqs: { sid: 'PsarnProbeQueues', actions: ['sqs:GetQueueAttributes'] },
  sns: { sid: 'PsarnProbeTopics', actions: ['sns:GetTopicAttributes'] },
  events: { sid: 'PsarnProbeBuses', actions: ['events:DescribeEventBus'] },
};

const KINDS = Object.keys(TARGET_ACCESS) as ServiceKind[];

/** What the router role needs, apart from what osls adds itself (logs, the ingress queue's receive). */
export interface RouterReach {
  /** The ARN (or intrinsic) of each target the routes name; duplicates are merged. */
  readonly targets: readonly { readonly kind: ServiceKind; readonly resource: CfnValue }[];
  /** The route table, read with Query (routes, and the `#release` records of a new release) and GetItem (`#control`). */
  readonly table: CfnValue;
  /** The router's dead-letter queue: every kept failure ends there. */
  readonly deadLetterQueue: CfnValue;
  readonly mode: IamMode;
  /**
   * KMS keys of SSE-KMS targets (queues, topics, buses; `custom.psarn.kmsKeys`): sending to them
   * needs `kms:GenerateDataKey` and `kms:Decrypt` on the key, in either mode.
   */
  readonly kmsKeys?: readonly CfnValue[];
  /**
   * Park queues of `autoDrain: true` routes: the scheduled check (which shares this role)
   * receives, deletes and holds their messages (src/health/auto-drain.ts). Send, GetQueueUrl and
   * GetQueueAttributes on them come with the targets (a park queue is one).
   */
  readonly drainQueues?: readonly CfnValue[];
}

/** What auto-drain does to a park queue beyond what sending to it needs. */
export const AUTO_DRAIN_ACCESS = {
  sid: 'PsarnAutoDrainParkQueues',
  actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility'],
} as const;

/** What sending to an SSE-KMS queue, topic or bus needs on its key. */
export const KMS_ACCESS = {
  sid: 'PsarnUseTargetKeys',
  actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
} as const;

/**
 * The router role's statements: read the route table, send to the DLQ, invoke / send /
 * publish / put on the targets, and use the KMS keys of encrypted targets when any are named: in `exact` mode on exactly the ARNs given (qualified Lambda
 * ARNs as written), in `wildcard` mode on any resource of each of the four services. A service
 * no route uses gets no statement in `exact` mode. Resources are sorted so the template is
 * stable from one package to the next.
 *
 * @example
 * routerIamStatements({
 *   targets: [{ kind: 'lambda', resource: 'arn:aws:lambda:eu-west-1:123456789012:function:f:live' }],
 *   table: { 'Fn::GetAtt': ['RouteTable', 'Arn'] },
 *   deadLetterQueue: { 'Fn::GetAtt': ['RouterDlq', 'Arn'] },
 *   mode: 'exact',
 * });
 * // [{ Sid: 'PsarnReadRouteTable', … }, { Sid: 'PsarnInvokeTargets', Action: ['lambda:InvokeFunction'], Resource: ['arn:…:function:f:live'] },
 * //  { Sid: 'PsarnSendToQueues', Resource: [{ 'Fn::GetAtt': ['RouterDlq', 'Arn'] }], … }]
 */
export function routerIamStatements(reach: RouterReach): IamStatement[] {
  const statements: IamStatement[] = [
    {
      Sid: 'PsarnReadRouteTable',
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:Query'],
      Resource: [reach.table],
    },
    {
      // The retry ledger (src/store/dynamo-ledger.ts): the router writes and reads only items whose
      // key starts with #ledger#, never a route or the release pointer.
      Sid: 'PsarnRetryLedger',
      Effect: 'Allow',
      Action: ['dynamodb:PutItem', 'dynamodb:BatchGetItem'],
      Resource: [reach.table],
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['#ledger#*'] } },
    },
    {
      // Target health (src/health/health-store.ts): routers share circuit trips and the scheduled
      // check records what it found, in the one `#health` item only.
      Sid: 'PsarnHealthState',
      Effect: 'Allow',
      Action: ['dynamodb:UpdateItem', 'dynamodb:PutItem'],
      Resource: [reach.table],
      Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['#health'] } },
    },
  ];
  for (const kind of KINDS) {
    const resources =
      reach.mode === IamMode.wildcard
        ? [{ 'Fn::Sub': WILDCARD_RESOURCES[kind] }]
        : uniqueSorted([
            ...(kind === 'sqs' ? [reach.deadLetterQueue] : []),
            ...reach.targets.filter((t) => t.kind === kind).map((t) => t.resource),
          ]);
    if (resources.length === 0) continue;
    const { sid, actions } = TARGET_ACCESS[kind];
    statements.push({ Sid: sid, Effect: 'Allow', Action: [...actions], Resource: resources });
    const probe = HEALTH_PROBE_ACCESS[kind];
    statements.push({ Sid: probe.sid, Effect: 'Allow', Action: [...probe.actions], Resource: resources });
  }
  const keys = uniqueSorted(reach.kmsKeys ?? []);
  if (keys.length > 0) {
    statements.push({
      Sid: KMS_ACCESS.sid,
      Effect: 'Allow',
      Action: [...KMS_ACCESS.actions],
      Resource: keys,
    });
  }
  statements.push({
    // The rollout gate's outcome counters (src/rollouts/counter-store.ts): ADD updates of items
    // whose key starts with #counters#, never a route, a rollout or the release pointer.
    Sid: 'PsarnOutcomeCounters',
    Effect: 'Allow',
    Action: ['dynamodb:UpdateItem'],
    Resource: [reach.table],
    Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['#counters#*'] } },
  });
  const drainQueues = uniqueSorted(reach.drainQueues ?? []);
  if (drainQueues.length > 0) {
    statements.push({
      Sid: AUTO_DRAIN_ACCESS.sid,
      Effect: 'Allow',
      Action: [...AUTO_DRAIN_ACCESS.actions],
      // `wildcard`: a route may turn autoDrain on (or change its park queue) without a deploy.
      Resource: reach.mode === IamMode.wildcard ? [{ 'Fn::Sub': WILDCARD_RESOURCES.sqs }] : drainQueues,
    });
  }
  return statements;
}

/** Merge equal values (compared as JSON) and order them: literal ARNs first, then intrinsics. */
function uniqueSorted(values: readonly CfnValue[]): CfnValue[] {
  const byKey = new Map<string, CfnValue>();
  for (const value of values)
    byKey.set(typeof value === 'string' ? value : `~${JSON.stringify(value)}`, value);
  return [...byKey.keys()].sort().map((key) => byKey.get(key) as CfnValue);
}
