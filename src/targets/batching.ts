/**
 * Split items into request-sized batches: at most `maxEntries` per batch and at most `maxBytes`
 * summed over a batch, keeping input order. An item larger than `maxBytes` on its own gets a batch
 * of its own (the caller refuses it before that; this only guarantees progress).
 *
 * @example
 * chunkBatches([3, 3, 3], { maxEntries: 10, maxBytes: 6, sizeOf: (n) => n }) // [[3, 3], [3]]
 */
export function chunkBatches<T>(
  items: readonly T[],
  limits: { readonly maxEntries: number; readonly maxBytes: number; readonly sizeOf: (item: T) => number },
): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = limits.sizeOf(item);
    if (current.length > 0 && (current.length >= limits.maxEntries || bytes + size > limits.maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
