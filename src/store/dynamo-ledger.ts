import { BatchGetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DeliveryLedger, LedgerEntry, LedgerRecord } from '../delivery/ledger';
import type { DeliveryStatus } from '../delivery/report';
import { ledgerKey, LEDGER_SK } from './table-layout';

export interface DynamoLedgerOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /**
   * How long a record is kept (DynamoDB TTL on `expiresAt`): longer than the router DLQ keeps an
   * invocation record (14 days), so a late `psarn drain --dlq` still finds it. Default 15 days.
   */
  readonly keepSeconds?: number;
  readonly now?: () => number;
}

/** BatchGetItem reads at most 100 keys per request. */
const MAX_BATCH_KEYS = 100;
const STATUSES: ReadonlySet<string> = new Set<DeliveryStatus>(['delivered', 'parked', 'dead-lettered']);

/**
 * The retry ledger in the route table (layout in `table-layout.ts`): one item per event that an
 * invocation failed on, `pk = #ledger#<eventId>`, `sk = #ledger`, the secured copies as JSON and an
 * `expiresAt` for DynamoDB's TTL. Written only on the failure path, read only for retries.
 *
 * @example
 * const ledger = new DynamoLedger({ client, tableName: 'psarn-prod-routes' });
 * await ledger.remember('msg-1', new Map([['split @ /a', { target: arn, status: 'delivered' }]]));
 */
export class DynamoLedger implements DeliveryLedger {
  private readonly keepSeconds: number;
  private readonly now: () => number;

  constructor(private readonly options: DynamoLedgerOptions) {
    this.keepSeconds = options.keepSeconds ?? 15 * 24 * 3600;
    this.now = options.now ?? Date.now;
  }

  async recall(keys: readonly string[], signal?: AbortSignal): Promise<ReadonlyMap<string, LedgerRecord>> {
    const found = new Map<string, LedgerRecord>();
    const unique = [...new Set(keys)];
    for (let i = 0; i < unique.length; i += MAX_BATCH_KEYS) {
      let batch: { pk: { S: string }; sk: { S: string } }[] = unique
        .slice(i, i + MAX_BATCH_KEYS)
        .map((key) => ({ pk: { S: ledgerKey(key) }, sk: { S: LEDGER_SK } }));
      // UnprocessedKeys come back under throttling: asked again, a few times.
      for (let round = 0; batch.length > 0 && round < 3; round++) {
        const out = await this.options.client.send(
          new BatchGetItemCommand({
            RequestItems: { [this.options.tableName]: { Keys: batch, ConsistentRead: true } },
          }),
          signal === undefined ? {} : { abortSignal: signal },
        );
        for (const item of out.Responses?.[this.options.tableName] ?? []) {
          const id = item['eventId']?.S;
          const copies = item['copies']?.S;
          if (id !== undefined && copies !== undefined) found.set(id, parseCopies(copies));
        }
        batch = (out.UnprocessedKeys?.[this.options.tableName]?.Keys ?? []) as typeof batch;
      }
    }
    return found;
  }

  async remember(key: string, record: LedgerRecord, signal?: AbortSignal): Promise<void> {
    await this.options.client.send(
      new PutItemCommand({
        TableName: this.options.tableName,
        Item: {
          pk: { S: ledgerKey(key) },
          sk: { S: LEDGER_SK },
          eventId: { S: key },
          copies: { S: JSON.stringify([...record]) },
          expiresAt: { N: String(Math.floor(this.now() / 1000) + this.keepSeconds) },
        },
      }),
      signal === undefined ? {} : { abortSignal: signal },
    );
  }
}

function parseCopies(text: string): LedgerRecord {
  const record = new Map<string, LedgerEntry>();
  try {
    const pairs = JSON.parse(text) as unknown;
    if (!Array.isArray(pairs)) return record;
    for (const pair of pairs) {
      if (!Array.isArray(pair)) continue;
      const [copy, entry] = pair as [unknown, { target?: unknown; status?: unknown } | undefined];
      if (typeof copy !== 'string' || typeof entry?.target !== 'string' || typeof entry.status !== 'string')
        continue;
      if (!STATUSES.has(entry.status)) continue;
      record.set(copy, { target: entry.target, status: entry.status as DeliveryStatus });
    }
  } catch {
    // A damaged record is no record: the retry sends every copy (at least once).
  }
  return record;
}
