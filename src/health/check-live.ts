import type { Route } from '../routes/model';
import type { AwsClients } from '../targets/clients';
import type { HealthStore } from './health-store';
import type { TargetCheckResult } from './health-state';
import { probeTarget, type ProbeResult } from './probe';

/** Probes at once at most: a release with hundreds of targets must not flood the control planes. */
const PROBE_CONCURRENCY = 8;

/**
 * The real targets a release sends to: split and fanout, also those of its `callers:` overrides
 * (a mark on a target only an override uses must be re-checked too, or it would never clear);
 * aliases are routes, not targets.
 */
export function targetsOf(routes: readonly Route[]): string[] {
  const arns = new Set<string>();
  const add = (targets: readonly { arn: string; kind: string }[] | undefined): void => {
    for (const t of targets ?? []) if (t.kind !== 'psarn') arns.add(t.arn);
  };
  for (const route of routes) {
    add(route.targets);
    add(route.fanout);
    for (const override of route.callers ?? []) {
      add(override.targets);
      add(override.fanout);
    }
  }
  return [...arns].sort();
}

/**
 * Probes every target of `routes` (see probe.ts), a few at a time; results in ARN order.
 *
 * @example
 * const results = await checkRoutes(routes, regionalClients());
 */
export async function checkRoutes(
  routes: readonly Route[],
  clientsFor: (region: string) => AwsClients,
  now: () => Date = () => new Date(),
): Promise<ProbeResult[]> {
  const arns = targetsOf(routes);
  const results = new Array<ProbeResult>(arns.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < arns.length) {
      const i = next++;
      results[i] = await probeTarget(arns[i] as string, clientsFor, now);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PROBE_CONCURRENCY, arns.length) }, worker));
  return results;
}

/**
 * Records what a check found in the `#health` item's `checks`; `unknown` findings are not
 * written (a probe that could not ask says nothing, and must not take a target out). Returns the
 * health version after the write, and how many entries were written.
 */
export async function writeChecks(
  store: HealthStore,
  results: readonly ProbeResult[],
): Promise<{ version: number; written: number }> {
  const known = results.filter((r): r is TargetCheckResult => r.status !== 'unknown');
  if (known.length === 0) return { version: (await store.read({ consistent: true })).version, written: 0 };
  return { version: await store.write('checks', known), written: known.length };
}
