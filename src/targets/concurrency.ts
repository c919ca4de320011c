/**
 * `Promise.all(items.map(fn))` with at most `limit` calls in flight, results in input order. Lambda
 * has no batch invoke, so a burst of events for one function would otherwise open one connection each.
 *
 * @example
 * await mapWithLimit([1, 2, 3], 2, async (n) => n * 2) // [2, 4, 6]
 */
export async function mapWithLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
