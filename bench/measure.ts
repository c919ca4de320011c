/**
 * Side-by-side measurement: the two variants of a pair run in alternating rounds in the same
 * process, so a noisy machine slows both alike, and the result is their ratio, never a time
 * compared with a fixed threshold.
 */
export interface Variant {
  readonly name: string;
  /** Runs `ops` operations. */
  readonly run: (ops: number) => Promise<void> | void;
}

export interface PairResult {
  readonly pair: string;
  readonly a: { readonly name: string; readonly nsPerOp: number };
  readonly b: { readonly name: string; readonly nsPerOp: number };
  /** Median over rounds of (b time / a time): how many times slower b is than a. */
  readonly ratio: number;
  readonly rounds: number;
  readonly opsPerRound: number;
}

export async function comparePair(
  pair: string,
  a: Variant,
  b: Variant,
  options: { rounds?: number; ops: number; warmupOps?: number },
): Promise<PairResult> {
  const rounds = options.rounds ?? 7;
  await a.run(options.warmupOps ?? Math.ceil(options.ops / 10));
  await b.run(options.warmupOps ?? Math.ceil(options.ops / 10));
  const aTimes: number[] = [];
  const bTimes: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    // Alternate which runs first, so neither always inherits the other's garbage.
    const first = round % 2 === 0 ? a : b;
    const second = first === a ? b : a;
    const t1 = await time(first, options.ops);
    const t2 = await time(second, options.ops);
    const ta = first === a ? t1 : t2;
    const tb = first === a ? t2 : t1;
    aTimes.push(ta);
    bTimes.push(tb);
    ratios.push(tb / ta);
  }
  return {
    pair,
    a: { name: a.name, nsPerOp: median(aTimes) / options.ops },
    b: { name: b.name, nsPerOp: median(bTimes) / options.ops },
    ratio: median(ratios),
    rounds,
    opsPerRound: options.ops,
  };
}

async function time(variant: Variant, ops: number): Promise<number> {
  const start = process.hrtime.bigint();
  await variant.run(ops);
  return Number(process.hrtime.bigint() - start);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function formatNs(ns: number): string {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(0)} ns`;
}
