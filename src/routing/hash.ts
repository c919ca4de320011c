/**
 * Fast non-cryptographic hashing for sticky routing. Keys are producer data, not secrets, and a
 * hash runs per event, so speed matters and collision resistance against an attacker does not:
 * the worst a crafted key can do is pick its own target, which any producer can do anyway.
 *
 * A key is hashed once per event into two 32-bit lanes (64 bits); each target's ARN is hashed once
 * per route the same way. `rendezvousUnit` then mixes the two and yields a uniform number in
 * (0, 1) per (key, target) pair, which weighted rendezvous hashing turns into a score.
 */

// Bound once at module scope: the hot loops then never look up a global. That costs nothing in
// Lambda and keeps them fast where globals are slow to reach (Jest runs modules in a vm context,
// where every `Math.x` goes through an interceptor and hashing was ~30x slower).
const imul = Math.imul;

/**
 * Hash `text` into two 32-bit lanes written to `out[0]` and `out[1]`. The lanes use different
 * multipliers and are cross-mixed at the end (the cyrb53 construction, kept at 64 bits), so they
 * are not two views of one 32-bit value. Writing into `out` keeps the hot path allocation-free.
 *
 * @example
 * const lanes = new Uint32Array(2);
 * hashString64('user-42', lanes); // lanes[0], lanes[1] now hold the hash
 */
export function hashString64(text: string, out: Uint32Array): void {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = imul(h1 ^ c, 0x9e3779b1);
    h2 = imul(h2 ^ c, 0x5f356495);
  }
  h1 = imul(h1 ^ (h1 >>> 16), 0x85ebca6b);
  h1 ^= imul(h2 ^ (h2 >>> 13), 0xc2b2ae35);
  h2 = imul(h2 ^ (h2 >>> 16), 0x85ebca6b);
  h2 ^= imul(h1 ^ (h1 >>> 13), 0xc2b2ae35);
  out[0] = fmix32(h1 ^ text.length);
  out[1] = fmix32(h2);
}

/** MurmurHash3's 32-bit finaliser: every input bit flips each output bit with probability ~1/2. */
export function fmix32(input: number): number {
  let h = input;
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const TWO_POW_21 = 2 ** 21;
const TWO_POW_53 = 2 ** 53;

/**
 * A uniform number in the open interval (0, 1) for one (key, target) pair, from their 64-bit
 * hashes. Three Feistel-style rounds of `fmix32` make the 64-bit mix a bijection with full
 * avalanche, so a key's numbers for different targets behave as independent draws. Never 0 or 1:
 * the caller takes `Math.log` of it.
 *
 * @example
 * rendezvousUnit(key[0], key[1], target[0], target[1]); // e.g. 0.7134…
 */
export function rendezvousUnit(k0: number, k1: number, t0: number, t1: number): number {
  let a = (k0 ^ t0) | 0;
  let b = (k1 ^ t1) | 0;
  a = fmix32(a ^ imul(b, 0x9e3779b1));
  b = fmix32(b ^ imul(a, 0x85ebca6b));
  a = fmix32(a ^ imul(b, 0xc2b2ae35));
  // 32 + 21 = 53 bits: all a double holds. The +0.5 keeps the result off both ends.
  return (a * TWO_POW_21 + (b >>> 11) + 0.5) / TWO_POW_53;
}
