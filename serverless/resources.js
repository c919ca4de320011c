// `resources:` of serverless.yml. The route table's key schema lives in route-table.json, which the
// local stack (src/local/create-resources.ts) also reads, so the local table and the deployed one
// cannot drift apart. The `local` stage declares only the table and the DLQ (the local stack
// creates them in the emulators; serverless-offline ignores this section). Every other stage
// gets what production needs: see docs/deployment.md. The router's `sqs` event on IngressQueue,
// its Function URL and its IAM statements are added by the psarn plugin (serverless/plugin),
// which owns everything derived from routes/.
'use strict';

const routeTable = require('./route-table.json');
const local = require('./local-stage.json');

// 14 days: the longest SQS keeps a message, time to `psarn drain --dlq` after an incident.
const FOURTEEN_DAYS = 1209600;
// AWS asks for a visibility timeout of at least six times the function timeout on an SQS event
// source, so a batch being retried by Lambda is not handed out twice. Router timeout: 30 s.
const INGRESS_VISIBILITY_SECONDS = 180;
// Five receives before a poison message moves aside: the router reports failures per record, so
// only records that failed five times in a row land in the ingress DLQ.
const INGRESS_MAX_RECEIVES = 5;

const arn = (logicalId) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

/** One alarm that fires on the first datum above zero in a minute. */
function alarm({ description, namespace, metric, dimension, statistic, actions }) {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmDescription: description,
      Namespace: namespace,
      MetricName: metric,
      Dimensions: [dimension],
      Statistic: statistic,
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      // No datum means no message and no error: not an alarm.
      TreatMissingData: 'notBreaching',
      ...(actions.length === 0 ? {} : { AlarmActions: actions, OKActions: actions }),
    },
  };
}

/**
 * The rollout controller's own role: it publishes releases (the release protocol's reads and
 * writes on the route table) and reads CloudWatch alarm states for `--alarm`, which the router
 * must never be able to do.
 */
function rolloutControllerRole(prefix) {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      },
      ManagedPolicyArns: [
        { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' },
      ],
      Policies: [
        {
          PolicyName: `${prefix}-rollout-controller`,
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'PsarnReleasesAndRollouts',
                Effect: 'Allow',
                Action: [
                  'dynamodb:GetItem',
                  'dynamodb:Query',
                  'dynamodb:Scan',
                  'dynamodb:PutItem',
                  'dynamodb:UpdateItem',
                  'dynamodb:DeleteItem',
                  'dynamodb:BatchWriteItem',
                ],
                Resource: [arn('RouteTable')],
              },
              // DescribeAlarms takes no resource-level permission: `*` is the only resource it has.
              {
                Sid: 'PsarnReadAlarms',
                Effect: 'Allow',
                Action: ['cloudwatch:DescribeAlarms'],
                Resource: '*',
              },
            ],
          },
        },
      ],
    },
  };
}

function deployedResources({ prefix, alarmEmail, alarmTopicArn }) {
  const topic = alarmEmail
    ? {
        AlarmTopic: {
          Type: 'AWS::SNS::Topic',
          Properties: {
            TopicName: `${prefix}-alarms`,
            Subscription: [{ Protocol: 'email', Endpoint: alarmEmail }],
          },
        },
      }
    : {};
  const actions = [...(alarmTopicArn ? [alarmTopicArn] : []), ...(alarmEmail ? [{ Ref: 'AlarmTopic' }] : [])];
  const queueDepth = (queue, description) =>
    alarm({
      description,
      namespace: 'AWS/SQS',
      metric: 'ApproximateNumberOfMessagesVisible',
      dimension: { Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } },
      statistic: 'Maximum',
      actions,
    });
  return {
    Resources: {
      RouteTable: {
        Type: 'AWS::DynamoDB::Table',
        // The table holds every release ever applied: neither `serverless remove` nor a change
        // that makes CloudFormation replace the table may delete it.
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          TableName: `${prefix}-routes`,
          ...routeTable,
          // The retry ledger's items (`#ledger#<event id>`) expire by themselves.
          TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
        },
      },
      RouterDlq: {
        Type: 'AWS::SQS::Queue',
        Properties: { QueueName: `${prefix}-router-dlq`, MessageRetentionPeriod: FOURTEEN_DAYS },
      },
      IngressDlq: {
        Type: 'AWS::SQS::Queue',
        Properties: { QueueName: `${prefix}-ingress-dlq`, MessageRetentionPeriod: FOURTEEN_DAYS },
      },
      IngressQueue: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          QueueName: `${prefix}-ingress`,
          VisibilityTimeout: INGRESS_VISIBILITY_SECONDS,
          RedrivePolicy: { deadLetterTargetArn: arn('IngressDlq'), maxReceiveCount: INGRESS_MAX_RECEIVES },
        },
      },
      ...topic,
      RouterDlqDepthAlarm: queueDepth(
        'RouterDlq',
        'psarn: events were dead-lettered by the router (psarn drain --dlq re-drives them)',
      ),
      IngressDlqDepthAlarm: queueDepth(
        'IngressDlq',
        'psarn: ingress messages failed five times and moved aside',
      ),
      RolloutControllerRole: rolloutControllerRole(prefix),
      RouterErrorsAlarm: alarm({
        description: 'psarn: the router Lambda failed invocations (DLQ writes failed, or a crash)',
        namespace: 'AWS/Lambda',
        metric: 'Errors',
        dimension: { Name: 'FunctionName', Value: { Ref: 'RouterLambdaFunction' } },
        statistic: 'Sum',
        actions,
      }),
    },
    Outputs: {
      RouteTableName: { Description: 'psarn route table (PSARN_TABLE)', Value: { Ref: 'RouteTable' } },
      RouterDlqUrl: { Description: 'router dead-letter queue', Value: { Ref: 'RouterDlq' } },
      IngressQueueUrl: {
        Description: 'SQS ingress: message attribute psarn, body = payload',
        Value: { Ref: 'IngressQueue' },
      },
      IngressQueueArn: { Value: arn('IngressQueue') },
    },
  };
}

module.exports = async ({ resolveVariable }) => {
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  const prefix = `${service}-${stage}`;
  if (stage === local.stage) {
    return {
      Resources: {
        RouteTable: {
          Type: 'AWS::DynamoDB::Table',
          Properties: { TableName: `${prefix}-routes`, ...routeTable },
        },
        RouterDlq: {
          Type: 'AWS::SQS::Queue',
          Properties: { QueueName: `${prefix}-router-dlq`, MessageRetentionPeriod: FOURTEEN_DAYS },
        },
      },
    };
  }
  const alarmEmail = await resolveVariable('self:custom.psarn.alarmEmail, null');
  const alarmTopicArn = await resolveVariable('self:custom.psarn.alarmTopicArn, null');
  return deployedResources({ prefix, alarmEmail, alarmTopicArn });
};
