import type { RouteIssue } from '../errors';
import type { FieldPath } from './field-path';
import { MAX_ALIAS_HOPS } from './model';
import type { LocatedRoute } from './result';

interface AliasEdge {
  readonly to: string;
  readonly path: FieldPath;
}

/**
 * Check psARN targets (aliases) across all routes, the way the router will follow them: every
 * alias must lead to a route that exists, never back to where it started, and within
 * {@link MAX_ALIAS_HOPS} hops. Split and fanout aliases are followed alike. `invalid` holds the
 * psARNs of routes that are in the files but were rejected: an alias to one is not reported.
 *
 * @example
 * aliasIssues(routes) // [{ message: 'alias cycle: A -> B -> A ...', path: 'targets[0].arn', ... }]
 */
export function aliasIssues(
  routes: readonly LocatedRoute[],
  invalid: ReadonlySet<string> = new Set(),
): RouteIssue[] {
  const byPsarn = new Map<string, LocatedRoute>();
  for (const loaded of routes) if (!byPsarn.has(loaded.route.psarn)) byPsarn.set(loaded.route.psarn, loaded);
  const edges = (psarn: string): AliasEdge[] => {
    const route = byPsarn.get(psarn)?.route;
    if (route === undefined) return [];
    return [
      ...route.targets.map((t, i) => ({ to: t.arn, kind: t.kind, path: ['targets', i, 'arn'] })),
      ...route.fanout.map((t, i) => ({ to: t.arn, kind: t.kind, path: ['fanout', i, 'arn'] })),
    ].filter((edge) => edge.kind === 'psarn');
  };

  const issues: RouteIssue[] = [];
  const issue = (loaded: LocatedRoute, path: FieldPath, message: string): void => {
    const at = loaded.locate(path);
    issues.push({
      file: loaded.file,
      line: at.line,
      column: at.column,
      path: at.path,
      message,
      severity: 'error',
    });
  };

  for (const loaded of byPsarn.values()) {
    for (const edge of edges(loaded.route.psarn)) {
      // A route that is in the files but invalid has its own errors: it is not "missing".
      if (!byPsarn.has(edge.to) && !invalid.has(edge.to)) {
        issue(
          loaded,
          edge.path,
          `alias target ${edge.to} has no route in the route files: define that route or target a real resource`,
        );
      }
    }
  }

  for (const loaded of byPsarn.values()) {
    const cycle = cycleThrough(loaded.route.psarn, edges);
    if (cycle !== undefined) {
      const first = edges(loaded.route.psarn).find((edge) => edge.to === cycle[1]);
      issue(
        loaded,
        first?.path ?? ['psarn'],
        `alias cycle: ${cycle.join(' -> ')}; an alias must not lead back to its own route`,
      );
    }
  }

  const memo = new Map<string, readonly string[]>();
  for (const loaded of byPsarn.values()) {
    const chain = longestChain(loaded.route.psarn, edges, memo, new Set());
    const hops = chain.length - 1;
    if (hops > MAX_ALIAS_HOPS) {
      const first = edges(loaded.route.psarn).find((edge) => edge.to === chain[1]);
      issue(
        loaded,
        first?.path ?? ['psarn'],
        `alias chain of ${hops} hops, more than the ${MAX_ALIAS_HOPS} the router follows: ${chain.join(' -> ')}`,
      );
    }
  }
  return issues;
}

/** The shortest path from `start` back to itself, as psARNs from start to start, if any. */
function cycleThrough(start: string, edges: (psarn: string) => AliasEdge[]): string[] | undefined {
  const cameFrom = new Map<string, string>();
  const queue: string[] = [start];
  while (queue.length > 0) {
    const at = queue.shift() as string;
    for (const { to } of edges(at)) {
      if (to === start) {
        const chain = [start];
        for (
          let step: string | undefined = at;
          step !== start && step !== undefined;
          step = cameFrom.get(step)
        )
          chain.splice(1, 0, step);
        return [...chain, start];
      }
      if (!cameFrom.has(to)) {
        cameFrom.set(to, at);
        queue.push(to);
      }
    }
  }
  return undefined;
}

/** The longest alias chain from `psarn` (itself first). Cycles end a chain; they are reported apart. */
function longestChain(
  psarn: string,
  edges: (psarn: string) => AliasEdge[],
  memo: Map<string, readonly string[]>,
  visiting: Set<string>,
): readonly string[] {
  const known = memo.get(psarn);
  if (known !== undefined) return known;
  if (visiting.has(psarn)) return [psarn];
  visiting.add(psarn);
  let best: readonly string[] = [psarn];
  for (const { to } of edges(psarn)) {
    const chain = longestChain(to, edges, memo, visiting);
    if (chain.length + 1 > best.length) best = [psarn, ...chain];
  }
  visiting.delete(psarn);
  memo.set(psarn, best);
  return best;
}
