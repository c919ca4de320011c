/**
 * Keys of the route table (DESIGN.md "Route table"). One table per stage, key `pk` (S) + `sk` (S):
 *
 * | pk          | sk              | what                                                   |
 * |-------------|-----------------|--------------------------------------------------------|
 * | `#control`  | `#control`      | the live release pointer, the claim on the next release (`claimId`…) and the flush epoch |
 * | `#release`  | `r#<N, 10 dig>` | claim and audit record of release N                    |
 * | `<psARN>`   | `r#<N, 10 dig>` | the route as of release N (or a tombstone), written only when N changed it |
 * | `#deploy`   | `#deploy`       | the target ARNs the deployed router's IAM role may reach (deploy plugin) |
 * | `#stage`    | `#stage`        | the stage the table belongs to (written when it is created or first used) |
 * | `#ledger#<psARN>#<event id>` | `#ledger` | the retry ledger: copies a failed invocation secured (TTL `expiresAt`) |
 * | `#registration` | `<service>/<stage>` | what a consumer service registered itself (src/registration/), merged into every release |
 * | `#snapshot` | `r#<N>#c<chunk, 4 dig>` | release N's whole route set, gzipped JSON split in chunks under the item limit (snapshot.ts) |
 * | `#health`   | `#health`       | target health: a version and per-target checks, heartbeats and circuit trips (src/health/) |
 * | `#rollout`  | `<psARN>`       | the psARN's progressive rollout (src/rollouts/rollout-store.ts): JSON `state`, `status`, `rev` (every write conditional on it) |
 * | `#counters#<target ARN>` | `<minute start, 10-digit epoch s>` | every router's outcome counts for one target in one minute: `delivered`, `failed`, `failed_<reason>` (ADD), TTL `expiresAt` |
 *
 * Release numbers are zero-padded to 10 digits so that the string order of sort keys is their
 * numeric order: `sk <= r#0000000012` then finds the newest item at or below release 12.
 *
 * @example
 * releaseSortKey(12) // 'r#0000000012'
 */
export const TableKey = {
  controlPk: '#control',
  controlSk: '#control',
  releasePk: '#release',
  /** The deploy record (src/deploy/deploy-record.ts): what the router role may reach. */
  deployPk: '#deploy',
  deploySk: '#deploy',
  /** The stage the table belongs to (src/cli/stages.ts): commands of another stage refuse it. */
  stagePk: '#stage',
  stageSk: '#stage',
  /** Self-registrations, one item per `<service>/<stage>` (src/registration/registration-store.ts). */
  registrationPk: '#registration',
  /** Release snapshots (src/store/snapshot.ts): a cold router reads the live one in one Query. */
  snapshotPk: '#snapshot',
  /** Target health (src/health/health-store.ts): not a release, so it never grows `history`. */
  healthPk: '#health',
  healthSk: '#health',
} as const;

/** Sort key of every retry-ledger item. */
export const LEDGER_SK = '#ledger';

/** Partition key of the retry-ledger item of one event, by its ledger key (see `ledgerKeyOf`). */
export function ledgerKey(key: string): string {
  return `#ledger#${key}`;
}

/** Partition key of the rollout items: one item per psARN, sort key = the psARN. */
export const ROLLOUT_PK = '#rollout';

/** Partition key of one target's outcome counters (src/rollouts/counter-store.ts). */
export function countersKey(targetArn: string): string {
  return `#counters#${targetArn}`;
}

/** Width of the zero-padded release number in sort keys: room for ten billion releases. */
export const RELEASE_DIGITS = 10;
const MAX_RELEASE = 10 ** RELEASE_DIGITS - 1;

/** Sort key of release `n`, e.g. `r#0000000012`. */
export function releaseSortKey(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_RELEASE) {
    throw new RangeError(`release number ${n} is not an integer in 0..${MAX_RELEASE}`);
  }
  return `r#${String(n).padStart(RELEASE_DIGITS, '0')}`;
}

/** Release number of a sort key written by `releaseSortKey`, or undefined for any other key. */
export function parseReleaseSortKey(sk: string): number | undefined {
  const match = /^r#(\d+)$/.exec(sk);
  return match === null ? undefined : Number(match[1]);
}

/** Whether a partition key holds route items (every other pk starts with `#`). */
export function isRoutePk(pk: string): boolean {
  return !pk.startsWith('#');
}

/** Width of a snapshot chunk's number in its sort key: room for 10,000 chunks (about 3 GB). */
const CHUNK_DIGITS = 4;

/**
 * Sort-key prefix of every chunk of release `n`'s snapshot (`r#0000000012#`): one Query with
 * `begins_with` reads them all, and no chunk of another release.
 */
export function snapshotSortKeyPrefix(n: number): string {
  return `${releaseSortKey(n)}#`;
}

/** Sort key of chunk `chunk` of release `n`'s snapshot, e.g. `r#0000000012#c0000`. */
export function snapshotSortKey(n: number, chunk: number): string {
  return `${snapshotSortKeyPrefix(n)}c${String(chunk).padStart(CHUNK_DIGITS, '0')}`;
}

/** Release and chunk of a snapshot sort key, or undefined for any other key. */
export function parseSnapshotSortKey(sk: string): { release: number; chunk: number } | undefined {
  const match = /^r#(\d+)#c(\d+)$/.exec(sk);
  return match === null ? undefined : { release: Number(match[1]), chunk: Number(match[2]) };
}
