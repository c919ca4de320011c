import {
  GetItemCommand,
  PutItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { StoreUnavailableError } from '../errors';
import { causeText } from '../store/cause-text';
import { IamMode } from './iam-statements';
import { TableKey } from '../store/table-layout';

/**
 * What the last `serverless deploy` gave the router role, kept in the route table so `psarn apply`
 * can compare routes with it without any IAM API (the operator applying routes may not be allowed
 * to read roles). Written by the osls plugin after each deploy, before it applies the routes.
 */
export interface DeployRecord {
  readonly iam: IamMode;
  /** Target resource patterns the role allows: exact ARNs, or one wildcard per service. */
  readonly allowed: readonly string[];
  readonly stage: string;
  readonly region: string;
  readonly account: string;
  /** ISO time of the deploy. */
  readonly at: string;
  readonly by: string;
}

/** Key of the deploy record: a `#` partition like `#control`, so routers and scans of routes skip it. */
export const DEPLOY_RECORD_KEY = { pk: TableKey.deployPk, sk: TableKey.deploySk } as const;

type Item = Record<string, AttributeValue>;

const key = (): Item => ({ pk: { S: DEPLOY_RECORD_KEY.pk }, sk: { S: DEPLOY_RECORD_KEY.sk } });

/** The record as a table item (exported for tests that plant one). */
export function deployRecordToItem(record: DeployRecord): Item {
  return {
    ...key(),
    iam: { S: record.iam },
    allowed: { L: record.allowed.map((arn) => ({ S: arn })) },
    stage: { S: record.stage },
    region: { S: record.region },
    account: { S: record.account },
    at: { S: record.at },
    by: { S: record.by },
  };
}

/** The record of a table item; undefined when the item is missing or not one this code wrote. */
export function deployRecordFromItem(item: Item | undefined): DeployRecord | undefined {
  const iam = item?.['iam']?.S;
  const allowed = item?.['allowed']?.L;
  if (item === undefined || (iam !== IamMode.exact && iam !== IamMode.wildcard) || allowed === undefined) {
    return undefined;
  }
  const str = (name: string): string => item[name]?.S ?? '';
  return {
    iam,
    allowed: allowed.flatMap((value) => (value.S === undefined ? [] : [value.S])),
    stage: str('stage'),
    region: str('region'),
    account: str('account'),
    at: str('at'),
    by: str('by'),
  };
}

/**
 * Replace the deploy record of a route table.
 *
 * @example
 * await writeDeployRecord(client, 'psarn-prod-routes', { iam: 'exact', allowed: [...], stage: 'prod', … });
 */
export async function writeDeployRecord(
  client: DynamoDBClient,
  tableName: string,
  record: DeployRecord,
): Promise<void> {
  try {
    await client.send(new PutItemCommand({ TableName: tableName, Item: deployRecordToItem(record) }));
  } catch (err) {
    throw new StoreUnavailableError(
      `writing the deploy record to ${tableName} failed: ${causeText(err)}`,
      err,
    );
  }
}

/**
 * The deploy record of a route table, or undefined when no deploy wrote one (the local stack,
 * a table created by hand).
 *
 * @example
 * const record = await readDeployRecord(client, 'psarn-prod-routes');
 */
export async function readDeployRecord(
  client: DynamoDBClient,
  tableName: string,
): Promise<DeployRecord | undefined> {
  try {
    const out = await client.send(
      new GetItemCommand({ TableName: tableName, Key: key(), ConsistentRead: true }),
    );
    return deployRecordFromItem(out.Item);
  } catch (err) {
    throw new StoreUnavailableError(
      `reading the deploy record of ${tableName} failed: ${causeText(err)}`,
      err,
    );
  }
}
