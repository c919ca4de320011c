import { QueryCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { countersKey } from '../store/table-layout';
import type { OutcomeCounts } from './gate';

/** The counts a router instance adds for one target in one window. */
export interface CounterDelta extends OutcomeCounts {
  readonly target: string;
  /** Epoch seconds the window starts at (a multiple of the window length). */
  readonly windowStart: number;
}

/** Where counters go (the route table) and come from; tests may pass their own. */
export interface CounterStore {
  add(delta: CounterDelta, signal?: AbortSignal): Promise<void>;
  /** Every instance's counts for `target` in the windows starting at or after `fromSecond`. */
  read(target: string, fromSecond: number): Promise<OutcomeCounts>;
}

/** Counter items live a day: a step's window is minutes, `status` never looks further back. */
const KEEP_SECONDS = 24 * 3600;
/** `1733090400`: the window's start, zero-padded, so one Query `sk >= <from>` finds a step's windows. */
const sortKey = (windowStart: number): string => String(windowStart).padStart(10, '0');

/**
 * Outcome counters in the route table (layout in src/store/table-layout.ts): one item per target
 * and minute, written with ADD by every router instance, so flushes sum without a read.
 *
 * One item per target and window, not per instance: `psarn apply` Scans the whole table (the
 * release store's snapshot read), so the number of counter items is what a busy stage pays on
 * every publish — at most 1,440 a day per target. Instances share the item; each writes it at
 * most every 2 s, which keeps one item under DynamoDB's per-partition write limit (1,000 WCU/s)
 * up to about 2,000 concurrent router instances.
 *
 * @example
 * const store = new DynamoCounterStore({ client, tableName: 'psarn-prod-routes' });
 * await store.read(canaryArn, stepStartedAt / 1000);
 */
export class DynamoCounterStore implements CounterStore {
  constructor(private readonly options: { readonly client: DynamoDBClient; readonly tableName: string }) {}

  async add(delta: CounterDelta, signal?: AbortSignal): Promise<void> {
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
        Key: { pk: { S: countersKey(delta.target) }, sk: { S: sortKey(delta.windowStart) } },
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
