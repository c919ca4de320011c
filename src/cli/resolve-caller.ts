import { UsageError } from '../errors';
import { matchingOverride, routeForCaller } from '../contracts/caller-variants';
import type { CallerMatch, Route } from '../routes/model';
import type { CallerIdentity } from '../router/caller';

/** The caller flags of `psarn resolve`. */
export interface CallerFlags {
  callerLabel?: string[];
  callerFunction?: string;
  principal?: string;
}

/** Which caller override of the route an event from this caller takes, for the output. */
export interface CallerChoice {
  readonly caller: CallerIdentity | undefined;
  /** Index in the route's `callers:`, or -1 for the route's own targets. */
  readonly override: number;
  readonly match?: CallerMatch;
}

/** Collects `--caller-label k=v` (repeatable). */
export function collectLabel(value: string, all: string[] = []): string[] {
  return [...all, value];
}

/**
 * The caller `psarn resolve` plans for: `--caller-label k=v` (repeatable), `--caller-function`,
 * `--principal` (as if HTTP ingress with AWS_IAM auth had verified it). Undefined when none is given.
 */
export function callerFromFlags(flags: CallerFlags): CallerIdentity | undefined {
  const labels: Record<string, string> = {};
  for (const pair of flags.callerLabel ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0)
      throw new UsageError(`--caller-label ${JSON.stringify(pair)} must be key=value, like deployment=blue`);
    labels[pair.slice(0, at)] = pair.slice(at + 1);
  }
  if (flags.principal !== undefined && !flags.principal.startsWith('arn:'))
    throw new UsageError(`--principal must be an IAM ARN, like arn:aws:iam::123456789012:role/blue-api`);
  if (flags.callerLabel === undefined && flags.callerFunction === undefined && flags.principal === undefined)
    return undefined;
  return {
    ...(flags.principal === undefined ? {} : { principal: flags.principal }),
    ...(flags.callerFunction === undefined ? {} : { function: flags.callerFunction }),
    labels,
  };
}

/** The route as `caller` sees it, and which override that was. */
export function resolveForCaller(
  route: Route,
  caller: CallerIdentity | undefined,
): { route: Route; choice: CallerChoice } {
  const override = matchingOverride(route, caller);
  const match = override < 0 ? undefined : route.callers?.[override]?.match;
  return {
    route: routeForCaller(route, caller),
    choice: { caller, override, ...(match === undefined ? {} : { match }) },
  };
}

/** One line for the table output, or undefined when neither the route nor the flags speak of callers. */
export function callerLine(route: Route, choice: CallerChoice): string | undefined {
  if (choice.caller === undefined && route.callers === undefined) return undefined;
  if (choice.override >= 0)
    return `caller callers[${choice.override}] matched: ${JSON.stringify(choice.match)}`;
  if (route.callers === undefined) return 'caller the route has no callers: overrides; its own targets apply';
  return `caller no override matched (${route.callers.length} checked): the route's own targets apply`;
}
