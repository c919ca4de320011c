import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import routeTable from '../../serverless/route-table.json';
import { recordTableStage } from '../cli/stages';
import { createRouteTable } from '../store/create-route-table';
import {
  LOCAL_CREDENTIALS,
  LOCAL_DLQ,
  LOCAL_QUEUES,
  LOCAL_REGION,
  LOCAL_STAGE,
  LOCAL_SUBSCRIPTIONS,
  LOCAL_TABLE,
  LOCAL_TOPIC,
} from './demo-resources';

/** What the demo resources are called where clients need more than a name. */
export interface CreatedResources {
  /** Queue name → queue URL as fauxqs hands it out. */
  readonly queueUrls: Readonly<Record<string, string>>;
  readonly topicArn: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
}

/**
 * Create the `local` stage's route table, queues, topic and subscription on the emulators.
 * Idempotent: CreateQueue/CreateTopic return what exists, an existing table is kept.
 *
 * @example
 * const { dlqUrl } = await createLocalResources({ dynamodb: 'http://127.0.0.1:8000', sqs: 'http://127.0.0.1:4566' });
 */
export async function createLocalResources(endpoints: {
  readonly dynamodb: string;
  readonly sqs: string;
}): Promise<CreatedResources> {
  const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const dynamodb = new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb });
  const sqs = new SQSClient({ ...common, endpoint: endpoints.sqs, useQueueUrlAsEndpoint: false });
  const sns = new SNSClient({ ...common, endpoint: endpoints.sqs });
  try {
    await createTable(dynamodb);
    // The table knows its stage from birth: no command of another stage can use it. (Once it is
    // ACTIVE: createRouteTable waits for that.)
    await createRouteTable(dynamodb, LOCAL_TABLE);
    await recordTableStage(dynamodb, LOCAL_TABLE, LOCAL_STAGE, 'npm start');
    const queueUrls: Record<string, string> = {};
    await Promise.all(
      LOCAL_QUEUES.map(async (queue) => {
        const out = await sqs.send(
          new CreateQueueCommand({
            QueueName: queue.name,
            ...(queue.attributes === undefined ? {} : { Attributes: { ...queue.attributes } }),
          }),
        );
        if (out.QueueUrl === undefined) throw new Error(`CreateQueue ${queue.name} returned no QueueUrl`);
        queueUrls[queue.name] = out.QueueUrl;
      }),
    );
    const topic = await sns.send(new CreateTopicCommand({ Name: LOCAL_TOPIC }));
    if (topic.TopicArn === undefined) throw new Error(`CreateTopic ${LOCAL_TOPIC} returned no TopicArn`);
    for (const subscription of LOCAL_SUBSCRIPTIONS) {
      const queueUrl = queueUrls[subscription.queue];
      if (queueUrl === undefined) throw new Error(`subscription names unknown queue ${subscription.queue}`);
      await sns.send(
        new SubscribeCommand({
          TopicArn: topic.TopicArn,
          Protocol: 'sqs',
          Endpoint: await queueArnOf(sqs, queueUrl),
          // Raw delivery: the queue receives the published message byte-for-byte, not an SNS envelope.
          Attributes: { RawMessageDelivery: 'true' },
        }),
      );
    }
    const dlqUrl = queueUrls[LOCAL_DLQ];
    if (dlqUrl === undefined) throw new Error(`${LOCAL_DLQ} is missing from LOCAL_QUEUES`);
    return { queueUrls, topicArn: topic.TopicArn, dlqUrl, dlqArn: await queueArnOf(sqs, dlqUrl) };
  } finally {
    dynamodb.destroy();
    sqs.destroy();
    sns.destroy();
  }
}

async function createTable(client: DynamoDBClient): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: LOCAL_TABLE,
        AttributeDefinitions: routeTable.AttributeDefinitions.map((d) => ({
          AttributeName: d.AttributeName,
          AttributeType: d.AttributeType as 'S',
        })),
        KeySchema: routeTable.KeySchema.map((k) => ({
          AttributeName: k.AttributeName,
          KeyType: k.KeyType as 'HASH' | 'RANGE',
        })),
        BillingMode: routeTable.BillingMode as 'PAY_PER_REQUEST',
      }),
    );
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
}

async function queueArnOf(sqs: SQSClient, queueUrl: string): Promise<string> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = out.Attributes?.QueueArn;
  if (arn === undefined) throw new Error(`queue ${queueUrl} has no QueueArn attribute`);
  return arn;
}
