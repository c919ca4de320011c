/**
 * Per-operation timings of several variants taken in turn, one operation of each before the next
 * of any (the order rotating), so load from the other processes on the machine falls on all of
 * them alike. Figures are percentiles of each variant's samples; a goal compares variants by the
 * ratio of their medians, never a time with a fixed bound.
 */
export interface SampledVariant {
  readonly name: string;
  /** One operation. */
  readonly op: (i: number) => Promise<unknown> | unknown;
}

export async function interleavedSamples(
  variants: readonly SampledVariant[],
  options: { readonly samples: number; readonly warmup?: number },
): Promise<Map<string, number[]>> {
  const warmup = options.warmup ?? Math.min(50, Math.ceil(options.samples / 10));
  for (let i = 0; i < warmup; i++) for (const v of variants) await v.op(i);
  const times = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  for (let i = 0; i < options.samples; i++) {
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(i + k) % variants.length] as SampledVariant;
      const start = process.hrtime.bigint();
      await v.op(warmup + i);
      (times.get(v.name) as number[]).push(Number(process.hrtime.bigint() - start));
    }
  }
  return times;
}

/** The p-th percentile (0–100) of `values`, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** `run` repeated `times` (issue 11: 3 repeats), each figure the median of the repeats. */
export async function repeated<T extends Record<string, number>>(
  times: number,
  run: (repeat: number) => Promise<T>,
): Promise<{ median: T; repeats: T[] }> {
  const repeats: T[] = [];
  for (let r = 0; r < times; r++) repeats.push(await run(r));
  const first = repeats[0] as T;
  const out: Record<string, number> = {};
  for (const key of Object.keys(first)) out[key] = median(repeats.map((x) => x[key] as number));
  return { median: out as T, repeats };
}
