import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Route } from '../routes/model';
import type { ControlState } from './route-store';
import { isRoutePk, parseReleaseSortKey, releaseSortKey, TableKey } from './table-layout';

/** A DynamoDB item as the low-level client returns it. */
export type Item = Record<string, AttributeValue>;

/** A route item: the route as of `release`, or a tombstone (`route` undefined) when removed. */
export interface RouteItem {
  readonly psarn: string;
  readonly release: number;
  readonly route: Route | undefined;
}

/** A `#release` record: a claim while pending, the audit record once committed. */
export interface ReleaseItem {
  readonly release: number;
  readonly status: 'pending' | 'committed';
  readonly by: string;
  readonly at: string;
  readonly summary: string;
  readonly changed: readonly string[];
  readonly from?: number;
  /** Random id of the apply that wrote the record (the id of its claim in `#control`). */
  readonly claimId: string;
  /** Epoch ms the writer's lease ran to when it wrote the record (audit only: the claim is in `#control`). */
  readonly leaseUntil: number;
}

/**
 * The claim on the next release, held in `#control` itself so that the commit (one conditional
 * UpdateItem of `#control`) can be fenced on it: only the apply whose `claimId` is in `#control`
 * when the commit arrives can move the release pointer.
 */
export interface ClaimState {
  /** The release the claim is on (the live release + 1 when it was taken). */
  readonly release: number;
  readonly claimId: string;
  readonly by: string;
  readonly at: string;
  /** Epoch ms, by the holder's clock, until which the holder promised to renew. */
  readonly leaseUntil: number;
  /** How often the holder renewed: a takeover requires the count it saw, so a live holder keeps its claim. */
  readonly renewals: number;
}

/** `#control` as the release store reads it: the pointer, the claim in progress, who committed last. */
export interface ControlRecord {
  readonly control: ControlState;
  readonly claim: ClaimState | undefined;
  /** The claim id of the apply that committed the live release (how it recognises its own commit). */
  readonly committedClaim: string | undefined;
}

/** Attribute names of the claim in `#control`. */
export const ClaimAttr = {
  id: 'claimId',
  release: 'claimRelease',
  by: 'claimBy',
  at: 'claimAt',
  leaseUntil: 'claimLeaseUntil',
  renewals: 'claimRenewals',
  committed: 'committedClaim',
} as const;

export const EMPTY_CONTROL: ControlState = { release: 0, epoch: 0, updatedAt: '', updatedBy: '' };

const s = (v: string): AttributeValue => ({ S: v });
const n = (v: number): AttributeValue => ({ N: String(v) });
const str = (item: Item, key: string): string | undefined => item[key]?.S;
const num = (item: Item, key: string): number | undefined => {
  const raw = item[key]?.N;
  return raw === undefined ? undefined : Number(raw);
};

export function controlKey(): Item {
  return { pk: s(TableKey.controlPk), sk: s(TableKey.controlSk) };
}

export function releaseKey(release: number): Item {
  return { pk: s(TableKey.releasePk), sk: s(releaseSortKey(release)) };
}

export function routeKey(psarn: string, release: number): Item {
  return { pk: s(psarn), sk: s(releaseSortKey(release)) };
}

/** `#control`, with a missing item or attribute read as 0 (a new table has release 0, epoch 0). */
export function controlFromItem(item: Item | undefined): ControlState {
  if (item === undefined) return EMPTY_CONTROL;
  return {
    release: num(item, 'release') ?? 0,
    epoch: num(item, 'epoch') ?? 0,
    updatedAt: str(item, 'updatedAt') ?? '',
    updatedBy: str(item, 'updatedBy') ?? '',
  };
}

/** `#control` with its claim attributes (see ClaimState); a missing item is a new table. */
export function controlRecordFromItem(item: Item | undefined): ControlRecord {
  const control = controlFromItem(item);
  const claimId = item === undefined ? undefined : str(item, ClaimAttr.id);
  const committedClaim = item === undefined ? undefined : str(item, ClaimAttr.committed);
  const claim =
    item === undefined || claimId === undefined
      ? undefined
      : {
          release: num(item, ClaimAttr.release) ?? 0,
          claimId,
          by: str(item, ClaimAttr.by) ?? 'unknown',
          at: str(item, ClaimAttr.at) ?? '',
          leaseUntil: num(item, ClaimAttr.leaseUntil) ?? 0,
          renewals: num(item, ClaimAttr.renewals) ?? 0,
        };
  return { control, claim, committedClaim };
}

/**
 * The route is stored as a JSON string in `route` (not a DynamoDB map): it round-trips exactly,
 * stays one attribute to read, and optional fields need no marshalling rules. A tombstone has
 * `tombstone: true` and no `route`.
 */
export function routeToItem(psarn: string, release: number, route: Route | undefined): Item {
  const item: Item = { ...routeKey(psarn, release), release: n(release) };
  if (route === undefined) item['tombstone'] = { BOOL: true };
  else item['route'] = s(JSON.stringify(route));
  return item;
}

/** A route item, or undefined when `item` is not one (control, release records). */
export function routeFromItem(item: Item): RouteItem | undefined {
  const pk = str(item, 'pk');
  const sk = str(item, 'sk');
  if (pk === undefined || sk === undefined || !isRoutePk(pk)) return undefined;
  const release = parseReleaseSortKey(sk);
  if (release === undefined) return undefined;
  const json = str(item, 'route');
  return { psarn: pk, release, route: json === undefined ? undefined : (JSON.parse(json) as Route) };
}

export function releaseToItem(record: ReleaseItem): Item {
  const item: Item = {
    ...releaseKey(record.release),
    release: n(record.release),
    status: s(record.status),
    by: s(record.by),
    at: s(record.at),
    summary: s(record.summary),
    changed: { L: record.changed.map(s) },
    claimId: s(record.claimId),
    leaseUntil: n(record.leaseUntil),
  };
  if (record.from !== undefined) item['from'] = n(record.from);
  return item;
}

export function releaseFromItem(item: Item): ReleaseItem | undefined {
  if (str(item, 'pk') !== TableKey.releasePk) return undefined;
  const release = parseReleaseSortKey(str(item, 'sk') ?? '');
  if (release === undefined) return undefined;
  const from = num(item, 'from');
  return {
    release,
    status: str(item, 'status') === 'committed' ? 'committed' : 'pending',
    by: str(item, 'by') ?? 'unknown',
    at: str(item, 'at') ?? '',
    summary: str(item, 'summary') ?? '',
    changed: (item['changed']?.L ?? []).flatMap((v) => (v.S === undefined ? [] : [v.S])),
    claimId: str(item, 'claimId') ?? '',
    leaseUntil: num(item, 'leaseUntil') ?? 0,
    ...(from === undefined ? {} : { from }),
  };
}

/**
 * The route set of `release`: per psARN, the newest item at or below it, tombstones dropped.
 * This is what a router sees through `getRoute` for every psARN at once.
 *
 * @example
 * routeSetAt(items, 3).get(psarn) // the route as of release 3
 */
export function routeSetAt(items: readonly RouteItem[], release: number): Map<string, Route> {
  const newest = new Map<string, RouteItem>();
  for (const item of items) {
    if (item.release > release) continue;
    const seen = newest.get(item.psarn);
    if (seen === undefined || item.release > seen.release) newest.set(item.psarn, item);
  }
  const out = new Map<string, Route>();
  for (const [psarn, item] of [...newest].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (item.route !== undefined) out.set(psarn, item.route);
  }
  return out;
}
