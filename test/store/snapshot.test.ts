import { randomBytes } from 'node:crypto';
import {
  hasCompleteSnapshot,
  readSnapshotItems,
  SNAPSHOT_CHUNK_BYTES,
  snapshotChunkKeyOf,
  snapshotItems,
  type SnapshotRead,
} from '../../src/store/snapshot';
import type { Item } from '../../src/store/table-items';
import { lambdaArn, route, split } from '../support/routes';

const routes = Array.from({ length: 50 }, (_, i) =>
  route(`/event/e${i}`, { ttl: 30 + i, targets: [split(lambdaArn(`fn${i}`), 1)] }),
);
/** Routes whose random descriptions do not compress: their snapshot needs more than one chunk. */
const bulky = Array.from({ length: 40 }, (_, i) =>
  route(`/event/big${i}`, { description: randomBytes(12_000).toString('hex') }),
);

const unusable = (read: SnapshotRead): string => ('unusable' in read ? read.unusable : 'usable');

describe('release snapshot items', () => {
  it('round-trips every route of the release, keyed by psARN', () => {
    const read = readSnapshotItems(snapshotItems(7, routes), 7);
    expect('routes' in read && read.routes).toEqual(new Map(routes.map((r) => [r.psarn, r])));
    expect('routes' in read && read.routes.get(routes[3]?.psarn ?? '')).toEqual(routes[3]);
  });

  it('cuts a large route set into chunks that each stay under the item limit, and reads them back in any order', () => {
    const items = snapshotItems(3, bulky);
    expect(items.length).toBeGreaterThan(1);
    for (const item of items) expect(item['data']?.B?.length).toBeLessThanOrEqual(SNAPSHOT_CHUNK_BYTES);
    const read = readSnapshotItems([...items].reverse(), 3);
    expect('routes' in read && read.routes.size).toBe(bulky.length);
  });

  it('writes the same items for the same route set in any order, so concurrent writers cannot mix', () => {
    expect(snapshotItems(4, [...routes].reverse())).toEqual(snapshotItems(4, routes));
  });

  it('is of its release only: asked for another release, the same items are refused', () => {
    expect(unusable(readSnapshotItems(snapshotItems(4, routes), 5))).toBe(
      'a snapshot item is of release 4, not 5',
    );
  });

  it('refuses a snapshot that is missing, partial, mixed or damaged instead of serving part of it', () => {
    const items = snapshotItems(3, bulky);
    expect(unusable(readSnapshotItems([], 3))).toBe('no snapshot of release 3');
    expect(unusable(readSnapshotItems(items.slice(1), 3))).toMatch(/has \d+ of \d+ chunks/);
    const other = snapshotItems(3, bulky.slice(1));
    expect(unusable(readSnapshotItems([items[0] as Item, ...other.slice(1)], 3))).toMatch(/mixes chunks/);
    const flipped = Buffer.from(items[0]?.['data']?.B ?? []);
    flipped[10] = (flipped[10] ?? 0) ^ 0xff;
    expect(
      unusable(readSnapshotItems([{ ...items[0], data: { B: flipped } }, ...items.slice(1)], 3)),
    ).toMatch(/does not match its digest/);
    expect(unusable(readSnapshotItems([{ ...items[0], digest: undefined } as unknown as Item], 3))).toBe(
      'a snapshot item is malformed',
    );
  });

  it('refuses an item whose key and attributes disagree about its release (a copied item)', () => {
    const [item] = snapshotItems(2, routes);
    const moved = { ...item, sk: { S: 'r#0000000003#c0000' } } as Item;
    expect(unusable(readSnapshotItems([moved], 3))).toBe('a snapshot item is malformed');
  });

  it('tells a complete scanned snapshot from a partial one', () => {
    const keys = snapshotItems(3, bulky).map((i) => snapshotChunkKeyOf(i));
    const scanned = keys.filter((k) => k !== undefined);
    expect(hasCompleteSnapshot(scanned, 3)).toBe(true);
    expect(hasCompleteSnapshot(scanned.slice(1), 3)).toBe(false);
    expect(hasCompleteSnapshot(scanned, 4)).toBe(false);
    expect(snapshotChunkKeyOf({ pk: { S: '#control' }, sk: { S: '#control' } })).toBeUndefined();
  });
});
