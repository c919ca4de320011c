import { routerIamStatements, type CfnValue } from '../../src/deploy/iam-statements';

const TABLE = { 'Fn::GetAtt': ['RouteTable', 'Arn'] };
const DLQ = { 'Fn::GetAtt': ['RouterDlq', 'Arn'] };
const ACCOUNT = '123456789012';
const LIVE = `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:newUser:live`;
const CANARY = `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:newUser:canary`;
const UNQUALIFIED = `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:billing`;
const QUEUE = `arn:aws:sqs:eu-west-1:${ACCOUNT}:orders.fifo`;
const TOPIC = `arn:aws:sns:eu-west-1:${ACCOUNT}:audit`;
const BUS = `arn:aws:events:eu-west-1:${ACCOUNT}:event-bus/default`;

const bySid = (statements: ReturnType<typeof routerIamStatements>): Record<string, unknown> =>
  Object.fromEntries(statements.map((s) => [s.Sid, { Action: s.Action, Resource: s.Resource }]));

describe('routerIamStatements', () => {
  it('grants each action on exactly the ARNs named, qualifiers as written, plus the table and the DLQ', () => {
    const statements = routerIamStatements({
      targets: [
        { kind: 'lambda', resource: LIVE },
        { kind: 'lambda', resource: CANARY },
        { kind: 'lambda', resource: UNQUALIFIED },
        { kind: 'sqs', resource: QUEUE },
        { kind: 'sns', resource: TOPIC },
        { kind: 'events', resource: BUS },
      ],
      table: TABLE,
      deadLetterQueue: DLQ,
      mode: 'exact',
    });
    expect(bySid(statements)).toEqual({
      PsarnReadRouteTable: { Action: ['dynamodb:GetItem', 'dynamodb:Query'], Resource: [TABLE] },
      PsarnRetryLedger: { Action: ['dynamodb:PutItem', 'dynamodb:BatchGetItem'], Resource: [TABLE] },
      PsarnHealthState: { Action: ['dynamodb:UpdateItem', 'dynamodb:PutItem'], Resource: [TABLE] },
      PsarnInvokeTargets: { Action: ['lambda:InvokeFunction'], Resource: [UNQUALIFIED, CANARY, LIVE] },
      PsarnSendToQueues: { Action: ['sqs:SendMessage', 'sqs:GetQueueUrl'], Resource: [QUEUE, DLQ] },
      PsarnPublishToTopics: { Action: ['sns:Publish'], Resource: [TOPIC] },
      PsarnPutEventsToBuses: { Action: ['events:PutEvents'], Resource: [BUS] },
      PsarnProbeFunctions: {
        Action: ['lambda:GetFunctionConfiguration', 'lambda:GetFunctionConcurrency'],
        Resource: [UNQUALIFIED, CANARY, LIVE],
      },
      PsarnProbeQueues: { Action: ['sqs:GetQueueAttributes'], Resource: [QUEUE, DLQ] },
      PsarnProbeTopics: { Action: ['sns:GetTopicAttributes'], Resource: [TOPIC] },
      PsarnProbeBuses: { Action: ['events:DescribeEventBus'], Resource: [BUS] },
      PsarnOutcomeCounters: { Action: ['dynamodb:UpdateItem'], Resource: [TABLE] },
    });
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
  });

  it('lists a target named by several routes once', () => {
    const statements = routerIamStatements({
      targets: [
        { kind: 'sns', resource: TOPIC },
        { kind: 'sns', resource: TOPIC },
        { kind: 'sns', resource: { 'Fn::Sub': 'arn:aws:sns:eu-west-1:${AWS::AccountId}:audit' } },
        { kind: 'sns', resource: { 'Fn::Sub': 'arn:aws:sns:eu-west-1:${AWS::AccountId}:audit' } },
      ],
      table: TABLE,
      deadLetterQueue: DLQ,
      mode: 'exact',
    });
    expect(statements.find((s) => s.Sid === 'PsarnPublishToTopics')?.Resource).toEqual([
      TOPIC,
      { 'Fn::Sub': 'arn:aws:sns:eu-west-1:${AWS::AccountId}:audit' },
    ]);
  });

  it('grants nothing on a service no route uses, and keeps the DLQ when no queue is a target', () => {
    const statements = routerIamStatements({
      targets: [{ kind: 'lambda', resource: LIVE }],
      table: TABLE,
      deadLetterQueue: DLQ,
      mode: 'exact',
    });
    expect(statements.map((s) => s.Sid)).toEqual([
      'PsarnReadRouteTable',
      'PsarnRetryLedger',
      'PsarnHealthState',
      'PsarnInvokeTargets',
      'PsarnProbeFunctions',
      'PsarnSendToQueues',
      'PsarnProbeQueues',
      'PsarnOutcomeCounters',
    ]);
    expect(statements.find((s) => s.Sid === 'PsarnSendToQueues')?.Resource).toEqual([DLQ]);
  });

  it('grants per-service wildcards in wildcard mode, whatever the routes name', () => {
    const statements = routerIamStatements({
      targets: [{ kind: 'lambda', resource: LIVE }],
      table: TABLE,
      deadLetterQueue: DLQ,
      mode: 'wildcard',
    });
    const sub = (s: string): CfnValue => ({ 'Fn::Sub': s });
    expect(bySid(statements)).toEqual({
      PsarnReadRouteTable: { Action: ['dynamodb:GetItem', 'dynamodb:Query'], Resource: [TABLE] },
      PsarnRetryLedger: { Action: ['dynamodb:PutItem', 'dynamodb:BatchGetItem'], Resource: [TABLE] },
      PsarnHealthState: { Action: ['dynamodb:UpdateItem', 'dynamodb:PutItem'], Resource: [TABLE] },
      PsarnInvokeTargets: {
        Action: ['lambda:InvokeFunction'],
        Resource: [sub('arn:${AWS::Partition}:lambda:*:*:function:*')],
      },
      PsarnSendToQueues: {
        Action: ['sqs:SendMessage', 'sqs:GetQueueUrl'],
        Resource: [sub('arn:${AWS::Partition}:sqs:*:*:*')],
      },
      PsarnPublishToTopics: { Action: ['sns:Publish'], Resource: [sub('arn:${AWS::Partition}:sns:*:*:*')] },
      PsarnPutEventsToBuses: {
        Action: ['events:PutEvents'],
        Resource: [sub('arn:${AWS::Partition}:events:*:*:event-bus/*')],
      },
      PsarnProbeFunctions: {
        Action: ['lambda:GetFunctionConfiguration', 'lambda:GetFunctionConcurrency'],
        Resource: [sub('arn:${AWS::Partition}:lambda:*:*:function:*')],
      },
      PsarnProbeQueues: {
        Action: ['sqs:GetQueueAttributes'],
        Resource: [sub('arn:${AWS::Partition}:sqs:*:*:*')],
      },
      PsarnProbeTopics: {
        Action: ['sns:GetTopicAttributes'],
        Resource: [sub('arn:${AWS::Partition}:sns:*:*:*')],
      },
      PsarnProbeBuses: {
        Action: ['events:DescribeEventBus'],
        Resource: [sub('arn:${AWS::Partition}:events:*:*:event-bus/*')],
      },
      PsarnOutcomeCounters: { Action: ['dynamodb:UpdateItem'], Resource: [TABLE] },
    });
  });
});
