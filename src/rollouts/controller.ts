import { randomUUID } from 'node:crypto';
import { canonicalJson } from '../control/canonical-json';
import { RouteNotFoundError } from '../errors';
import { parsePsarn } from '../psarn/psarn';
import { parseTargetArn } from '../psarn/target-arn';
import type { Route, TargetRef } from '../routes/model';
import type { ReleaseStore } from '../store/release-store';
import type { AlarmReader } from './alarms';
import type { CounterStore } from './counter-store';
import { evaluateGate, type AlarmStates, type GateVerdict } from './gate';
import { COUNTER_WINDOW_SECONDS } from './outcome-counters';
import { RolloutNotFoundError, RolloutStateError } from './rollout-errors';
import {
  ACTIVE_STATUSES,
  stepLabel,
  stepPercent,
  type PendingChange,
  type RolloutSettings,
  type RolloutState,
  type RolloutStatus,
} from './rollout-state';
import type { RolloutStore } from './rollout-store';
import { cannotRollOut, routeAtStep, undoCanary } from './step-route';

/** What a rollout command and the controller work with: all I/O, injected. */
export interface RolloutDeps {
  readonly rollouts: RolloutStore;
  /** The one release machinery (claim in #control, fenced commit): every step is a release. */
  readonly releases: ReleaseStore;
  readonly counters: CounterStore;
  /** Needed only by rollouts with `--alarm`; without it their steps hold ("alarms could not be read"). */
  readonly alarms?: AlarmReader;
  /** Who acts, for the release records and the rollout state. */
  readonly by: string;
  readonly now?: () => number;
}

/** What one controller pass did to one rollout. */
export interface TickReport {
  readonly psarn: string;
  readonly id: string;
  readonly outcome:
    'advanced' | 'completed' | 'rolled-back' | 'waiting' | 'paused' | 'applied' | 'conflict' | 'failed';
  readonly detail: string;
}

const now = (deps: RolloutDeps): number => (deps.now ?? Date.now)();

/**
 * `psarn rollout start`: record the rollout (refused when the psARN has an active one) and publish
 * its first step as a release.
 *
 * @throws InvalidPsarnError, InvalidTargetArnError, RouteNotFoundError, RolloutStateError (the route
 *   cannot carry a rollout), RolloutExistsError.
 */
export async function startRollout(
  deps: RolloutDeps,
  input: { readonly psarn: string; readonly canary: string; readonly settings: RolloutSettings },
): Promise<RolloutState> {
  parsePsarn(input.psarn);
  const canary = canaryRef(input.psarn, input.canary);
  const { release, routes } = await liveSet(deps.releases);
  const route = routes.find((r) => r.psarn === input.psarn);
  if (route === undefined) throw new RouteNotFoundError(input.psarn);
  const why = cannotRollOut(route, canary);
  if (why !== undefined) throw new RolloutStateError(input.psarn, why);
  const at = now(deps);
  const id = `ro-${randomUUID().slice(0, 8)}`;
  const base: RolloutState = {
    id,
    psarn: input.psarn,
    canary: canary.arn,
    settings: input.settings,
    status: 'running',
    step: 0,
    baseRoute: route,
    baseRelease: release,
    releases: [],
    rev: 1,
    createdAt: at,
    createdBy: deps.by,
    updatedAt: at,
    updatedBy: deps.by,
  };
  const state: RolloutState = { ...base, pending: { ...stepChange(base, route, 0), over: route } };
  await deps.rollouts.create(state);
  return applyPending(deps, state);
}

/** `pause`: stop advancing (the gate still watches and rolls back on a breach). */
export async function pauseRollout(deps: RolloutDeps, psarn: string): Promise<RolloutState> {
  const state = await active(deps, psarn);
  if (state.status === 'paused') return state;
  return write(deps, state, { status: 'paused', reason: `paused by ${deps.by}` });
}

/**
 * `resume`: advance again. After a drift (someone changed the route during the rollout) the
 * rollout adopts their change: its base becomes the live route without the canary's change, and
 * the current step is published again on top of it.
 */
export async function resumeRollout(deps: RolloutDeps, psarn: string): Promise<RolloutState> {
  const state = await active(deps, psarn);
  if (state.status === 'running') return state;
  const live = await liveRoute(deps, state);
  if (live.route !== undefined && !drifted(state, live.route)) {
    return write(deps, state, {
      status: 'running',
      reason: `resumed by ${deps.by}`,
      stepStartedAt: now(deps),
    });
  }
  if (live.route === undefined)
    throw new RolloutStateError(psarn, `the route is not in release ${live.release}: abort the rollout`);
  const adopted = undoCanary(state.baseRoute, live.route, state.canary);
  const why = cannotRollOut(adopted, canaryRef(psarn, state.canary, adopted));
  if (why !== undefined) throw new RolloutStateError(psarn, `cannot resume on the live route: ${why}`);
  const rebased = { ...state, baseRoute: adopted, baseRelease: live.release, status: 'running' as const };
  return claim(deps, state, live.route, stepChange(rebased, adopted, state.step), {
    status: 'running',
    baseRoute: adopted,
    baseRelease: live.release,
    reason: `resumed by ${deps.by} on the route of release ${live.release}`,
  });
}

/** `promote`: jump to 100 % now, and finish. */
export async function promoteRollout(deps: RolloutDeps, psarn: string): Promise<RolloutState> {
  const state = await active(deps, psarn);
  const live = await liveRoute(deps, state);
  const base =
    live.route !== undefined && drifted(state, live.route)
      ? undoCanary(state.baseRoute, live.route, state.canary)
      : state.baseRoute;
  const last = state.settings.steps.length - 1;
  const route = routeAtStep(base, canaryRef(psarn, state.canary, base), 100);
  return claim(
    deps,
    state,
    live.route ?? base,
    {
      route,
      summary: `rollout ${state.id} step ${stepLabel(state, last)}: 100 % (promoted by ${deps.by})`,
      then: { status: 'completed', step: last },
    },
    { reason: `promoted by ${deps.by}` },
  );
}

/** `abort`: roll back by hand, like a breach does (see `restoreRoute`). */
export async function abortRollout(deps: RolloutDeps, psarn: string): Promise<RolloutState> {
  const state = await active(deps, psarn);
  const live = await liveRoute(deps, state);
  return rollBack(deps, state, live.route, 'aborted', `aborted by ${deps.by}`);
}

/**
 * One controller pass over every rollout of the table: finish a change someone claimed, pause on
 * a drift, roll back on a breach, advance a step whose gate passed. Each rollout is handled on
 * its own: one that fails (a conflict, a store error) is reported and the others still run.
 *
 * @example
 * const reports = await runControllerOnce(deps); // the scheduled function and `psarn rollout run --once`
 */
export async function runControllerOnce(deps: RolloutDeps): Promise<readonly TickReport[]> {
  const reports: TickReport[] = [];
  for (const state of await deps.rollouts.list()) {
    if (!ACTIVE_STATUSES.has(state.status) && state.pending === undefined) continue;
    try {
      reports.push(await tick(deps, state));
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      reports.push({
        psarn: state.psarn,
        id: state.id,
        outcome: code === 'ROLLOUT_CONFLICT' || code === 'RELEASE_CONFLICT' ? 'conflict' : 'failed',
        detail: err instanceof Error ? err.message : String(err),
      });
    }
  }
  return reports;
}

async function tick(deps: RolloutDeps, state: RolloutState): Promise<TickReport> {
  const report = (outcome: TickReport['outcome'], detail: string): TickReport => ({
    psarn: state.psarn,
    id: state.id,
    outcome,
    detail,
  });
  if (state.pending !== undefined) {
    const done = await applyPending(deps, state);
    return report('applied', `${state.pending.summary} (now ${done.status})`);
  }
  const live = await liveRoute(deps, state);
  if (live.route === undefined) {
    if (state.status === 'paused') return report('paused', state.reason ?? 'paused');
    const reason = `the route is not in release ${live.release} any more: paused; abort the rollout`;
    await write(deps, state, { status: 'paused', reason });
    return report('paused', reason);
  }
  if (drifted(state, live.route) && state.status === 'running') {
    const reason =
      `the route was changed outside the rollout (release ${live.release}): paused. ` +
      "`resume` continues on the live route, `abort` takes back only the canary's change";
    await write(deps, state, { status: 'paused', reason });
    return report('paused', reason);
  }
  const verdict = await judge(deps, state);
  if (verdict.kind === 'breach') {
    await rollBack(deps, state, live.route, 'rolled-back', `rolled back: ${verdict.reason}`, verdict);
    return report('rolled-back', verdict.reason);
  }
  if (state.status === 'paused') {
    await note(deps, state, state.reason ?? 'paused', verdict);
    return report('paused', state.reason ?? 'paused');
  }
  if (verdict.kind === 'wait') {
    await note(deps, state, verdict.reason, verdict);
    return report('waiting', `step ${stepLabel(state)} (${stepPercent(state)} %): ${verdict.reason}`);
  }
  const next = state.step + 1;
  const done = await claim(deps, state, live.route, stepChange(state, state.baseRoute, next), {
    figures: verdict.figures,
    reason: `step ${stepLabel(state)} passed its gate`,
  });
  return report(
    done.status === 'completed' ? 'completed' : 'advanced',
    `step ${stepLabel(done)}: ${stepPercent(done)} % in release ${done.releases.at(-1) ?? '?'}`,
  );
}

/** The gate of the rollout's current step, from the canary's counters and the alarms. */
export async function judge(deps: RolloutDeps, state: RolloutState): Promise<GateVerdict> {
  const started = state.stepStartedAt ?? state.updatedAt;
  const from = Math.floor(started / 1000 / COUNTER_WINDOW_SECONDS) * COUNTER_WINDOW_SECONDS;
  const counts = await deps.counters.read(state.canary, from);
  let alarms: AlarmStates | { error: string } = { inAlarm: [], missing: [] };
  if (state.settings.alarms.length > 0) {
    if (deps.alarms === undefined) alarms = { error: 'no alarm reader configured' };
    else {
      try {
        alarms = await deps.alarms.states(state.settings.alarms);
      } catch (err) {
        alarms = { error: err instanceof Error ? err.message : String(err) };
      }
    }
  }
  return evaluateGate(state.settings, counts, alarms, now(deps) - started);
}

/**
 * What a rollback publishes. While the live route is the rollout's own, the route as it was before
 * the rollout. When someone changed it meanwhile, their change stays and only the canary goes back
 * (`undoCanary`): restoring the old route whole would silently undo a release nobody reviewed
 * against it. A route removed meanwhile stays removed (nothing is published).
 */
export function restoreRoute(state: RolloutState, live: Route | undefined): Route | undefined {
  if (live === undefined) return undefined;
  return drifted(state, live) ? undoCanary(state.baseRoute, live, state.canary) : state.baseRoute;
}

async function rollBack(
  deps: RolloutDeps,
  state: RolloutState,
  live: Route | undefined,
  status: 'rolled-back' | 'aborted',
  reason: string,
  verdict?: GateVerdict,
): Promise<RolloutState> {
  const route = restoreRoute(state, live);
  const extra = { reason, ...(verdict === undefined ? {} : { figures: verdict.figures }) };
  if (route === undefined) return write(deps, state, { ...extra, status });
  return claim(
    deps,
    state,
    live ?? route,
    { route, summary: `rollout ${state.id} ${reason}`, then: { status, step: state.step } },
    extra,
  );
}

/** The change that publishes step `step` on `base`. */
function stepChange(state: RolloutState, base: Route, step: number): PendingChange {
  const percent = state.settings.steps[step] ?? 100;
  const last = step >= state.settings.steps.length - 1;
  return {
    route: routeAtStep(base, canaryRef(state.psarn, state.canary, base), percent),
    summary: `rollout ${state.id} step ${stepLabel(state, step)}: ${percent} %`,
    then: { status: last ? 'completed' : state.status, step },
  };
}

/** Claim `change` with a conditional write (exactly one actor wins), then publish it. */
async function claim(
  deps: RolloutDeps,
  state: RolloutState,
  over: Route,
  change: PendingChange,
  extra: Partial<RolloutState>,
): Promise<RolloutState> {
  const claimed = await write(deps, state, { ...extra, pending: { ...change, over } });
  return applyPending(deps, claimed);
}

/**
 * Publish a claimed change as a release and record it. Idempotent: the route already live is no
 * new release, so whoever finds a claim unfinished (the controller's next pass) just finishes it.
 */
async function applyPending(deps: RolloutDeps, state: RolloutState): Promise<RolloutState> {
  let pending = state.pending;
  if (pending === undefined) return state;
  const { release, routes } = await liveSet(deps.releases);
  const live = routes.find((r) => r.psarn === state.psarn);
  if (live !== undefined && changedSinceClaim(state, live, pending)) {
    // Someone published this route between the claim and now (the publish failed on their
    // release, or this is a later pass). A rollback still takes the canary back, on top of their
    // route; a step is not forced over it: the rollout pauses, as on any drift.
    if (pending.then.status === 'rolled-back' || pending.then.status === 'aborted') {
      pending = { ...pending, route: undoCanary(state.baseRoute, live, state.canary) };
    } else {
      const { pending: _dropped, ...rest } = state;
      void _dropped;
      const paused: RolloutState = {
        ...rest,
        status: 'paused',
        reason: `the route was changed outside the rollout (release ${release}) before "${pending.summary}" was published: paused, nothing published`,
        rev: state.rev + 1,
        updatedAt: now(deps),
        updatedBy: deps.by,
      };
      await deps.rollouts.replace(state, paused);
      return paused;
    }
  }
  const others = routes.filter((r) => r.psarn !== state.psarn);
  const result = await deps.releases.publishRelease([...others, pending.route], {
    by: deps.by,
    summary: pending.summary,
    basedOn: release,
  });
  const published = result.changed.includes(state.psarn);
  // A pause that landed between the claim and this write keeps the rollout paused.
  const status: RolloutStatus =
    state.status === 'paused' && pending.then.status === 'running' ? 'paused' : pending.then.status;
  const { pending: _done, ...rest } = state;
  void _done;
  const next: RolloutState = {
    ...rest,
    status,
    step: pending.then.step,
    expectedRoute: pending.route,
    stepStartedAt: now(deps),
    releases: published ? [...state.releases, result.release] : state.releases,
    rev: state.rev + 1,
    updatedAt: now(deps),
    updatedBy: deps.by,
  };
  await deps.rollouts.replace(state, next);
  return next;
}

/** Write `changes` conditionally on the state's rev. */
async function write(
  deps: RolloutDeps,
  state: RolloutState,
  changes: Partial<RolloutState>,
): Promise<RolloutState> {
  const next: RolloutState = {
    ...state,
    ...changes,
    rev: state.rev + 1,
    updatedAt: now(deps),
    updatedBy: deps.by,
  };
  await deps.rollouts.replace(state, next);
  return next;
}

/** Record the gate's figures and reason, only when they changed (a write per pass would race operators). */
async function note(
  deps: RolloutDeps,
  state: RolloutState,
  reason: string,
  verdict: GateVerdict,
): Promise<void> {
  if (state.reason === reason && canonicalJson(state.figures) === canonicalJson(verdict.figures)) return;
  await write(deps, state, { reason, figures: verdict.figures });
}

async function active(deps: RolloutDeps, psarn: string): Promise<RolloutState> {
  const state = await deps.rollouts.get(psarn);
  if (state === undefined) throw new RolloutNotFoundError(psarn);
  if (!ACTIVE_STATUSES.has(state.status))
    throw new RolloutNotFoundError(psarn, `has no active rollout (rollout ${state.id} is ${state.status})`);
  return state;
}

/** The live route is neither what the rollout last published nor the claimed change: a third party's. */
function changedSinceClaim(state: RolloutState, live: Route, pending: PendingChange): boolean {
  const text = canonicalJson(live);
  const known = [pending.route, pending.over ?? state.expectedRoute ?? state.baseRoute].map((r) =>
    canonicalJson(r),
  );
  return !known.includes(text);
}

function drifted(state: RolloutState, live: Route): boolean {
  return state.expectedRoute !== undefined && canonicalJson(live) !== canonicalJson(state.expectedRoute);
}

async function liveSet(releases: ReleaseStore): Promise<{ release: number; routes: readonly Route[] }> {
  const { release } = await releases.readControl();
  return { release, routes: release === 0 ? [] : await releases.routesAt(release) };
}

async function liveRoute(
  deps: RolloutDeps,
  state: RolloutState,
): Promise<{ release: number; route: Route | undefined }> {
  const { release, routes } = await liveSet(deps.releases);
  return { release, route: routes.find((r) => r.psarn === state.psarn) };
}

/** The canary as a split target: its fields from the route when it names it, else from its ARN. */
function canaryRef(psarn: string, arn: string, route?: Route): TargetRef {
  const named = route?.targets.find((t) => t.arn === arn);
  if (named !== undefined) return named;
  const kind = parseTargetArn(arn).kind;
  if (kind === 'psarn')
    throw new RolloutStateError(
      psarn,
      `the canary ${arn} is a psARN: roll out to a real target (its counts are per target)`,
    );
  return { arn, kind };
}
