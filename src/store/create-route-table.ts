import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { StoreUnavailableError } from '../errors';
import { causeText } from './cause-text';

/**
 * Create the route table (`pk` S hash, `sk` S range, on-demand) unless it exists, and wait until it
 * is ACTIVE. For the local stack and tests: deployed stages get the table from `serverless.yml`.
 *
 * @example
 * await createRouteTable(client, 'psarn-local-routes');
 */
export async function createRouteTable(
  client: DynamoDBClient,
  tableName: string,
  options: { readonly timeoutMs?: number } = {},
): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) {
      throw new StoreUnavailableError(`creating table ${tableName} failed: ${causeText(err)}`, err);
    }
  }
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    try {
      const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
      if (out.Table?.TableStatus === 'ACTIVE') return;
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) {
        throw new StoreUnavailableError(`describing table ${tableName} failed: ${causeText(err)}`, err);
      }
    }
    if (Date.now() > deadline) throw new StoreUnavailableError(`table ${tableName} did not become ACTIVE`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
