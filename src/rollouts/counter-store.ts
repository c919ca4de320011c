import { QueryCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { countersKey } from '../store/table-layout';
import type { OutcomeCounts } from './gate';

/** The counts one router instance adds for one target in one window. */
export interface CounterDelta extends OutcomeCounts {
  readonly target: string;
  /** Epoch seconds the window starts at (a multiple of the window length). */
  readonly windowStart: number;
}

/** Where counters go (the route table) and come from; tests may pass their own. */
export interface CounterStore {
  add(delta: CounterDelta, instance: string, signal?: AbortSignal): Promise<void>;
  /** Every instance's counts for `target` in the windows starting at or after `fromSecond`. */
  read(target: string, fromSecond: number): Promise<OutcomeCounts>;
}

/** Counter items live a day: a step's window is minutes, `status` never looks further back. */
const KEEP_SECONDS = 24 * 3600;
/** `1733090400#a1b2c3d4`: window first, so one Query `sk >= <from>` finds a step's windows. */
const sortKey = (windowStart: number, instance: string): string =>
  `${String(windowStart).padStart(10, '0')}#${instance}`;

/**
 * Outcome counters in the route table (layout in src/store/table-layout.ts): one item per target,
 * window and router instance, written with ADD so an instance's flushes sum without a read, and
 * instances never contend for one item.
 *
 * @example
 * const store = new DynamoCounterStore({ client, tableName: 'psarn-prod-routes' });
 * await store.read(canaryArn, stepStartedAt / 1000);
 */
export class DynamoCounterStore implements CounterStore {
  constructor(private readonly options: { readonly client: DynamoDBClient; readonly tableName: string }) {}

  async add(delta: CounterDelta, instance: string, signal?: AbortSignal): Promise<void> {
    const names: Record<string, string> = {};
    const values: Record<string, { N: string }> = {
      ':d': { N: String(delta.delivered) },
      ':f': { N: String(delta.failed) },
      ':e': { N: String(delta.windowStart + KEEP_SECONDS) },
    };
    const adds = ['delivered :d', 'failed :f'];
    Object.entries(delta.byReason).forEach(([reason, n], i) => {
      names[`#r${i}`] = `failed_${reason}`;
      values[`:r${i}`] = { N: String(n) };
      adds.push(`#r${i} :r${i}`);
    });
    await this.options.client.send(
      new UpdateItemCommand({
        TableName: this.options.tableName,
        Key: { pk: { S: countersKey(delta.target) }, sk: { S: sortKey(delta.windowStart, instance) } },
        UpdateExpression: `ADD ${adds.join(', ')} SET expiresAt = :e`,
        ...(Object.keys(names).length === 0 ? {} : { ExpressionAttributeNames: names }),
        ExpressionAttributeValues: values,
      }),
      signal === undefined ? {} : { abortSignal: signal },
    );
  }

  async read(target: string, fromSecond: number): Promise<OutcomeCounts> {
    let delivered = 0;
    let failed = 0;
    const byReason: Record<string, number> = {};
    let start: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
    do {
      const out = await this.options.client.send(
        new QueryCommand({
          TableName: this.options.tableName,
          KeyConditionExpression: 'pk = :pk AND sk >= :from',
          ExpressionAttributeValues: {
            ':pk': { S: countersKey(target) },
            ':from': { S: String(Math.max(0, Math.floor(fromSecond))).padStart(10, '0') },
          },
          ConsistentRead: true,
          ...(start === undefined ? {} : { ExclusiveStartKey: start }),
        }),
      );
      for (const item of out.Items ?? []) {
        delivered += Number(item['delivered']?.N ?? 0);
        failed += Number(item['failed']?.N ?? 0);
        for (const [name, value] of Object.entries(item)) {
          if (!name.startsWith('failed_') || value.N === undefined) continue;
          const reason = name.slice('failed_'.length);
          byReason[reason] = (byReason[reason] ?? 0) + Number(value.N);
        }
      }
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return { delivered, failed, byReason };
  }
}
