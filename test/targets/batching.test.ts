import fc from 'fast-check';
import { chunkBatches } from '../../src/targets/batching';

describe('chunkBatches', () => {
  it('cuts 25 entries into 10, 10 and 5', () => {
    const batches = chunkBatches(
      Array.from({ length: 25 }, (_, i) => i),
      {
        maxEntries: 10,
        maxBytes: 1000,
        sizeOf: () => 1,
      },
    );
    expect(batches.map((b) => b.length)).toEqual([10, 10, 5]);
  });

  it('starts a new batch before the byte limit would be passed', () => {
    expect(chunkBatches([400, 400, 400, 100], { maxEntries: 10, maxBytes: 1000, sizeOf: (n) => n })).toEqual([
      [400, 400],
      [400, 100],
    ]);
  });

  it('keeps every item, in order, within both limits (an oversize item alone)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 600 }),
        (sizes, maxEntries, maxBytes) => {
          const batches = chunkBatches(sizes, { maxEntries, maxBytes, sizeOf: (n) => n });
          expect(batches.flat()).toEqual(sizes);
          for (const batch of batches) {
            expect(batch.length).toBeGreaterThan(0);
            expect(batch.length).toBeLessThanOrEqual(maxEntries);
            const total = batch.reduce((a, b) => a + b, 0);
            if (batch.length > 1) expect(total).toBeLessThanOrEqual(maxBytes);
          }
        },
      ),
    );
  });
});
