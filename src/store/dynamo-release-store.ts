import { randomUUID } from 'node:crypto';
import {
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
  type DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { diffRouteSets, summarizeDiff } from '../control/route-set-diff';
import {
  PsarnError,
  ReleaseConflictError,
  ReleaseNotFoundError,
  StoreUnavailableError,
  ReleaseMovedError,
} from '../errors';
import type { Route } from '../routes/model';
import { causeText } from './cause-text';
import { DynamoRouteStore } from './dynamo-route-store';
import type { PublishResult, ReleaseMeta, ReleaseRecord, ReleaseStore } from './release-store';
import type { ControlState } from './route-store';
import {
  controlFromItem,
  controlKey,
  releaseFromItem,
  releaseKey,
  releaseToItem,
  routeFromItem,
  routeKey,
  routeSetAt,
  routeToItem,
  type Item,
  type ReleaseItem,
  type RouteItem,
} from './table-items';
import { TableKey } from './table-layout';

/** Points where tests stop or pause an apply, to race it or to simulate a crash. */
export interface ReleaseHooks {
  /** After the release number is claimed, before any route item is written. */
  readonly afterClaim?: (release: number) => Promise<void>;
  /** After each BatchWriteItem of route items. */
  readonly afterBatch?: (release: number, written: number) => Promise<void>;
  /** After every route item is written, before `#control` moves. */
  readonly beforeCommit?: (release: number) => Promise<void>;
}

export interface DynamoReleaseStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /**
   * How long a claim holds without renewal (default 60 s). An apply renews it as it writes; a
   * claim whose lease lapsed belongs to a crashed apply and the next apply takes it over.
   */
  readonly leaseMs?: number;
  /** Milliseconds clock, injected for tests. */
  readonly now?: () => number;
  readonly hooks?: ReleaseHooks;
}

/** Everything in the table, read by one paginated Scan. */
interface TableSnapshot {
  readonly control: ControlState;
  readonly releases: readonly ReleaseItem[];
  readonly routes: readonly RouteItem[];
}

const BATCH_SIZE = 25;
const MAX_BATCH_ATTEMPTS = 8;

/**
 * Writes releases to the route table the way DESIGN.md "Route table" describes, without
 * transactions (dynalite has none):
 *
 * 1. Scan the table once: the live release L from `#control`, its route set (newest item at or
 *    below L per psARN) and any leftovers of a crashed apply (items and claims above L). The
 *    route set is not indexed separately: one Scan reduced per psARN is correct by construction
 *    and cheap for hundreds of routes.
 * 2. Diff the new routes against the live set; no change → nothing is written.
 * 3. Claim N = L + 1 with a conditional put of `#release/r#N` (attribute_not_exists). A claim
 *    whose lease lapsed (a crashed apply) is taken over by a put conditional on its claim id.
 *    Losing the claim → ReleaseConflictError, and nothing was written.
 * 4. Delete leftovers above L, then write the changed route items (and tombstones) at `r#N`
 *    with BatchWriteItem, 25 per call, retrying unprocessed items, renewing the lease as it goes.
 * 5. Commit: one conditional UpdateItem of `#control`, `release = N` if `release = L`. Only now
 *    can a router see release N, all of it at once. Then the record is marked committed.
 *
 * @example
 * const releases = new DynamoReleaseStore({ client, tableName: 'psarn-dev-routes' });
 * const { release, changed } = await releases.publishRelease(routes, { by: 'ana@laptop' });
 */
export class DynamoReleaseStore implements ReleaseStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly leaseMs: number;
  private readonly now: () => number;
  private readonly hooks: ReleaseHooks;
  private readonly reader: DynamoRouteStore;

  constructor(options: DynamoReleaseStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.hooks = options.hooks ?? {};
    this.reader = new DynamoRouteStore({ client: this.client, tableName: this.tableName });
  }

  readControl(): Promise<ControlState> {
    return this.reader.readControl();
  }

  async publishRelease(routes: readonly Route[], meta: ReleaseMeta): Promise<PublishResult> {
    const snapshot = await this.io('reading the table', () => this.scan());
    const live = snapshot.control.release;
    if (meta.basedOn !== undefined && meta.basedOn !== live) throw new ReleaseMovedError(meta.basedOn, live);
    const diff = diffRouteSets(routeSetAt(snapshot.routes, live), routes);
    const psarns = (list: readonly Route[]): string[] => list.map((r) => r.psarn);
    const result = {
      changed: diff.touched,
      added: psarns(diff.added),
      updated: diff.updated.map((u) => u.after.psarn),
      removed: psarns(diff.removed),
    };
    if (diff.touched.length === 0) return { release: live, ...result };

    const release = live + 1;
    const now = this.now();
    const claim: ReleaseItem = {
      release,
      status: 'pending',
      by: meta.by,
      at: new Date(now).toISOString(),
      summary: meta.summary ?? summarizeDiff(diff),
      changed: diff.touched,
      claimId: randomUUID(),
      leaseUntil: now + this.leaseMs,
      ...(meta.from === undefined ? {} : { from: meta.from }),
    };
    await this.claim(claim, snapshot);

    const items = [
      ...diff.added.map((r) => routeToItem(r.psarn, release, r)),
      ...diff.updated.map((u) => routeToItem(u.after.psarn, release, u.after)),
      ...diff.removed.map((r) => routeToItem(r.psarn, release, undefined)),
    ];
    const lease = { until: claim.leaseUntil };
    try {
      await this.hooks.afterClaim?.(release);
      await this.io('removing leftovers of a crashed apply', () =>
        this.removeLeftovers(snapshot, live, release),
      );
      for (let i = 0; i < items.length; i += BATCH_SIZE) {
        await this.renewIfDue(claim, lease);
        const batch = items.slice(i, i + BATCH_SIZE).map((Item): WriteRequest => ({ PutRequest: { Item } }));
        await this.io(`writing route items of release ${release}`, () => this.batchWrite(batch));
        await this.hooks.afterBatch?.(release, Math.min(i + BATCH_SIZE, items.length));
      }
      await this.hooks.beforeCommit?.(release);
      await this.renew(claim, lease);
      await this.commit(release, live, meta.by);
    } catch (err) {
      await this.abandon(claim, lease, items);
      throw err;
    }
    await this.markCommitted(release, snapshot, live);
    return { release, ...result };
  }

  async bumpEpoch(by: string): Promise<ControlState> {
    const out = await this.io('bumping the epoch', () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: controlKey(),
          UpdateExpression: 'ADD #epoch :one SET #updatedAt = :at, #updatedBy = :by',
          ExpressionAttributeNames: {
            '#epoch': 'epoch',
            '#updatedAt': 'updatedAt',
            '#updatedBy': 'updatedBy',
          },
          ExpressionAttributeValues: {
            ':one': { N: '1' },
            ':at': { S: new Date(this.now()).toISOString() },
            ':by': { S: by },
          },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return controlFromItem(out.Attributes);
  }

  async listReleases(): Promise<readonly ReleaseRecord[]> {
    const control = await this.readControl();
    const records = await this.io('listing releases', () => this.queryReleases());
    return records
      .filter((r) => r.release <= control.release)
      .sort((a, b) => a.release - b.release)
      .map((r): ReleaseRecord => ({
        release: r.release,
        at: r.at,
        by: r.by,
        summary: r.summary,
        changed: r.changed,
        ...(r.from === undefined ? {} : { from: r.from }),
      }));
  }

  async routesAt(release: number): Promise<readonly Route[]> {
    const snapshot = await this.io('reading the table', () => this.scan());
    const live = snapshot.control.release;
    if (!Number.isInteger(release) || release < 1 || release > live)
      throw new ReleaseNotFoundError(release, live);
    return [...routeSetAt(snapshot.routes, release).values()];
  }

  /** Claim `claim.release`, or take over a lapsed claim on it; throws ReleaseConflictError when taken. */
  private async claim(claim: ReleaseItem, snapshot: TableSnapshot): Promise<void> {
    const existing = snapshot.releases.find((r) => r.release === claim.release);
    if (existing !== undefined && (existing.status === 'committed' || existing.leaseUntil > this.now())) {
      throw new ReleaseConflictError(claim.release, holder(existing));
    }
    const condition =
      existing === undefined
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            // Take over only the very claim that was seen lapsed: two later applies cannot both win it.
            ConditionExpression: '#claimId = :old AND #leaseUntil < :now',
            ExpressionAttributeNames: { '#claimId': 'claimId', '#leaseUntil': 'leaseUntil' },
            ExpressionAttributeValues: { ':old': { S: existing.claimId }, ':now': { N: String(this.now()) } },
          };
    try {
      await this.client.send(
        new PutItemCommand({ TableName: this.tableName, Item: releaseToItem(claim), ...condition }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) {
        throw new StoreUnavailableError(
          `claiming release ${claim.release} in table ${this.tableName} failed: ${causeText(err)}`,
          err,
        );
      }
      const winner = await this.readRelease(claim.release).catch(() => undefined);
      throw new ReleaseConflictError(claim.release, winner === undefined ? 'another apply' : holder(winner));
    }
  }

  /** Delete what crashed applies left above the live release: route items, and lapsed claims above ours. */
  private async removeLeftovers(snapshot: TableSnapshot, live: number, ours: number): Promise<void> {
    const leftovers = snapshot.routes.filter((r) => r.release > live);
    const deletes = leftovers.map((r): WriteRequest => ({
      DeleteRequest: { Key: routeKey(r.psarn, r.release) },
    }));
    for (let i = 0; i < deletes.length; i += BATCH_SIZE)
      await this.batchWrite(deletes.slice(i, i + BATCH_SIZE));
    for (const record of snapshot.releases.filter((r) => r.release > ours && r.status === 'pending')) {
      await this.client
        .send(
          new DeleteItemCommand({
            TableName: this.tableName,
            Key: releaseKey(record.release),
            ConditionExpression: '#claimId = :old AND #leaseUntil < :now',
            ExpressionAttributeNames: { '#claimId': 'claimId', '#leaseUntil': 'leaseUntil' },
            ExpressionAttributeValues: { ':old': { S: record.claimId }, ':now': { N: String(this.now()) } },
          }),
        )
        .catch((err: unknown) => {
          if (!(err instanceof ConditionalCheckFailedException)) throw err;
        });
    }
  }

  private async renewIfDue(claim: ReleaseItem, lease: { until: number }): Promise<void> {
    if (lease.until - this.now() < this.leaseMs / 2) await this.renew(claim, lease);
  }

  /** Extend our lease; fails when another apply took the claim over (ours had lapsed). */
  private async renew(claim: ReleaseItem, lease: { until: number }): Promise<void> {
    const until = this.now() + this.leaseMs;
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: releaseKey(claim.release),
          UpdateExpression: 'SET #leaseUntil = :until',
          ConditionExpression: '#claimId = :me AND #status = :pending',
          ExpressionAttributeNames: {
            '#leaseUntil': 'leaseUntil',
            '#claimId': 'claimId',
            '#status': 'status',
          },
          ExpressionAttributeValues: {
            ':until': { N: String(until) },
            ':me': { S: claim.claimId },
            ':pending': { S: 'pending' },
          },
        }),
      );
      lease.until = until;
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) {
        throw new StoreUnavailableError(
          `renewing the claim on release ${claim.release} failed: ${causeText(err)}`,
          err,
        );
      }
      const winner = await this.readRelease(claim.release).catch(() => undefined);
      throw new ReleaseConflictError(claim.release, winner === undefined ? 'another apply' : holder(winner));
    }
  }

  /** The one write that makes release N live: `#control.release = N` only if it still is N - 1. */
  private async commit(release: number, live: number, by: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: controlKey(),
          UpdateExpression: 'SET #release = :n, #updatedAt = :at, #updatedBy = :by',
          // A table whose only write so far was `psarn flush` has #control without a release.
          ConditionExpression:
            live === 0 ? 'attribute_not_exists(#release) OR #release = :prev' : '#release = :prev',
          ExpressionAttributeNames: {
            '#release': 'release',
            '#updatedAt': 'updatedAt',
            '#updatedBy': 'updatedBy',
          },
          ExpressionAttributeValues: {
            ':n': { N: String(release) },
            ':prev': { N: String(live) },
            ':at': { S: new Date(this.now()).toISOString() },
            ':by': { S: by },
          },
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) {
        throw new StoreUnavailableError(`committing release ${release} failed: ${causeText(err)}`, err);
      }
      const control = await this.readControl().catch(() => undefined);
      throw new ReleaseConflictError(release, control === undefined ? 'another apply' : control.updatedBy);
    }
  }

  /**
   * Undo an apply that failed before its commit, while it still holds the claim: delete its route
   * items, then its claim. Best effort: whatever stays is removed by the next apply once the
   * lease lapses. When the claim is no longer ours, nothing is deleted (the items may be theirs).
   */
  private async abandon(claim: ReleaseItem, lease: { until: number }, items: readonly Item[]): Promise<void> {
    try {
      await this.renew(claim, lease);
      const deletes = items.map((item): WriteRequest => ({
        DeleteRequest: { Key: { pk: item['pk'] ?? { S: '' }, sk: item['sk'] ?? { S: '' } } },
      }));
      for (let i = 0; i < deletes.length; i += BATCH_SIZE)
        await this.batchWrite(deletes.slice(i, i + BATCH_SIZE));
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: releaseKey(claim.release),
          ConditionExpression: '#claimId = :me',
          ExpressionAttributeNames: { '#claimId': 'claimId' },
          ExpressionAttributeValues: { ':me': { S: claim.claimId } },
        }),
      );
    } catch {
      // The original error is what the user needs; the lapsed lease lets the next apply clean up.
    }
  }

  /**
   * Mark release N's record committed. The pointer in `#control` is the truth, the status is
   * audit only, so a failure here is harmless: records at or below the live release count as
   * committed, and the next publish marks any it finds still pending.
   */
  private async markCommitted(release: number, snapshot: TableSnapshot, live: number): Promise<void> {
    const stale = snapshot.releases
      .filter((r) => r.release <= live && r.status === 'pending')
      .map((r) => r.release);
    for (const n of [...stale, release]) {
      await this.client
        .send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: releaseKey(n),
            UpdateExpression: 'SET #status = :committed REMOVE #leaseUntil',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#status': 'status', '#leaseUntil': 'leaseUntil' },
            ExpressionAttributeValues: { ':committed': { S: 'committed' } },
          }),
        )
        .catch(() => undefined);
    }
  }

  private async batchWrite(requests: WriteRequest[]): Promise<void> {
    let pending = requests;
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > MAX_BATCH_ATTEMPTS) {
        throw new StoreUnavailableError(
          `${pending.length} item(s) stayed unprocessed after ${MAX_BATCH_ATTEMPTS} attempts`,
        );
      }
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
      const out = await this.client.send(
        new BatchWriteItemCommand({ RequestItems: { [this.tableName]: pending } }),
      );
      pending = out.UnprocessedItems?.[this.tableName] ?? [];
    }
  }

  private async scan(): Promise<TableSnapshot> {
    let control: ControlState | undefined;
    const releases: ReleaseItem[] = [];
    const routes: RouteItem[] = [];
    let start: Item | undefined;
    do {
      const out = await this.client.send(
        new ScanCommand({ TableName: this.tableName, ConsistentRead: true, ExclusiveStartKey: start }),
      );
      for (const item of out.Items ?? []) {
        if (item['pk']?.S === TableKey.controlPk) control = controlFromItem(item);
        const release = releaseFromItem(item);
        if (release !== undefined) releases.push(release);
        const route = routeFromItem(item);
        if (route !== undefined) routes.push(route);
      }
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return { control: control ?? controlFromItem(undefined), releases, routes };
  }

  private async queryReleases(): Promise<ReleaseItem[]> {
    const records: ReleaseItem[] = [];
    let start: Item | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: TableKey.releasePk } },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) {
        const record = releaseFromItem(item);
        if (record !== undefined) records.push(record);
      }
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return records;
  }

  private async readRelease(release: number): Promise<ReleaseItem | undefined> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: releaseKey(release), ConsistentRead: true }),
    );
    return out.Item === undefined ? undefined : releaseFromItem(out.Item);
  }

  /** Run one step against DynamoDB, naming the step and the table if the store fails. */
  private async io<T>(step: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof PsarnError) throw err;
      throw new StoreUnavailableError(`${step} in table ${this.tableName} failed: ${causeText(err)}`, err);
    }
  }
}

function holder(record: ReleaseItem): string {
  return `${record.by} (claimed ${record.at})`;
}
