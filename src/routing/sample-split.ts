import type { Route } from '../routes/model';
import { compileRoute } from './compiled-route';
import type { Random, RoutedEvent } from './plan';
import { chooseSplitIndex } from './split';

/** How often one split target was chosen in a sample, next to what its weight promises. */
export interface SplitTargetSample {
  readonly arn: string;
  /** As configured in the route. */
  readonly weight: number;
  /** The normalised weight: the share the split should converge to. */
  readonly expected: number;
  readonly count: number;
  /** count / samples. */
  readonly share: number;
}

/**
 * Run the route's split `samples` times for `event` and count where it went: what
 * `psarn resolve --samples` shows. Aliases are not followed (an alias target is counted as
 * itself) and parking is ignored, so the result describes the split as configured.
 *
 * @example
 * sampleSplit(route, event, Math.random, 100_000).map((t) => [t.arn, t.share]);
 * // [['arn:…:fulfilmentA', 0.2996], ['arn:…:fulfilmentB', 0.5011], ['arn:…:fulfilmentC', 0.1993]]
 */
export function sampleSplit(
  route: Route,
  event: RoutedEvent,
  random: Random,
  samples: number,
): SplitTargetSample[] {
  const compiled = compileRoute(route);
  const counts = new Array<number>(route.targets.length).fill(0);
  for (let i = 0; i < samples; i++) {
    const index = chooseSplitIndex(compiled, event, random);
    if (index >= 0) counts[index] = (counts[index] as number) + 1;
  }
  const total = route.targets.reduce((sum, t) => sum + t.weight, 0);
  return route.targets.map((t, i) => {
    const count = counts[i] as number;
    return {
      arn: t.arn,
      weight: t.weight,
      expected: t.weight / total,
      count,
      share: samples === 0 ? 0 : count / samples,
    };
  });
}
