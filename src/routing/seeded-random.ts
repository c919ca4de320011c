import type { Random } from './plan';

/**
 * A small, fast, seedable `Random` (sfc32, seeded through splitmix32) for reproducible sampling:
 * `psarn resolve --seed`, property tests. The router itself uses `Math.random`; nothing here is
 * meant to be unpredictable.
 *
 * @example
 * const random = seededRandom(42);
 * random(); // the same sequence of numbers in [0, 1) on every run
 */
export function seededRandom(seed: number): Random {
  let s = seed >>> 0;
  const next32 = (): number => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
  let a = next32();
  let b = next32();
  let c = next32();
  let d = 1;
  const random = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // sfc32's first outputs still show the seed's structure; its authors discard a dozen.
  for (let i = 0; i < 12; i++) random();
  return random;
}
