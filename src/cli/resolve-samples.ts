import type { Route } from '../routes/model';
import { withEventPath } from '../routing/event-path';
import type { DeliveryRole, Random, RoutedEvent } from '../routing/plan';
import { planDelivery } from '../routing/planner';

/** One final target of sampled events: where events really end up, aliases followed. */
export interface FollowedSample {
  readonly arn: string;
  readonly role: DeliveryRole;
  /** The psARNs on the way from the sampled route to the route that names this target. */
  readonly via: readonly string[];
  /** The target's weight in the route that names it (0 for a park queue or a fanout target). */
  readonly weight: number;
  /** The share of events the routes promise it (weights multiplied along the alias chain). */
  readonly expected: number;
  readonly count: number;
  readonly share: number;
}

/** How the sampled events were keyed: what the split of a sticky route depends on. */
export type SampleKeys =
  | { readonly kind: 'none' }
  | { readonly kind: 'fixed'; readonly key: string; readonly paths: readonly string[] }
  | { readonly kind: 'sampled'; readonly paths: readonly string[] };

/**
 * Plan `samples` events with the router's own planner, aliases followed, and count where each
 * copy went: the split (or park) targets of the routes events end up in, and their fanout. A
 * sticky route is sampled with one key per event (`sampled`), or all with `--key` (`fixed`).
 *
 * @example
 * sampleFollowingAliases(alias, lookup, { kind: 'none' }, Math.random, 10_000)
 * // [{ arn: '…:signupV1', role: 'split', via: ['…:/event/userSignedUp', '…:/event/newUser'], share: 0.9, … }, …]
 */
export function sampleFollowingAliases(
  route: Route,
  lookup: (psarn: string) => Route | undefined,
  keys: SampleKeys,
  random: Random,
  samples: number,
): FollowedSample[] {
  const expected = expectedShares(route, lookup, 0);
  const counts = new Map<
    string,
    { arn: string; role: DeliveryRole; via: readonly string[]; count: number }
  >();
  const base: RoutedEvent = {
    psarn: route.psarn,
    payload: {},
    headers: {},
    traceId: 'psarn-resolve',
    eventId: 'psarn-resolve',
  };
  const keyed = (key: string, paths: readonly string[]): RoutedEvent =>
    paths.reduce((event, path) => withEventPath(event, path, key), base);
  const fixed = keys.kind === 'fixed' ? keyed(keys.key, keys.paths) : base;
  for (let i = 0; i < samples; i++) {
    const event = keys.kind === 'sampled' ? keyed(`sample-${i}`, keys.paths) : fixed;
    for (const d of planDelivery(route, event, random, lookup).deliveries) {
      const id = `${d.role}\t${d.target.arn}\t${d.route.psarn}`;
      const seen = counts.get(id);
      if (seen === undefined) counts.set(id, { arn: d.target.arn, role: d.role, via: d.via, count: 1 });
      else seen.count++;
    }
  }
  const rows = new Map<string, FollowedSample>();
  for (const e of expected) {
    rows.set(`${e.role}\t${e.arn}\t${e.owner}`, { ...e, count: 0, share: 0 });
  }
  for (const [id, c] of counts) {
    const row = rows.get(id);
    const share = samples === 0 ? 0 : c.count / samples;
    rows.set(id, {
      ...(row ?? { arn: c.arn, role: c.role, weight: 0, expected: 0 }),
      via: c.via,
      count: c.count,
      share,
    });
  }
  return [...rows.values()];
}

interface Expected {
  readonly arn: string;
  readonly role: DeliveryRole;
  readonly owner: string;
  readonly via: readonly string[];
  readonly weight: number;
  readonly expected: number;
}

/** What the weights promise, multiplied along alias chains (validated routes have no cycles). */
function expectedShares(
  route: Route,
  lookup: (psarn: string) => Route | undefined,
  depth: number,
  via: readonly string[] = [route.psarn],
  scale = 1,
): Expected[] {
  if (depth > 16) return [];
  if (route.park?.enabled === true) {
    return [{ arn: route.park.queue, role: 'park', owner: route.psarn, via, weight: 0, expected: scale }];
  }
  const out: Expected[] = [];
  const total = route.targets.reduce((sum, t) => sum + t.weight, 0);
  const follow = (arn: string, share: number): void => {
    const next = lookup(arn);
    if (next !== undefined) out.push(...expectedShares(next, lookup, depth + 1, [...via, arn], share));
  };
  for (const t of route.targets) {
    const share = total === 0 ? 0 : (scale * t.weight) / total;
    if (t.kind === 'psarn') follow(t.arn, share);
    else out.push({ arn: t.arn, role: 'split', owner: route.psarn, via, weight: t.weight, expected: share });
  }
  for (const f of route.fanout) {
    if (f.kind === 'psarn') follow(f.arn, scale);
    else out.push({ arn: f.arn, role: 'fanout', owner: route.psarn, via, weight: 0, expected: scale });
  }
  return out;
}

/** `/event/x` when a psARN shares region and account with `root`, else the full psARN. */
function shortPsarn(psarn: string, root: string): string {
  const prefix = (arn: string): string => arn.slice(0, arn.indexOf(':/') + 1);
  return prefix(psarn) === prefix(root) ? psarn.slice(prefix(psarn).length) : psarn;
}

/** The mode line of a sampled run. */
export function sampleMode(keys: SampleKeys): string {
  if (keys.kind === 'fixed')
    return `sticky: ${keys.paths.join(', ')} = ${JSON.stringify(keys.key)}, every sample`;
  if (keys.kind === 'sampled') return `sticky by ${keys.paths.join(', ')}: one sampled key per event`;
  return 'random by weight';
}

/**
 * The followed samples as a table of split (and park) targets, then the fanout with its share.
 *
 * @example
 * formatFollowedSamples(alias, 10000, rows, { kind: 'none' })
 * // psARN    arn:aws:psarns:…:/event/userSignedUp
 * // samples  10000 (random by weight), aliases followed
 * //
 * // TARGET                 VIA                                   WEIGHT  EXPECTED  OBSERVED  COUNT
 * // arn:…:signupV1  /event/userSignedUp > /event/newUser      90    90.00%    89.87%   8987
 */
export function formatFollowedSamples(
  route: Route,
  samples: number,
  rows: readonly FollowedSample[],
  keys: SampleKeys,
): string {
  const percent = (x: number): string => `${(x * 100).toFixed(2)}%`;
  const viaText = (via: readonly string[]): string =>
    via.length <= 1 ? '-' : via.map((p) => shortPsarn(p, route.psarn)).join(' > ');
  const lines = [
    `psARN    ${route.psarn}`,
    `samples  ${samples} (${sampleMode(keys)}), aliases followed`,
    '',
  ];
  const split = rows.filter((r) => r.role !== 'fanout');
  const fanout = rows.filter((r) => r.role === 'fanout');
  if (split.length === 0) {
    lines.push('no split targets (fanout only)');
  } else {
    const table = [
      ['TARGET', 'VIA', 'WEIGHT', 'EXPECTED', 'OBSERVED', 'COUNT'],
      ...split.map((r) => [
        r.role === 'park' ? `${r.arn} (parked)` : r.arn,
        viaText(r.via),
        r.role === 'park' ? '-' : String(r.weight),
        percent(r.expected),
        percent(r.share),
        String(r.count),
      ]),
    ];
    const widths = (table[0] as string[]).map((_, i) =>
      Math.max(...table.map((row) => (row[i] ?? '').length)),
    );
    for (const row of table) {
      lines.push(
        row
          .map((cell, i) => (i >= 2 ? cell.padStart(widths[i] as number) : cell.padEnd(widths[i] as number)))
          .join('  ')
          .trimEnd(),
      );
    }
  }
  lines.push('', fanout.length === 0 ? 'fanout: none' : 'fanout (events also go to):');
  for (const r of fanout) {
    lines.push(
      `  ${r.arn}  ${percent(r.share)} of events${r.via.length > 1 ? ` (via ${viaText(r.via)})` : ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
