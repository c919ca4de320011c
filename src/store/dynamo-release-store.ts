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
  type AttributeValue,
  type DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import {
  CommitUnknownError,
  PsarnError,
  ReleaseConflictError,
  ReleaseNotFoundError,
  StoreUnavailableError,
} from '../errors';
import type { Route } from '../routes/model';
import { causeText } from './cause-text';
import { DynamoRouteStore } from './dynamo-route-store';
import { publishRoutes, type ReleaseSteps, type ReleaseWrite } from './release-publisher';
import { hasCompleteSnapshot, snapshotChunkKeyOf, snapshotItems, type SnapshotChunkKey } from './snapshot';
import type { PublishResult, ReleaseMeta, ReleaseRecord, ReleaseStore } from './release-store';
import type { ControlState } from './route-store';
import {
  ClaimAttr,
  controlFromItem,
  controlKey,
  controlRecordFromItem,
  releaseFromItem,
  releaseKey,
  releaseToItem,
  routeFromItem,
  routeKey,
  routeSetAt,
  routeToItem,
  type ClaimState,
  type ControlRecord,
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
  readonly claim: ClaimState | undefined;
  readonly releases: readonly ReleaseItem[];
  readonly routes: readonly RouteItem[];
  /** Chunks of release snapshots (snapshot.ts), by key: what `writeSnapshot` keeps or removes. */
  readonly snapshots: readonly SnapshotChunkKey[];
}

const BATCH_SIZE = 25;
const MAX_BATCH_ATTEMPTS = 8;
/** Pauses between the reads of `#control` that settle a commit whose answer did not arrive. */
const SETTLE_PAUSES_MS = [0, 250, 1000, 3000];

const CLAIM_NAMES = {
  '#claimId': ClaimAttr.id,
  '#claimRelease': ClaimAttr.release,
  '#claimBy': ClaimAttr.by,
  '#claimAt': ClaimAttr.at,
  '#claimLease': ClaimAttr.leaseUntil,
  '#claimRenewals': ClaimAttr.renewals,
} as const;

/**
 * Writes releases to the route table the way DESIGN.md "Route table" describes, without
 * transactions (dynalite has none). Steps 1 and 2 are the publish rules every store shares
 * (`publishRoutes`, release-publisher.ts); this class implements the storage steps:
 *
 * 1. Scan the table once: the live release L from `#control`, its route set (newest item at or
 *    below L per psARN) and any leftovers of a crashed apply (items and records above L). The
 *    route set is not indexed separately: one Scan reduced per psARN is correct by construction
 *    and cheap for hundreds of routes.
 * 2. Diff the new routes against the live set; no change → nothing is written.
 * 3. Claim N = L + 1 in `#control` itself (`claimId`, `claimRelease`, a lease), conditional on
 *    `release = L` and no claim held. A claim whose lease lapsed (a crashed apply) is taken over
 *    conditionally on its claim id. Losing the claim → ReleaseConflictError, nothing written.
 * 4. Delete leftovers above L, write the pending `#release/r#N` record, then the changed route
 *    items (and tombstones) at `r#N` with BatchWriteItem, 25 per call. Before each call the
 *    claim is renewed, conditionally on our claim id: an apply whose claim was taken over stops
 *    at the next batch.
 * 5. Commit: one conditional UpdateItem of `#control`, `release = N` if `release = L` *and*
 *    `claimId` is ours (it then records ours as `committedClaim` and removes the claim). This
 *    fence, decided by DynamoDB, is what makes a takeover safe whatever the clocks say: the apply
 *    that lost its claim can no longer commit. Only now can a router see release N.
 * 6. When the commit fails in any way (a lost answer, a timeout, a refusal after the SDK's own
 *    retry of a commit that had applied), `#control` is read again and what is really live
 *    decides: our commit is live → finish; our claim is still there → abandon (fenced too);
 *    someone else's → ReleaseConflictError and nothing of theirs is touched.
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

  publishRelease(routes: readonly Route[], meta: ReleaseMeta): Promise<PublishResult> {
    return publishRoutes(this.steps, routes, meta);
  }

  /** The storage steps `publishRoutes` drives (the publish rules are its, not this store's). */
  private readonly steps: ReleaseSteps<TableSnapshot> = {
    readLive: async () => {
      const snapshot = await this.io('reading the table', () => this.scan());
      const release = snapshot.control.release;
      return { release, routes: routeSetAt(snapshot.routes, release), snapshot };
    },
    writeRelease: (write, live) => this.writeRelease(write, live.snapshot),
    writeSnapshot: (release, routes, live) => this.writeSnapshot(release, routes, live.snapshot),
    now: () => this.now(),
  };

  /** Steps 3 to 7 of the class comment: claim, clean up, write, commit (fenced), mark committed. */
  private async writeRelease(write: ReleaseWrite, snapshot: TableSnapshot): Promise<void> {
    const { release } = write;
    const live = release - 1;
    const now = this.now();
    const claim: ClaimState = {
      release,
      claimId: randomUUID(),
      by: write.record.by,
      at: write.record.at,
      leaseUntil: now + this.leaseMs,
      renewals: 0,
    };
    const record: ReleaseItem = {
      ...write.record,
      status: 'pending',
      claimId: claim.claimId,
      leaseUntil: claim.leaseUntil,
    };
    await this.claim(claim, snapshot);

    const items = write.routes.map((r) => routeToItem(r.psarn, release, r.route));
    try {
      await this.hooks.afterClaim?.(release);
      await this.renew(claim);
      await this.io('removing leftovers of a crashed apply', () =>
        this.removeLeftovers(snapshot, live, release),
      );
      await this.io(`writing the record of release ${release}`, () => this.putPendingRecord(record));
      for (let i = 0; i < items.length; i += BATCH_SIZE) {
        await this.renew(claim);
        const batch = items.slice(i, i + BATCH_SIZE).map((Item): WriteRequest => ({ PutRequest: { Item } }));
        await this.io(`writing route items of release ${release}`, () => this.batchWrite(batch));
        await this.hooks.afterBatch?.(release, Math.min(i + BATCH_SIZE, items.length));
      }
      await this.hooks.beforeCommit?.(release);
      await this.renew(claim);
      await this.commit(claim, live);
    } catch (err) {
      // A commit that landed after all (a late request, seen only now) is finished, not undone.
      if ((await this.abandon(claim, items)) !== 'committed') throw err;
    }
    await this.markCommitted(record, snapshot, live);
  }

  /**
   * Release `release`'s snapshot, written once it is live (unless the scan found it complete):
   * its chunks, then the removal of what no reader needs any more — older snapshots but the
   * previous release's (a cold router that read `#control` just before this commit still finds
   * its own), and chunks of this release's that the write did not replace. A reader that comes
   * between sees a mixed set and reads route by route; it never sees a wrong route.
   */
  private async writeSnapshot(
    release: number,
    routes: readonly Route[],
    scanned: TableSnapshot,
  ): Promise<void> {
    const complete = hasCompleteSnapshot(scanned.snapshots, release);
    const written = new Set<string>();
    if (!complete) {
      const items = snapshotItems(release, routes);
      for (let i = 0; i < items.length; i += BATCH_SIZE) {
        const batch = items.slice(i, i + BATCH_SIZE).map((Item): WriteRequest => ({ PutRequest: { Item } }));
        await this.io(`writing the snapshot of release ${release}`, () => this.batchWrite(batch));
      }
      for (const item of items) written.add(item['sk']?.S ?? '');
    }
    const obsolete = scanned.snapshots.filter(
      (c) => c.release < release - 1 || (c.release === release && !complete && !written.has(c.sk)),
    );
    const deletes = obsolete.map((c): WriteRequest => ({
      DeleteRequest: { Key: { pk: { S: TableKey.snapshotPk }, sk: { S: c.sk } } },
    }));
    for (let i = 0; i < deletes.length; i += BATCH_SIZE)
      await this.io('removing old snapshots', () => this.batchWrite(deletes.slice(i, i + BATCH_SIZE)));
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

  /**
   * Claim `claim.release` in `#control`, or take over a lapsed claim on it; throws
   * ReleaseConflictError when another apply holds it or a release went live since the scan.
   */
  private async claim(claim: ClaimState, snapshot: TableSnapshot): Promise<void> {
    const live = claim.release - 1;
    const existing = snapshot.claim;
    if (existing !== undefined && existing.release === claim.release && existing.leaseUntil > this.now()) {
      throw new ReleaseConflictError(claim.release, holder(existing));
    }
    const names: Record<string, string> = { '#release': 'release', ...CLAIM_NAMES };
    const values: Record<string, AttributeValue> = {
      ':prev': { N: String(live) },
      ':me': { S: claim.claimId },
      ':n': { N: String(claim.release) },
      ':by': { S: claim.by },
      ':at': { S: claim.at },
      ':lease': { N: String(claim.leaseUntil) },
      ':zero': { N: '0' },
    };
    const pointer = live === 0 ? '(attribute_not_exists(#release) OR #release = :prev)' : '#release = :prev';
    // Take over only the very claim that was seen (lapsed, or left on an older release): two later
    // applies cannot both win it. The fence at the commit makes a takeover safe in any case.
    let held = 'attribute_not_exists(#claimId)';
    if (existing !== undefined) {
      // ... and only if it was not renewed since we saw it: a holder that is alive after all
      // (its clock and ours disagree) keeps its claim. No clock is compared here, only a count.
      held = '#claimId = :old AND #claimRenewals = :seen';
      values[':old'] = { S: existing.claimId };
      values[':seen'] = { N: String(existing.renewals) };
    }
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: controlKey(),
          UpdateExpression:
            'SET #claimId = :me, #claimRelease = :n, #claimBy = :by, #claimAt = :at, #claimLease = :lease, #claimRenewals = :zero',
          ConditionExpression: `${pointer} AND ${held}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (err) {
      // Unreadable #control: decided below from the claim's own error, as before this re-read.
      const now = await this.readControlRecord().catch(() => undefined);
      // The SDK retried a claim whose first answer was lost: the claim is ours after all.
      if (now?.claim?.claimId === claim.claimId) return;
      if (!(err instanceof ConditionalCheckFailedException)) {
        throw new StoreUnavailableError(
          `claiming release ${claim.release} in table ${this.tableName} failed: ${causeText(err)}`,
          err,
        );
      }
      throw new ReleaseConflictError(claim.release, holderOf(now));
    }
  }

  /** Delete what crashed applies left above the live release: route items, and pending records above ours. */
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
            ConditionExpression: '#status = :pending',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':pending': { S: 'pending' } },
          }),
        )
        .catch((err: unknown) => {
          if (!(err instanceof ConditionalCheckFailedException)) throw err;
        });
    }
  }

  /** The pending audit record of our release; replaces a crashed apply's, never a committed one. */
  private async putPendingRecord(record: ReleaseItem): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: releaseToItem(record),
        ConditionExpression: 'attribute_not_exists(pk) OR #status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pending': { S: 'pending' } },
      }),
    );
  }

  /**
   * Extend our lease, conditionally on the claim in `#control` still being ours: this is also
   * the check before each write that we still own the release we are writing.
   */
  private async renew(claim: ClaimState): Promise<void> {
    const until = this.now() + this.leaseMs;
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: controlKey(),
          UpdateExpression: 'SET #claimLease = :until ADD #claimRenewals :one',
          ConditionExpression: '#claimId = :me',
          ExpressionAttributeNames: {
            '#claimLease': ClaimAttr.leaseUntil,
            '#claimRenewals': ClaimAttr.renewals,
            '#claimId': ClaimAttr.id,
          },
          ExpressionAttributeValues: {
            ':until': { N: String(until) },
            ':one': { N: '1' },
            ':me': { S: claim.claimId },
          },
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) {
        throw new StoreUnavailableError(
          `renewing the claim on release ${claim.release} failed: ${causeText(err)}`,
          err,
        );
      }
      // Only the holder's name for the message: without it the conflict is still reported.
      const now = await this.readControlRecord().catch(() => undefined);
      throw new ReleaseConflictError(claim.release, holderOf(now));
    }
  }

  /**
   * The one write that makes release N live: `#control.release = N` only if it still is N - 1
   * and the claim in `#control` is ours. When it fails in any way, `#control` is read again and
   * the release that is really live decides (see `settleCommit`).
   */
  private async commit(claim: ClaimState, live: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: controlKey(),
          UpdateExpression:
            'SET #release = :n, #committed = :me, #updatedAt = :at, #updatedBy = :by ' +
            'REMOVE #claimId, #claimRelease, #claimBy, #claimAt, #claimLease, #claimRenewals',
          // A table whose only write so far was `psarn flush` has #control without a release.
          ConditionExpression: `${
            live === 0 ? '(attribute_not_exists(#release) OR #release = :prev)' : '#release = :prev'
          } AND #claimId = :me`,
          ExpressionAttributeNames: {
            '#release': 'release',
            '#committed': ClaimAttr.committed,
            '#updatedAt': 'updatedAt',
            '#updatedBy': 'updatedBy',
            ...CLAIM_NAMES,
          },
          ExpressionAttributeValues: {
            ':n': { N: String(claim.release) },
            ':prev': { N: String(live) },
            ':me': { S: claim.claimId },
            ':at': { S: new Date(this.now()).toISOString() },
            ':by': { S: claim.by },
          },
        }),
      );
    } catch (err) {
      await this.settleCommit(claim, err);
    }
  }

  /**
   * After a commit that did not answer "done": read `#control` (a few times, the store may be
   * struggling) and act on what is live. Returns when our release is live (its answer was lost,
   * or the SDK's retry of an applied commit was refused). Throws otherwise: the cause when our
   * claim is still there (the caller abandons, fenced), ReleaseConflictError when another apply
   * owns the release, CommitUnknownError when `#control` cannot be read.
   */
  private async settleCommit(claim: ClaimState, err: unknown): Promise<void> {
    let now: ControlRecord | undefined;
    let readError: unknown;
    for (const pause of SETTLE_PAUSES_MS) {
      if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
      try {
        now = await this.readControlRecord();
        break;
      } catch (e) {
        readError = e;
      }
    }
    if (now === undefined) throw new CommitUnknownError(claim.release, this.tableName, readError ?? err);
    if (now.control.release === claim.release && now.committedClaim === claim.claimId) return;
    if (now.claim?.claimId === claim.claimId && now.control.release === claim.release - 1) {
      if (err instanceof PsarnError) throw err;
      throw new StoreUnavailableError(`committing release ${claim.release} failed: ${causeText(err)}`, err);
    }
    throw new ReleaseConflictError(claim.release, holderOf(now));
  }

  /**
   * Undo an apply that failed before its commit, while it still holds the claim. First the claim
   * is fenced (its id in `#control` replaced by one no commit carries, conditionally on ours),
   * so that no delayed commit of ours can land; then our route items go, then the claim. When
   * the claim is no longer ours, nothing is deleted; when that is because our commit did land
   * (a late request), returns 'committed' and the caller finishes the release. Best effort:
   * whatever stays is removed by the next apply.
   */
  private async abandon(claim: ClaimState, items: readonly Item[]): Promise<'abandoned' | 'committed'> {
    const fenced = `${claim.claimId}#abandoning`;
    try {
      try {
        await this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: controlKey(),
            UpdateExpression: 'SET #claimId = :fenced',
            ConditionExpression: '#claimId = :me',
            ExpressionAttributeNames: { '#claimId': ClaimAttr.id },
            ExpressionAttributeValues: { ':me': { S: claim.claimId }, ':fenced': { S: fenced } },
          }),
        );
      } catch (err) {
        // A retried fence whose first answer was lost has fenced all the same.
        const now = await this.readControlRecord();
        if (now.control.release === claim.release && now.committedClaim === claim.claimId) return 'committed';
        if (now.claim?.claimId !== fenced) throw err;
      }
      const deletes = items.map((item): WriteRequest => ({
        DeleteRequest: { Key: { pk: item['pk'] ?? { S: '' }, sk: item['sk'] ?? { S: '' } } },
      }));
      for (let i = 0; i < deletes.length; i += BATCH_SIZE)
        await this.batchWrite(deletes.slice(i, i + BATCH_SIZE));
      await this.client
        .send(
          new DeleteItemCommand({
            TableName: this.tableName,
            Key: releaseKey(claim.release),
            ConditionExpression: '#claimId = :me AND #status = :pending',
            ExpressionAttributeNames: { '#claimId': 'claimId', '#status': 'status' },
            ExpressionAttributeValues: { ':me': { S: claim.claimId }, ':pending': { S: 'pending' } },
          }),
        )
        // A pending record left behind is invisible (the pointer never reached it) and the next
        // apply cleans it up before it claims.
        .catch(() => undefined);
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: controlKey(),
          UpdateExpression: 'REMOVE #claimId, #claimRelease, #claimBy, #claimAt, #claimLease, #claimRenewals',
          ConditionExpression: '#claimId = :fenced',
          ExpressionAttributeNames: { ...CLAIM_NAMES },
          ExpressionAttributeValues: { ':fenced': { S: fenced } },
        }),
      );
    } catch {
      // The original error is what the user needs; the lapsed lease lets the next apply clean up.
    }
    return 'abandoned';
  }

  /**
   * Mark release N's record committed (rewriting it whole: a stale apply's pending record may
   * have replaced ours meanwhile). The pointer in `#control` is the truth, the status is audit
   * only, so a failure here is harmless: records at or below the live release count as
   * committed, and the next publish marks any it finds still pending.
   */
  private async markCommitted(record: ReleaseItem, snapshot: TableSnapshot, live: number): Promise<void> {
    await this.client
      .send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: releaseToItem({ ...record, status: 'committed' }),
        }),
      )
      // Audit only (see above): the pointer in #control is already live.
      .catch(() => undefined);
    const stale = snapshot.releases.filter((r) => r.release <= live && r.status === 'pending');
    for (const r of stale) {
      await this.client
        .send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: releaseKey(r.release),
            UpdateExpression: 'SET #status = :committed',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':committed': { S: 'committed' } },
          }),
        )
        // Audit only: the next publish marks any record it still finds pending.
        .catch(() => undefined);
    }
  }

  /** `#control` with its claim, strongly consistent. */
  private async readControlRecord(): Promise<ControlRecord> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: controlKey(), ConsistentRead: true }),
    );
    return controlRecordFromItem(out.Item);
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
    let control: ControlRecord | undefined;
    const releases: ReleaseItem[] = [];
    const routes: RouteItem[] = [];
    const snapshots: SnapshotChunkKey[] = [];
    let start: Item | undefined;
    do {
      const out = await this.client.send(
        new ScanCommand({ TableName: this.tableName, ConsistentRead: true, ExclusiveStartKey: start }),
      );
      for (const item of out.Items ?? []) {
        if (item['pk']?.S === TableKey.controlPk) control = controlRecordFromItem(item);
        const release = releaseFromItem(item);
        if (release !== undefined) releases.push(release);
        const route = routeFromItem(item);
        if (route !== undefined) routes.push(route);
        const chunk = snapshotChunkKeyOf(item);
        if (chunk !== undefined) snapshots.push(chunk);
      }
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    const record = control ?? controlRecordFromItem(undefined);
    return { control: record.control, claim: record.claim, releases, routes, snapshots };
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

function holder(claim: ClaimState): string {
  return `${claim.by} (claimed ${claim.at})`;
}

/** Who holds or took the release, as `#control` says (a committed release: who committed it). */
function holderOf(record: ControlRecord | undefined): string {
  if (record === undefined) return 'another apply';
  if (record.claim !== undefined) return holder(record.claim);
  return record.control.updatedBy === '' ? 'another apply' : record.control.updatedBy;
}
