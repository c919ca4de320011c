import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { TableKey } from '../store/table-layout';
import {
  EMPTY_HEALTH,
  type CircuitRecord,
  type HealthState,
  type Heartbeat,
  type TargetCheckResult,
} from './health-state';

export interface HealthStoreOptions {
  /** The client, or how to get it on first use (the router's is built by its forwarder registry). */
  readonly client: DynamoDBClient | (() => DynamoDBClient);
  readonly tableName: string;
}

/** The three maps of the `#health` item, one per kind of writer. */
export type HealthSection = 'checks' | 'heartbeats' | 'circuits';

interface CallOptions {
  readonly signal?: AbortSignal;
  readonly consistent?: boolean;
}

/** Entries per UpdateItem: keeps the update expression far below DynamoDB's 4 KB. */
const ENTRIES_PER_UPDATE = 50;

const KEY = { pk: { S: TableKey.healthPk }, sk: { S: TableKey.healthSk } };

/**
 * The `#health` item of the route table (layout in src/store/table-layout.ts). Each writer sets
 * only its own entries, `SET <section>.<arn> = :entry ADD version :1` in one UpdateItem: DynamoDB
 * applies an update to one item atomically, so two checkers (or a checker, a heartbeat and a
 * tripping router) writing at once never lose each other's entries, and every write moves the
 * version, which is how routers see that something changed. The item is created on first write
 * with a conditional put (`attribute_not_exists`), so two first writers do not wipe each other.
 * Each entry is a JSON string: readers skip one they cannot parse rather than lose the rest.
 *
 * @example
 * const store = new HealthStore({ client, tableName: 'psarn-prod-routes' });
 * await store.write('checks', [{ arn, status: 'removed', reason: 'does not exist', checkedAt }]);
 */
export class HealthStore {
  constructor(private readonly options: HealthStoreOptions) {}

  private get client(): DynamoDBClient {
    const { client } = this.options;
    return typeof client === 'function' ? client() : client;
  }

  async read(options: CallOptions = {}): Promise<HealthState> {
    const out = await this.client.send(
      new GetItemCommand({
        TableName: this.options.tableName,
        Key: KEY,
        ConsistentRead: options.consistent === true,
      }),
      options.signal === undefined ? {} : { abortSignal: options.signal },
    );
    const item = out.Item;
    if (item === undefined) return EMPTY_HEALTH;
    return {
      version: Number(item['version']?.N ?? '0'),
      checks: entries(item['checks'], isCheck),
      heartbeats: entries(item['heartbeats'], isHeartbeat),
      circuits: entries(item['circuits'], isCircuit),
    };
  }

  /** Sets `values` in `section` (keyed by their ARN); returns the new version. */
  async write(
    section: HealthSection,
    values: readonly (TargetCheckResult | Heartbeat | CircuitRecord)[],
    options: CallOptions = {},
  ): Promise<number> {
    let version = 0;
    for (let i = 0; i < values.length; i += ENTRIES_PER_UPDATE) {
      const chunk = values.slice(i, i + ENTRIES_PER_UPDATE);
      version = await this.update(section, chunk, options);
    }
    return version;
  }

  private async update(
    section: HealthSection,
    values: readonly { readonly arn: string }[],
    options: CallOptions,
  ): Promise<number> {
    const names: Record<string, string> = { '#s': section };
    const attributes: Record<string, AttributeValue> = { ':one': { N: '1' } };
    const sets = values.map((value, i) => {
      names[`#a${i}`] = value.arn;
      attributes[`:v${i}`] = { S: JSON.stringify(value) };
      return `#s.#a${i} = :v${i}`;
    });
    const command = new UpdateItemCommand({
      TableName: this.options.tableName,
      Key: KEY,
      UpdateExpression: `SET ${sets.join(', ')} ADD version :one`,
      // The map must exist for a nested SET; the first writer creates the item below.
      ConditionExpression: 'attribute_exists(#s)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: attributes,
      ReturnValues: 'UPDATED_NEW',
    });
    const call = options.signal === undefined ? {} : { abortSignal: options.signal };
    try {
      const out = await this.client.send(command, call);
      return Number(out.Attributes?.['version']?.N ?? '0');
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
    await this.create(call);
    const out = await this.client.send(command, call);
    return Number(out.Attributes?.['version']?.N ?? '0');
  }

  private async create(call: { abortSignal?: AbortSignal }): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: {
            ...KEY,
            version: { N: '0' },
            checks: { M: {} },
            heartbeats: { M: {} },
            circuits: { M: {} },
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
        call,
      );
    } catch (err) {
      // Another writer created it first: its entries stay, ours go in with the update.
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  }
}

function entries<T extends { readonly arn: string }>(
  attribute: AttributeValue | undefined,
  valid: (value: unknown) => value is T,
): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [arn, value] of Object.entries(attribute?.M ?? {})) {
    if (value.S === undefined) continue;
    try {
      const parsed = JSON.parse(value.S) as unknown;
      if (valid(parsed) && parsed.arn === arn) out[arn] = parsed;
    } catch {
      // A damaged entry is no entry: that target counts as healthy (fail open), the rest stand.
      // Health only decides where copies go, never whether they are kept: nothing is lost.
    }
  }
  return out;
}

type Loose = Record<string, unknown>;
const isObject = (v: unknown): v is Loose => typeof v === 'object' && v !== null;

function isCheck(v: unknown): v is TargetCheckResult {
  return (
    isObject(v) &&
    typeof v['arn'] === 'string' &&
    (v['status'] === 'healthy' || v['status'] === 'unhealthy' || v['status'] === 'removed') &&
    typeof v['reason'] === 'string' &&
    typeof v['checkedAt'] === 'string'
  );
}

function isHeartbeat(v: unknown): v is Heartbeat {
  return (
    isObject(v) &&
    typeof v['arn'] === 'string' &&
    (v['status'] === 'healthy' || v['status'] === 'unhealthy') &&
    typeof v['expiresAt'] === 'number'
  );
}

function isCircuit(v: unknown): v is CircuitRecord {
  return (
    isObject(v) &&
    typeof v['arn'] === 'string' &&
    (v['state'] === 'open' || v['state'] === 'closed') &&
    typeof v['at'] === 'number' &&
    typeof v['coolDownMs'] === 'number' &&
    typeof v['trips'] === 'number' &&
    typeof v['by'] === 'string'
  );
}
