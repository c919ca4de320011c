import { loadRoutesOffline } from './offline-context';
import { ErrorCode, InvalidPsarnError, PsarnError, UsageError } from '../errors';
import { editDistance } from '../routes/did-you-mean';
import { psarnProblem } from '../psarn/psarn';
import type { Route } from '../routes/model';
import { routesOrThrow } from '../routes/load';
import { withEventPath } from '../routing/event-path';
import type { DeliveryPlan, Random, RoutedEvent } from '../routing/plan';
import { planDelivery } from '../routing/planner';
import { sampleSplit, type SplitTargetSample } from '../routing/sample-split';
import { seededRandom } from '../routing/seeded-random';
import type { RegisterCommand } from './commands';
import { formatHealth, healthRows, readHealthFor } from '../health/resolve-health';
import { DEFAULT_ROUTES_DIR } from './validate';
import {
  formatFollowedSamples,
  sampleFollowingAliases,
  sampleMode,
  type SampleKeys,
} from './resolve-samples';
import {
  callerFromFlags,
  callerLine,
  collectLabel,
  resolveForCaller,
  type CallerFlags,
} from './resolve-caller';

interface ResolveFlags extends CallerFlags {
  dir: string;
  stage?: string;
  region?: string;
  account?: string;
  key?: string;
  samples?: string;
  seed?: string;
  json?: boolean;
  health?: boolean;
  table?: string;
}

/** More samples than this take seconds and say nothing more. */
const MAX_SAMPLES = 10_000_000;

/**
 * `psarn resolve <psarn>`: where an event sent to this psARN goes, computed from the route files
 * by the router's own planner. Without `--samples`, the plan of one event (with `--key` as its
 * sticky key); with `--samples N`, the share each split target got next to its weight.
 */
export const registerResolve: RegisterCommand = (program, io) => {
  program
    .command('resolve')
    .description('show where an event for a psARN goes (--samples N: observed split shares)')
    .argument('<psarn>', 'the psARN, or just its path (/event/newUser) when that is unambiguous')
    .option('--dir <dir>', 'directory of *.yml route files', DEFAULT_ROUTES_DIR)
    .option('--stage <stage>', 'stage whose overrides apply (default PSARN_STAGE or dev)')
    .option('--region <region>', 'value of ${region} (default AWS_REGION or AWS_DEFAULT_REGION)')
    .option('--account <account>', 'value of ${account} (default PSARN_ACCOUNT or AWS_ACCOUNT_ID)')
    .option('--key <key>', 'the sticky key value of the event (for routes with stickyBy)')
    .option('--samples <n>', 'plan N events and print the share each split target got')
    .option('--seed <seed>', 'seed the random split, for a reproducible run')
    .option('--caller-label <key=value>', 'plan for a caller with this label (repeatable)', collectLabel)
    .option('--caller-function <name>', 'plan for a caller that names this function')
    .option('--principal <arn>', 'plan for this IAM principal (as HTTP ingress with AWS_IAM auth gives it)')
    .option('--json', 'print JSON instead of a table')
    .option('--health', "plan with the targets' health as routers see it (reads the stage's route table)")
    .option('--table <name>', 'route table for --health (default PSARN_TABLE or psarn-<stage>-routes)')
    .action(async (psarnArg: string, flags: ResolveFlags) => {
      const samples = flags.samples === undefined ? undefined : parseCount('--samples', flags.samples);
      const random: Random =
        flags.seed === undefined ? Math.random : seededRandom(parseInteger('--seed', flags.seed));
      const routes = routesOrThrow(await loadRoutesOffline(flags, io));
      const caller = callerFromFlags(flags);
      const found = findRoute(routes, psarnArg, `the route files in ${flags.dir}`);
      // The route as this caller sees it (its `callers:` override), aliases likewise.
      const { route, choice } = resolveForCaller(found, caller);
      const byPsarn = new Map(routes.map((r) => [r.psarn, r]));
      const lookup = (psarn: string): Route | undefined => {
        const aliased = byPsarn.get(psarn);
        return aliased === undefined ? undefined : resolveForCaller(aliased, caller).route;
      };
      const callerNote = callerLine(found, choice);
      if (callerNote !== undefined && (samples !== undefined || flags.json !== true))
        io.stderr(`${callerNote}\n`);

      const stickyPaths = stickyPathsOf(route, lookup);
      if (flags.key !== undefined && stickyPaths.length === 0) {
        io.stderr(`note: ${route.psarn} has no stickyBy (nor do its aliases); --key is ignored\n`);
      }
      const event = sampleEvent(route.psarn, flags.key, stickyPaths);

      if (samples !== undefined) {
        const keys: SampleKeys =
          stickyPaths.length === 0
            ? { kind: 'none' }
            : flags.key !== undefined
              ? { kind: 'fixed', key: flags.key, paths: stickyPaths }
              : { kind: 'sampled', paths: stickyPaths };
        const aliased = [...route.targets, ...route.fanout].some((t) => t.kind === 'psarn');
        // Through aliases to where events end up, and a sticky route with a key per event: the
        // router's own planner, sampled.
        if (aliased || keys.kind === 'sampled') {
          const rows = sampleFollowingAliases(route, lookup, keys, random, samples);
          if (flags.json) {
            const json = {
              psarn: route.psarn,
              samples,
              mode: sampleMode(keys),
              targets: rows
                .filter((r) => r.role !== 'fanout')
                .map(({ arn, role, via, weight, expected, count, share }) => ({
                  arn,
                  role,
                  via,
                  weight,
                  expected,
                  count,
                  share,
                })),
              fanout: rows
                .filter((r) => r.role === 'fanout')
                .map(({ arn, via, count, share }) => ({ arn, via, count, share })),
            };
            io.stdout(`${JSON.stringify(json, null, 2)}\n`);
          } else {
            io.stdout(formatFollowedSamples(route, samples, rows, keys));
          }
          return;
        }
        if (route.park?.enabled === true) {
          io.stderr(
            `note: ${route.psarn} is parked: every event goes to ${route.park.queue} until unparked; ` +
              'the shares below are the split as configured\n',
          );
        }
        const targets = sampleSplit(route, event, random, samples);
        const fanout = route.fanout.map((t) => t.arn);
        if (flags.json) {
          const json = {
            psarn: route.psarn,
            samples,
            targets: targets.map(({ arn, weight, count, share }) => ({ arn, weight, count, share })),
            fanout,
          };
          io.stdout(`${JSON.stringify(json, null, 2)}\n`);
        } else {
          io.stdout(formatSamples(route, samples, targets, fanout, flags.key));
        }
        return;
      }

      const health = flags.health === true ? await readHealthFor(flags, io.env) : undefined;
      const plan = planDelivery(route, event, random, lookup, health?.view);
      if (flags.json) {
        const callers = found.callers === undefined && caller === undefined ? {} : { caller: choice };
        const json = { ...planJson(plan, flags.key), ...callers };
        io.stdout(
          `${JSON.stringify(health === undefined ? json : { ...json, healthVersion: health.version, health: healthRows(route, plan, health) }, null, 2)}\n`,
        );
      } else {
        io.stdout(formatPlan(route, plan, flags.key, stickyPaths));
        if (health !== undefined) io.stdout(formatHealth(route, plan, health));
      }
    });
};

/**
 * The route a user means: the exact psARN, or a path (`/event/newUser`) that exactly one route
 * ends in, so nobody has to type the region and account the route files substitute.
 */
export function findRoute(routes: readonly Route[], wanted: string, source = 'the route files'): Route {
  const exact = routes.find((r) => r.psarn === wanted);
  if (exact !== undefined) return exact;
  const meant = closestPsarn(routes, wanted);
  const hint = meant === undefined ? '' : `; did you mean ${meant}?`;
  if (wanted.startsWith('/')) {
    const byPath = routes.filter((r) => r.psarn.endsWith(`:${wanted}`));
    if (byPath.length === 1) return byPath[0] as Route;
    if (byPath.length > 1) {
      throw new UsageError(
        `${wanted} matches ${byPath.length} routes (${byPath.map((r) => r.psarn).join(', ')}): give the full psARN`,
      );
    }
    throw new PsarnError(ErrorCode.ROUTE_NOT_FOUND, `no route in ${source} has the path ${wanted}${hint}`, {
      psarn: wanted,
      source,
      ...(meant === undefined ? {} : { meant }),
    });
  }
  const problem = psarnProblem(wanted);
  if (problem !== undefined) {
    // A bare path without its leading "/" (event/newUser) is a path, not a broken ARN.
    const barePath = !wanted.includes(':') && /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(wanted);
    const part = barePath ? 'path' : problem.part;
    const reason = barePath
      ? `"${wanted}" must start with "/" (a path like /event/newUser), or be a whole psARN`
      : problem.reason;
    const error = new InvalidPsarnError(wanted, part, `${reason} (resolving against ${source})${hint}`);
    throw error;
  }
  throw new PsarnError(ErrorCode.ROUTE_NOT_FOUND, `no route for ${wanted} in ${source}${hint}`, {
    psarn: wanted,
    source,
    ...(meant === undefined ? {} : { meant }),
  });
}

/**
 * The known psARN a mistyped one most probably meant: the closest by edit distance to the whole
 * psARN or to its path, within a few edits (a wrong service name, an 11-digit account, a missing
 * "/", a typo in a segment).
 */
export function closestPsarn(routes: readonly Route[], wanted: string): string | undefined {
  let best: { psarn: string; distance: number } | undefined;
  for (const { psarn } of routes) {
    const path = psarn.slice(psarn.indexOf(':/') + 1);
    const distance = Math.min(
      editDistance(wanted, psarn),
      editDistance(wanted.startsWith('/') ? wanted : `/${wanted}`, path),
    );
    if (
      distance <= Math.max(2, Math.floor(wanted.length / 10)) &&
      (best === undefined || distance < best.distance)
    )
      best = { psarn, distance };
  }
  return best?.psarn;
}

/** Every stickyBy path on the way from `route` through its aliases, so `--key` reaches each. */
function stickyPathsOf(route: Route, lookup: (psarn: string) => Route | undefined): string[] {
  const paths = new Set<string>();
  const seen = new Set<string>();
  const visit = (r: Route): void => {
    if (seen.has(r.psarn)) return;
    seen.add(r.psarn);
    if (r.stickyBy !== undefined) paths.add(r.stickyBy);
    for (const t of [...r.targets, ...r.fanout]) {
      const next = t.kind === 'psarn' ? lookup(t.arn) : undefined;
      if (next !== undefined) visit(next);
    }
  };
  visit(route);
  return [...paths];
}

function sampleEvent(psarn: string, key: string | undefined, stickyPaths: readonly string[]): RoutedEvent {
  let event: RoutedEvent = {
    psarn,
    payload: {},
    headers: {},
    traceId: 'psarn-resolve',
    eventId: 'psarn-resolve',
  };
  if (key === undefined) return event;
  for (const path of stickyPaths) event = withEventPath(event, path, key);
  return event;
}

function planJson(plan: DeliveryPlan, key: string | undefined): Record<string, unknown> {
  return {
    psarn: plan.psarn,
    ...(key === undefined ? {} : { key }),
    deliveries: plan.deliveries.map((d) => ({
      role: d.role,
      target: d.target.arn,
      kind: d.target.kind,
      route: d.route.psarn,
      via: d.via,
      ...(d.unhealthy === undefined ? {} : { unhealthy: d.unhealthy }),
    })),
  };
}

/**
 * One event's plan as a table.
 *
 * @example
 * formatPlan(route, plan, 'u-1', ['payload.userId'])
 * // psARN  arn:aws:psarns:eu-west-1:123456789012:/event/newUser
 * // split  sticky: payload.userId = "u-1"
 * //
 * // ROLE    TARGET                                                    KIND    VIA
 * // split   arn:aws:lambda:eu-west-1:123456789012:function:signupV1   lambda  -
 * // fanout  arn:aws:sns:eu-west-1:123456789012:audit                  sns     -
 */
export function formatPlan(
  route: Route,
  plan: DeliveryPlan,
  key: string | undefined,
  stickyPaths: readonly string[],
): string {
  const lines = [`psARN  ${route.psarn}`];
  const parked = route.park?.enabled === true;
  if (parked) lines.push(`state  PARKED: events wait in ${route.park?.queue}`);
  lines.push(`split  ${splitMode(route, key, stickyPaths)}${parked ? ' (not used while parked)' : ''}`, '');
  const rows = plan.deliveries.map((d) => [
    d.role,
    d.target.arn,
    d.target.kind,
    d.via.length <= 1 ? '-' : d.via.map((p) => shortPsarn(p, route.psarn)).join(' > '),
  ]);
  lines.push(...table(['ROLE', 'TARGET', 'KIND', 'VIA'], rows));
  return `${lines.join('\n')}\n`;
}

function splitMode(route: Route, key: string | undefined, stickyPaths: readonly string[]): string {
  if (route.targets.length === 0) return 'none (fanout only)';
  if (stickyPaths.length === 0) return 'random by weight';
  if (key === undefined) return `random by weight (no --key for stickyBy ${stickyPaths.join(', ')})`;
  return `sticky: ${stickyPaths.join(', ')} = ${JSON.stringify(key)}`;
}

/**
 * The sampled shares as a table, then the fanout.
 *
 * @example
 * formatSamples(route, 100000, targets, [], undefined)
 * // psARN    arn:aws:psarns:eu-west-1:123456789012:/event/orderPlaced
 * // samples  100000 (random by weight)
 * //
 * // TARGET                                                      WEIGHT  EXPECTED  OBSERVED  COUNT
 * // arn:aws:lambda:eu-west-1:123456789012:function:fulfilmentA      30    30.00%    29.91%  29910
 */
export function formatSamples(
  route: Route,
  samples: number,
  targets: readonly SplitTargetSample[],
  fanout: readonly string[],
  key: string | undefined,
): string {
  const mode = key === undefined || route.stickyBy === undefined ? 'random by weight' : `sticky key ${key}`;
  const lines = [`psARN    ${route.psarn}`, `samples  ${samples} (${mode})`, ''];
  if (targets.length === 0) {
    lines.push('no split targets (fanout only)');
  } else {
    const percent = (x: number): string => `${(x * 100).toFixed(2)}%`;
    lines.push(
      ...table(
        ['TARGET', 'WEIGHT', 'EXPECTED', 'OBSERVED', 'COUNT'],
        targets.map((t) => [t.arn, String(t.weight), percent(t.expected), percent(t.share), String(t.count)]),
        [false, true, true, true, true],
      ),
    );
  }
  lines.push('', fanout.length === 0 ? 'fanout: none' : 'fanout (every event also goes to):');
  for (const arn of fanout) lines.push(`  ${arn}`);
  return `${lines.join('\n')}\n`;
}

/** `/event/x` when a psARN shares region and account with `root`, else the full psARN. */
function shortPsarn(psarn: string, root: string): string {
  const prefix = (arn: string): string => arn.slice(0, arn.indexOf(':/') + 1);
  return prefix(psarn) === prefix(root) ? psarn.slice(prefix(psarn).length) : psarn;
}

function table(
  header: readonly string[],
  rows: readonly string[][],
  right: readonly boolean[] = [],
): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => {
        const width = widths[i] as number;
        return right[i] === true ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

function parseInteger(flag: string, text: string): number {
  if (!/^-?\d+$/.test(text)) throw new UsageError(`${flag} must be an integer, got ${JSON.stringify(text)}`);
  return Number(text);
}

function parseCount(flag: string, text: string): number {
  const n = parseInteger(flag, text);
  if (n < 1 || n > MAX_SAMPLES)
    throw new UsageError(`${flag} must be between 1 and ${MAX_SAMPLES}, got ${n}`);
  return n;
}
