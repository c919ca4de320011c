/**
 * The candidate a mistyped key most probably meant, or undefined when none is close enough.
 * Distance is optimal string alignment (Levenshtein plus adjacent swaps), because the typical
 * typo (`weigth`) is a swap, and is measured case-insensitively (`detailtype`).
 *
 * @example
 * didYouMean('weigth', ['arn', 'weight']) // 'weight'
 * didYouMean('colour', ['arn', 'weight']) // undefined
 */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  // Short keys get less slack, or `arn` would be "meant" by any three-letter word.
  const limit = input.length <= 3 ? 1 : input.length <= 5 ? 2 : 3;
  let best: { key: string; distance: number } | undefined;
  for (const key of candidates) {
    const distance = editDistance(input.toLowerCase(), key.toLowerCase());
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { key, distance };
  }
  return best?.key;
}

/** Optimal string alignment distance between two strings. */
export function editDistance(a: string, b: string): number {
  // rows[i][j] = distance between the first i chars of a and the first j chars of b.
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, at(i - 2, j - 2) + 1);
      }
      row[j] = distance;
    }
  }
  return at(a.length, b.length);
}
