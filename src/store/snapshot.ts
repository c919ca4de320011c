import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Route } from '../routes/model';
import type { Item } from './table-items';
import { parseSnapshotSortKey, snapshotSortKey, TableKey } from './table-layout';

/**
 * Bytes of compressed snapshot per chunk item. DynamoDB's item limit is 400 KB, names and the
 * other attributes included: 300,000 leaves room, and a 1 MB Query page still holds three chunks.
 */
export const SNAPSHOT_CHUNK_BYTES = 300_000;

/** Version of the blob's layout: a reader refuses (falls back on) any other. */
const FORMAT = 1;

/** What a reader got from the snapshot items of one release. */
export type SnapshotRead =
  | { readonly routes: ReadonlyMap<string, Route> }
  /** Not usable: missing, partial, of another write or release, corrupt. Why, for logs and tests. */
  | { readonly unusable: string };

/** Key and attributes of one chunk item. */
interface Chunk {
  readonly release: number;
  readonly chunk: number;
  readonly chunks: number;
  readonly digest: string;
  readonly data: Uint8Array;
}

/**
 * The items of release `release`'s snapshot: every live route (the release's whole route set) as
 * one gzipped JSON blob, cut into chunks of SNAPSHOT_CHUNK_BYTES. Each chunk names the release,
 * its number, how many there are and the SHA-256 of the whole blob, so a reader can tell a
 * complete snapshot from a partial, mixed or damaged one. Routes are sorted by psARN, so the same
 * route set always makes the same items: two applies that write one release's snapshot at once
 * write identical chunks, and cannot leave a mix of two.
 *
 * @example
 * const items = snapshotItems(12, liveRoutes); // [{ pk: '#snapshot', sk: 'r#0000000012#c0000', … }]
 */
export function snapshotItems(release: number, routes: Iterable<Route>): Item[] {
  const sorted = [...routes].sort((a, b) => (a.psarn < b.psarn ? -1 : a.psarn > b.psarn ? 1 : 0));
  const blob = gzipSync(JSON.stringify({ format: FORMAT, release, routes: sorted }));
  const digest = sha256(blob);
  const chunks = Math.max(1, Math.ceil(blob.length / SNAPSHOT_CHUNK_BYTES));
  return Array.from({ length: chunks }, (_, chunk) => ({
    pk: { S: TableKey.snapshotPk },
    sk: { S: snapshotSortKey(release, chunk) },
    release: { N: String(release) },
    chunk: { N: String(chunk) },
    chunks: { N: String(chunks) },
    digest: { S: digest },
    data: { B: blob.subarray(chunk * SNAPSHOT_CHUNK_BYTES, (chunk + 1) * SNAPSHOT_CHUNK_BYTES) },
  }));
}

/**
 * The route set in the snapshot items of `release`, or why they cannot be trusted. Only a
 * complete snapshot of exactly that release, from one write, whose bytes match its digest and
 * decode, answers: anything else is `unusable` and the caller reads routes one by one, so a
 * damaged or foreign snapshot can cost reads but never serve a wrong route.
 *
 * @example
 * const read = readSnapshotItems(out.Items ?? [], control.release);
 * if ('routes' in read) read.routes.get(psarn);
 */
export function readSnapshotItems(items: readonly Item[], release: number): SnapshotRead {
  if (items.length === 0) return { unusable: `no snapshot of release ${release}` };
  const chunks: Chunk[] = [];
  for (const item of items) {
    const chunk = chunkOf(item);
    if (chunk === undefined) return { unusable: 'a snapshot item is malformed' };
    if (chunk.release !== release)
      return { unusable: `a snapshot item is of release ${chunk.release}, not ${release}` };
    chunks.push(chunk);
  }
  chunks.sort((a, b) => a.chunk - b.chunk);
  const first = chunks[0] as Chunk;
  if (chunks.some((c) => c.chunks !== first.chunks || c.digest !== first.digest))
    return { unusable: `the snapshot of release ${release} mixes chunks of more than one write` };
  if (chunks.length !== first.chunks || chunks.some((c, i) => c.chunk !== i))
    return { unusable: `the snapshot of release ${release} has ${chunks.length} of ${first.chunks} chunks` };
  const blob = Buffer.concat(chunks.map((c) => c.data));
  if (sha256(blob) !== first.digest)
    return { unusable: `the snapshot of release ${release} does not match its digest` };
  let decoded: unknown;
  try {
    decoded = JSON.parse(gunzipSync(blob).toString('utf8'));
  } catch {
    // The digest matched, so the writer wrote this: still nothing to serve, the caller reads per route.
    return { unusable: `the snapshot of release ${release} does not decode` };
  }
  const body = decoded as { format?: unknown; release?: unknown; routes?: unknown };
  if (body.format !== FORMAT || body.release !== release || !Array.isArray(body.routes))
    return { unusable: `the snapshot of release ${release} is not of format ${FORMAT} for that release` };
  const routes = new Map<string, Route>();
  for (const route of body.routes as unknown[]) {
    if (!isRouteShaped(route))
      return { unusable: `the snapshot of release ${release} holds a malformed route` };
    routes.set(route.psarn, route);
  }
  return { routes };
}

/** What a release store keeps of a snapshot chunk it scanned: enough to judge and delete it. */
export interface SnapshotChunkKey {
  readonly release: number;
  readonly sk: string;
  readonly chunks: number;
  readonly digest: string;
}

/** A scanned item's snapshot key, or undefined when `item` is no snapshot chunk. */
export function snapshotChunkKeyOf(item: Item): SnapshotChunkKey | undefined {
  const chunk = chunkOf(item);
  const sk = item['sk']?.S;
  if (chunk === undefined || sk === undefined) return undefined;
  return { release: chunk.release, sk, chunks: chunk.chunks, digest: chunk.digest };
}

/** Whether `scanned` holds every chunk of one write of release `release`'s snapshot. */
export function hasCompleteSnapshot(scanned: readonly SnapshotChunkKey[], release: number): boolean {
  const mine = scanned.filter((c) => c.release === release);
  const first = mine[0];
  if (first === undefined) return false;
  const same = mine.filter((c) => c.digest === first.digest && c.chunks === first.chunks);
  return same.length === mine.length && new Set(same.map((c) => c.sk)).size === first.chunks;
}

function chunkOf(item: Item): Chunk | undefined {
  const key = parseSnapshotSortKey(item['sk']?.S ?? '');
  const num = (name: string): number => Number(item[name]?.N ?? Number.NaN);
  const release = num('release');
  const chunk = num('chunk');
  const chunks = num('chunks');
  const digest = item['digest']?.S;
  const data = item['data']?.B;
  if (item['pk']?.S !== TableKey.snapshotPk || key === undefined) return undefined;
  if (key.release !== release || key.chunk !== chunk || !Number.isInteger(chunks) || chunks < 1)
    return undefined;
  if (digest === undefined || data === undefined) return undefined;
  return { release, chunk, chunks, digest, data };
}

/** Enough of a Route for the cache to key and time it; the rest was validated when it was applied. */
function isRouteShaped(value: unknown): value is Route {
  const route = value as { psarn?: unknown; ttl?: unknown } | null;
  return (
    typeof route === 'object' &&
    route !== null &&
    typeof route.psarn === 'string' &&
    typeof route.ttl === 'number' &&
    route.ttl >= 0
  );
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
