import fc from 'fast-check';
import { seededRandom } from '../../src/routing/seeded-random';

describe('seededRandom', () => {
  it('replays the same sequence for the same seed, and another for another seed', () => {
    const take = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 8 }, () => random());
    };
    expect(take(7)).toEqual(take(7));
    expect(take(7)).not.toEqual(take(8));
  });

  it('stays in [0, 1) and fills it evenly', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const random = seededRandom(seed);
        const buckets = new Array<number>(10).fill(0);
        const n = 10_000;
        let outside = 0;
        for (let i = 0; i < n; i++) {
          const x = random();
          if (x < 0 || x >= 1) outside++;
          else buckets[Math.floor(x * 10)]! += 1;
        }
        expect(outside).toBe(0);
        // Each decile holds 10% ± 5 standard deviations.
        for (const count of buckets) expect(Math.abs(count / n - 0.1)).toBeLessThan(0.015);
      }),
      { numRuns: 20 },
    );
  });
});
