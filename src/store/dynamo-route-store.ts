import { GetItemCommand, QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { StoreUnavailableError } from '../errors';
import { causeText } from './cause-text';
import type { ControlState, ReadOptions, RouteStore, StoredRoute } from './route-store';
import { readSnapshotItems, type SnapshotRead } from './snapshot';
import { controlFromItem, controlKey, routeFromItem, type Item } from './table-items';
import { releaseSortKey, snapshotSortKeyPrefix, TableKey } from './table-layout';

export interface DynamoRouteStoreOptions {
  /** Created once per process by the caller (module scope of the handler) and shared. */
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

/**
 * The router's view of the route table (layout in `table-layout.ts`). Each call is one request:
 * `readControl` one GetItem of `#control`, `getRoute` one Query for the newest item of the psARN at
 * or below the release. Reads are strongly consistent so a router that saw release N in
 * `#control` also sees every item of release N (they were written before the pointer moved).
 *
 * @example
 * const store = new DynamoRouteStore({ client: new DynamoDBClient({}), tableName: 'psarn-dev-routes' });
 * const { release } = await store.readControl();
 * const stored = await store.getRoute('arn:aws:psarns:eu-west-1:123456789012:/event/newUser', release);
 */
export class DynamoRouteStore implements RouteStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;

  constructor(options: DynamoRouteStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async readControl(options: ReadOptions = {}): Promise<ControlState> {
    try {
      const out = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: controlKey(), ConsistentRead: true }),
        sendOptions(options),
      );
      return controlFromItem(out.Item);
    } catch (err) {
      throw new StoreUnavailableError(
        `reading #control of table ${this.tableName} failed: ${causeText(err)}`,
        err,
      );
    }
  }

  async getRoute(
    psarn: string,
    release: number,
    options: ReadOptions = {},
  ): Promise<StoredRoute | undefined> {
    let items;
    try {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk <= :sk',
          ExpressionAttributeValues: { ':pk': { S: psarn }, ':sk': { S: releaseSortKey(release) } },
          ScanIndexForward: false,
          Limit: 1,
          ConsistentRead: true,
        }),
        sendOptions(options),
      );
      items = out.Items ?? [];
    } catch (err) {
      throw new StoreUnavailableError(
        `reading route ${psarn} at release ${release} from table ${this.tableName} failed: ${causeText(err)}`,
        err,
      );
    }
    const first = items[0];
    const item = first === undefined ? undefined : routeFromItem(first);
    if (item?.route === undefined) return undefined;
    return { route: item.route, release: item.release };
  }
  /**
   * The psARNs releases `after + 1` .. `upTo` changed: one strongly consistent Query of their
   * `#release` records (only `changed` is read; paginated past 1 MB). Undefined when a record
   * is missing, so the caller re-validates everything instead of trusting a partial list.
   */
  async changedBetween(
    after: number,
    upTo: number,
    options: ReadOptions = {},
  ): Promise<readonly string[] | undefined> {
    if (upTo <= after) return [];
    const changed = new Set<string>();
    let records = 0;
    let start: Item | undefined;
    try {
      do {
        const out = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            ExpressionAttributeValues: {
              ':pk': { S: TableKey.releasePk },
              ':from': { S: releaseSortKey(after + 1) },
              ':to': { S: releaseSortKey(upTo) },
            },
            ProjectionExpression: 'sk, #changed',
            ExpressionAttributeNames: { '#changed': 'changed' },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
          sendOptions(options),
        );
        for (const item of out.Items ?? []) {
          records++;
          for (const value of item['changed']?.L ?? []) if (value.S !== undefined) changed.add(value.S);
        }
        start = out.LastEvaluatedKey;
      } while (start !== undefined);
    } catch (err) {
      throw new StoreUnavailableError(
        `reading the records of releases ${after + 1}..${upTo} from table ${this.tableName} failed: ${causeText(err)}`,
        err,
      );
    }
    return records === upTo - after ? [...changed] : undefined;
  }

  /**
   * Release `release`'s snapshot (snapshot.ts): one strongly consistent Query of the chunks under
   * its own sort-key prefix, so no chunk of another release is read (paginated past 1 MB).
   * Whether they form a usable snapshot is `readSnapshotItems`'s to say; a failed read throws.
   */
  async readSnapshot(release: number, options: ReadOptions = {}): Promise<SnapshotRead> {
    const items: Item[] = [];
    let start: Item | undefined;
    try {
      do {
        const out = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: {
              ':pk': { S: TableKey.snapshotPk },
              ':prefix': { S: snapshotSortKeyPrefix(release) },
            },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
          sendOptions(options),
        );
        items.push(...(out.Items ?? []));
        start = out.LastEvaluatedKey;
      } while (start !== undefined);
    } catch (err) {
      throw new StoreUnavailableError(
        `reading the snapshot of release ${release} from table ${this.tableName} failed: ${causeText(err)}`,
        err,
      );
    }
    return readSnapshotItems(items, release);
  }
}

/**
 * The caller's abort signal, handed to the SDK: when the cache stops waiting for a read, the
 * request is cancelled and its socket closed instead of hanging on until the client's timeout.
 */
function sendOptions(options: ReadOptions): { abortSignal?: AbortSignal } {
  return options.signal === undefined ? {} : { abortSignal: options.signal };
}
