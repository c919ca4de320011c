import { ErrorCode } from '../../src/errors';
import type { Route } from '../../src/routes/model';
import type { AlarmReader } from '../../src/rollouts/alarms';
import {
  abortRollout,
  pauseRollout,
  promoteRollout,
  resumeRollout,
  runControllerOnce,
  startRollout,
  type RolloutDeps,
} from '../../src/rollouts/controller';
import { rolloutDeps } from '../../src/rollouts/controller-deps';
import { COUNTER_WINDOW_SECONDS } from '../../src/rollouts/outcome-counters';
import type { RolloutSettings, RolloutState } from '../../src/rollouts/rollout-state';
import { freshTable, startDynalite, type LocalDynamo } from '../store/local-dynamo';
import { lambdaArn, psarnOf, route, split, target } from '../support/routes';

/**
 * The controller against a real route table (dynalite): releases through the one release store,
 * rollout items with conditional writes, counters read back from their items. Counts are added
 * through the counter store here; test/rollouts/rollout-acceptance.test.ts has the router write them.
 * Time is a variable the test moves, so a 5-minute step takes no waiting.
 */
let local: LocalDynamo;
beforeAll(async () => {
  local = await startDynalite();
});
afterAll(async () => {
  await local.close();
});

const PSARN = psarnOf('/event/signup');
const OTHER = psarnOf('/event/other');
const V1 = lambdaArn('signupV1');
const V2 = lambdaArn('signupV2');
const settings: RolloutSettings = {
  steps: [5, 25, 50, 100],
  intervalMs: 60_000,
  maxFailureRate: 0.01,
  minEvents: 100,
  alarms: [],
};

interface World {
  deps: RolloutDeps;
  tableName: string;
  clock: { t: number };
  /** Count `delivered` and `failed` copies for the canary now, as a router instance's flush does. */
  count(delivered: number, failed: number): Promise<void>;
  live(psarn?: string): Promise<Route | undefined>;
  summaries(): Promise<string[]>;
}

async function world(
  base: Route = route('/event/signup', { targets: [split(V1, 90), split(lambdaArn('signupV0'), 10)] }),
  alarms?: AlarmReader,
): Promise<World> {
  const tableName = await freshTable(local);
  const clock = { t: Date.UTC(2026, 11, 1, 12, 0, 0) };
  const deps = rolloutDeps({
    client: local.client,
    tableName,
    by: 'ana@laptop',
    now: () => clock.t,
    ...(alarms === undefined ? {} : { alarms }),
  });
  await deps.releases.publishRelease([base, route('/event/other', { targets: [split(V1, 1)] })], {
    by: 'setup',
  });
  return {
    deps,
    tableName,
    clock,
    async count(delivered, failed) {
      const windowStart = Math.floor(clock.t / 1000 / COUNTER_WINDOW_SECONDS) * COUNTER_WINDOW_SECONDS;
      await deps.counters.add({
        target: V2,
        windowStart,
        delivered,
        failed,
        byReason: failed > 0 ? { 'function-error': failed } : {},
      });
    },
    async live(psarn = PSARN) {
      const { release } = await deps.releases.readControl();
      return (await deps.releases.routesAt(release)).find((r) => r.psarn === psarn);
    },
    async summaries() {
      return (await deps.releases.listReleases()).map((r) => r.summary);
    },
  };
}

const weights = (r: Route | undefined): Record<string, number> =>
  Object.fromEntries(
    (r?.targets ?? []).map((t) => [t.arn.split(':').pop() as string, Number(t.weight.toFixed(6))]),
  );

async function state(w: World): Promise<RolloutState> {
  return (await w.deps.rollouts.get(PSARN)) as RolloutState;
}

describe('rollout controller', () => {
  it('publishes each step as a release, the canary at the step weight and the others sharing the rest', async () => {
    const w = await world();
    const started = await startRollout(w.deps, { psarn: PSARN, canary: V2, settings });
    expect(started).toMatchObject({ status: 'running', step: 0, releases: [2], baseRelease: 1 });
    expect(weights(await w.live())).toEqual({ signupV1: 85.5, signupV0: 9.5, signupV2: 5 });
    for (const expected of [25, 50]) {
      w.clock.t += 61_000;
      await w.count(200, 1);
      const [report] = await runControllerOnce(w.deps);
      expect(report).toMatchObject({ outcome: 'advanced' });
      expect(weights(await w.live())['signupV2']).toBe(expected);
    }
    w.clock.t += 61_000;
    await w.count(500, 0);
    expect((await runControllerOnce(w.deps))[0]).toMatchObject({ outcome: 'completed' });
    expect(weights(await w.live())).toEqual({ signupV1: 0, signupV0: 0, signupV2: 100 });
    expect(await state(w)).toMatchObject({ status: 'completed', step: 3, releases: [2, 3, 4, 5] });
    const id = started.id;
    expect(await w.summaries()).toEqual([
      '2 added, 0 changed, 0 removed',
      `rollout ${id} step 1/4: 5 %`,
      `rollout ${id} step 2/4: 25 %`,
      `rollout ${id} step 3/4: 50 %`,
      `rollout ${id} step 4/4: 100 %`,
    ]);
    // The other route was never touched by the rollout's releases.
    expect(weights(await w.live(OTHER))).toEqual({ signupV1: 1 });
    // A finished rollout is left alone by later passes.
    expect(await runControllerOnce(w.deps)).toEqual([]);
  });

  it('holds a step until its interval has passed and it has counted --min-events copies', async () => {
    const w = await world();
    await startRollout(w.deps, { psarn: PSARN, canary: V2, settings });
    await w.count(500, 0);
    w.clock.t += 30_000;
    expect((await runControllerOnce(w.deps))[0]).toMatchObject({
      outcome: 'waiting',
      detail: expect.stringContaining('step runs until 30 s from now'),
    });
    w.clock.t += 31_000;
    expect((await runControllerOnce(w.deps))[0]).toMatchObject({ outcome: 'advanced' });
    const fresh = await world();
    await startRollout(fresh.deps, { psarn: PSARN, canary: V2, settings });
    fresh.clock.t += 61_000;
    await fresh.count(40, 0);
    expect((await runControllerOnce(fresh.deps))[0]).toMatchObject({
      outcome: 'waiting',
      detail: 'step 1/4 (5 %): waiting for events: 40 of 100 counted',
    });
    expect(weights(await fresh.live())['signupV2']).toBe(5);
    expect((await state(fresh)).reason).toBe('waiting for events: 40 of 100 counted');
  });

  it('rolls back on a failure rate above the gate, to the route as it was, and says why with the figures', async () => {
    const base = route('/event/signup', {
      targets: [split(V1, 90), split(V2, 10)],
      stickyBy: 'payload.userId',
    });
    const w = await world(base);
    const started = await startRollout(w.deps, {
      psarn: PSARN,
      canary: V2,
      settings: { ...settings, steps: [25, 100] },
    });
    expect(weights(await w.live())).toEqual({ signupV1: 75, signupV2: 25 });
    // Before the interval: a breach does not wait for the step to end.
    w.clock.t += 10_000;
    // Two router instances adding to the same minute.
    await w.count(90, 5);
    await w.count(10, 0);
    const [report] = await runControllerOnce(w.deps);
    expect(report).toMatchObject({
      outcome: 'rolled-back',
      detail: 'failure rate 4.76 % (5 of 105 copies failed) is above 1 %',
    });
    expect(await w.live()).toEqual(base);
    expect(await state(w)).toMatchObject({
      status: 'rolled-back',
      reason: 'rolled back: failure rate 4.76 % (5 of 105 copies failed) is above 1 %',
      figures: { delivered: 100, failed: 5, byReason: { 'function-error': 5 } },
    });
    expect((await w.summaries()).at(-1)).toBe(
      `rollout ${started.id} rolled back: failure rate 4.76 % (5 of 105 copies failed) is above 1 %`,
    );
  });

  it('does not judge a step by failures counted before it started', async () => {
    const w = await world();
    await w.count(0, 500);
    w.clock.t += COUNTER_WINDOW_SECONDS * 1000;
    await startRollout(w.deps, { psarn: PSARN, canary: V2, settings });
    w.clock.t += 61_000;
    await w.count(150, 0);
    expect((await runControllerOnce(w.deps))[0]).toMatchObject({ outcome: 'advanced' });
  });

  it('refuses a second rollout for the psARN, also when two start at once', async () => {
    const w = await world();
    const both = await Promise.allSettled([
      startRollout(w.deps, { psarn: PSARN, canary: V2, settings }),
      startRollout(w.deps, { psarn: PSARN, canary: lambdaArn('signupV3'), settings }),
    ]);
    expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = both.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: ErrorCode.ROLLOUT_EXISTS });
    expect((refused.reason as Error).message).toMatch(
      /already has rollout ro-\w+ \(running\); nothing was changed/,
    );
    // One release for one first step.
    expect((await w.summaries()).filter((s) => s.includes('step 1/4'))).toHaveLength(1);
  });

  it('refuses routes a rollout cannot shift: no other weighted target, parked, a psARN canary', async () => {
    const lone = await world(route('/event/signup', { targets: [split(V1, 1)] }));
    await expect(startRollout(lone.deps, { psarn: PSARN, canary: V1, settings })).rejects.toMatchObject({
      code: ErrorCode.ROLLOUT_STATE,
      message: expect.stringContaining('needs another split target with weight > 0'),
    });
    await expect(
      startRollout(lone.deps, { psarn: psarnOf('/event/none'), canary: V2, settings }),
    ).rejects.toMatchObject({
      code: ErrorCode.ROUTE_NOT_FOUND,
    });
    await expect(startRollout(lone.deps, { psarn: PSARN, canary: OTHER, settings })).rejects.toMatchObject({
      code: ErrorCode.ROLLOUT_STATE,
      message: expect.stringContaining('is a psARN'),
    });
    const parked = await world(
      route('/event/signup', {
        targets: [split(V1, 1)],
        park: { queue: 'arn:aws:sqs:us-east-1:000000000000:hold', enabled: true },
      }),
    );
    await expect(startRollout(parked.deps, { psarn: PSARN, canary: V2, settings })).rejects.toMatchObject({
      message: expect.stringContaining('the route is parked'),
    });
    const fanned = await world(route('/event/signup', { targets: [split(V1, 1)], fanout: [target(V2)] }));
    await expect(startRollout(fanned.deps, { psarn: PSARN, canary: V2, settings })).rejects.toMatchObject({
      message: expect.stringContaining('is a fanout target of the route'),
    });
    // Nothing was published by any refusal.
    expect(await lone.summaries()).toEqual(['2 added, 0 changed, 0 removed']);
  });

  it('lets exactly one of two controllers act on a step', async () => {
    const w = await world();
    await startRollout(w.deps, { psarn: PSARN, canary: V2, settings });
    w.clock.t += 61_000;
    await w.count(200, 0);
    const [a, b] = await Promise.all([runControllerOnce(w.deps), runControllerOnce(w.deps)]);
    const outcomes = [...(a ?? []), ...(b ?? [])].map((r) => r.outcome);
    expect(outcomes).toContain('advanced');
    expect((await w.summaries()).filter((s) => s.includes('step 2/4'))).toHaveLength(1);
    expect(await state(w)).toMatchObject({ step: 1, status: 'running' });
  });

  it('finishes a step a crashed controller claimed but never published', async () => {
    const w = await world();
    const started = await startRollout(w.deps, { psarn: PSARN, canary: V2, settings });
    // The claim as the controller writes it, then nothing: the process died before its release.
    const claimed: RolloutState = {
      ...started,
      rev: started.rev + 1,
      pending: {
        route: {
          ...started.baseRoute,
          targets: [split(V1, 67.5), split(lambdaArn('signupV0'), 7.5), split(V2, 25)],
        },
        summary: `rollout ${started.id} step 2/4: 25 %`,
        then: { status: 'running', step: 1 },
      },
    };
    await w.deps.rollouts.replace(started, claimed);
    expect((await runControllerOnce(w.deps))[0]).toMatchObject({ outcome: 'applied' });
    expect(weights(await w.live())['signupV2']).toBe(25);
    expect(await state(w)).toMatchObject({ step: 1, status: 'running', releases: [2, 3] });
    expect((await state(w)).pending).toBeUndefined();
  });

  it('does not force a claimed step over a route someone changed before it was published', async () => {
    const w = await world();
    const started = await startRollout(w.deps, { psarn: PSARN, canary: V2, settings });
    const claimed: RolloutState = {
      ...started,
      rev: started.rev + 1,
      pending: {
        route: {
          ...started.baseRoute,
          targets: [split(V1, 67.5), split(lambdaArn('signupV0'), 7.5), split(V2, 25)],
        },
        summary: `rollout ${started.id} step 2/4: 25 %`,
        then: { status: 'running', step: 1 },
        over: (await w.live()) as Route,
      },
    };
    await w.deps.rollouts.replace(started, claimed);
    const { release } = await w.deps.releases.readControl();
    const theirs = { ...((await w.live()) as Route), ttl: 7 };
    await w.deps.releases.publishRelease([theirs, (await w.live(OTHER)) as Route], {
      by: 'bo@desk',
      basedOn: release,
    });
    expect((await runControllerOnce(w.deps))[0]).toMatchObject({ outcome: 'applied' });
    expect(await w.live()).toEqual(theirs);
    expect(await state(w)).toMatchObject({
      status: 'paused',
      step: 0,
      reason: expect.stringContaining('before "rollout'),
    });
    expect((await state(w)).pending).toBeUndefined();
  });

  it('takes the canary back on top of a route someone changed between a rollback claim and its release', async () => {
    const w = await world();
    const started = await startRollout(w.deps, { psarn: PSARN, canary: V2, settings });
    const live = (await w.live()) as Route;
    const claimed: RolloutState = {
      ...started,
      rev: started.rev + 1,
      pending: {
        route: started.baseRoute,
        summary: `rollout ${started.id} rolled back: test`,
        then: { status: 'rolled-back', step: 0 },
        over: live,
      },
    };
    await w.deps.rollouts.replace(started, claimed);
    const { release } = await w.deps.releases.readControl();
    await w.deps.releases.publishRelease([{ ...live, ttl: 7 }, (await w.live(OTHER)) as Route], {
      by: 'bo@desk',
      basedOn: release,
    });
    await runControllerOnce(w.deps);
    const after = (await w.live()) as Route;
    expect(after.ttl).toBe(7);
    expect(after.targets.map((t) => t.arn)).toEqual([V1, lambdaArn('signupV0')]);
    expect((await state(w)).status).toBe('rolled-back');
  });

  it('pauses instead of advancing, and a pause that races the controller wins or loses whole', async () => {
    const w = await world();
    await startRollout(w.deps, { psarn: PSARN, canary: V2, settings });
    w.clock.t += 61_000;
    await w.count(200, 0);
    const raced = await Promise.allSettled([pauseRollout(w.deps, PSARN), runControllerOnce(w.deps)]);
    const s = await state(w);
    if (raced[0].status === 'fulfilled') {
      // The pause landed, before or after the controller's claim: nothing advances any more.
      expect(s.status).toBe('paused');
    } else {
      expect(raced[0].reason).toMatchObject({ code: ErrorCode.ROLLOUT_CONFLICT });
    }
    await pauseRollout(w.deps, PSARN);
    const step = (await state(w)).step;
    w.clock.t += 61_000;
    await w.count(200, 0);
    expect((await runControllerOnce(w.deps))[0]).toMatchObject({ outcome: 'paused' });
    expect((await state(w)).step).toBe(step);
    const resumed = await resumeRollout(w.deps, PSARN);
    expect(resumed.status).toBe('running');
  });

  it('still rolls a paused rollout back on a breach', async () => {
    const w = await world();
    const started = await startRollout(w.deps, { psarn: PSARN, canary: V2, settings });
    await pauseRollout(w.deps, PSARN);
    await w.count(50, 60);
    expect((await runControllerOnce(w.deps))[0]).toMatchObject({ outcome: 'rolled-back' });
    expect(await w.live()).toEqual(started.baseRoute);
  });

  it('promotes to 100 % at once, and aborts back to the route before the rollout', async () => {
    const w = await world();
    await startRollout(w.deps, { psarn: PSARN, canary: V2, settings });
    const promoted = await promoteRollout(w.deps, PSARN);
    expect(promoted).toMatchObject({ status: 'completed', step: 3 });
    expect(weights(await w.live())['signupV2']).toBe(100);
    expect((await w.summaries()).at(-1)).toMatch(/step 4\/4: 100 % \(promoted by ana@laptop\)$/);
    await expect(abortRollout(w.deps, PSARN)).rejects.toMatchObject({
      code: ErrorCode.ROLLOUT_NOT_FOUND,
      message: expect.stringContaining('is completed'),
    });

    const v = await world();
    const started = await startRollout(v.deps, { psarn: PSARN, canary: V2, settings });
    const aborted = await abortRollout(v.deps, PSARN);
    expect(aborted).toMatchObject({ status: 'aborted', reason: 'aborted by ana@laptop' });
    expect(await v.live()).toEqual(started.baseRoute);
    // A new rollout may start once the last one is over.
    await expect(startRollout(v.deps, { psarn: PSARN, canary: V2, settings })).resolves.toMatchObject({
      status: 'running',
    });
  });

  it('pauses when someone changes the route meanwhile, and then takes back only the canary', async () => {
    const w = await world();
    await startRollout(w.deps, { psarn: PSARN, canary: V2, settings });
    const live = (await w.live()) as Route;
    const audit = target('arn:aws:sns:us-east-1:000000000000:audit');
    const { release } = await w.deps.releases.readControl();
    await w.deps.releases.publishRelease([{ ...live, fanout: [audit] }, (await w.live(OTHER)) as Route], {
      by: 'bo@desk',
      basedOn: release,
    });
    expect((await runControllerOnce(w.deps))[0]).toMatchObject({
      outcome: 'paused',
      detail: expect.stringContaining('changed outside the rollout'),
    });
    await abortRollout(w.deps, PSARN);
    const restored = (await w.live()) as Route;
    // Bo's fanout stays; the canary the rollout added is gone; the old targets keep their proportions.
    expect(restored.fanout).toEqual([audit]);
    expect(restored.targets.map((t) => t.arn)).toEqual([V1, lambdaArn('signupV0')]);
    expect(restored.targets[0]!.weight / restored.targets[1]!.weight).toBeCloseTo(9, 9);
  });

  it('resumes after a drift on the live route, keeping the other change', async () => {
    const w = await world();
    await startRollout(w.deps, { psarn: PSARN, canary: V2, settings });
    const live = (await w.live()) as Route;
    const { release } = await w.deps.releases.readControl();
    await w.deps.releases.publishRelease([{ ...live, ttl: 5 }, (await w.live(OTHER)) as Route], {
      by: 'bo@desk',
      basedOn: release,
    });
    await runControllerOnce(w.deps);
    expect((await state(w)).status).toBe('paused');
    const resumed = await resumeRollout(w.deps, PSARN);
    expect(resumed).toMatchObject({ status: 'running', step: 0 });
    const after = (await w.live()) as Route;
    expect(after.ttl).toBe(5);
    expect(weights(after)['signupV2']).toBe(5);
  });

  describe('alarms (an SDK-level fake reader: there is no CloudWatch emulator)', () => {
    const reader = (states: { inAlarm?: string[]; missing?: string[] } | Error): AlarmReader => ({
      states: async () => {
        if (states instanceof Error) throw states;
        return { inAlarm: states.inAlarm ?? [], missing: states.missing ?? [] };
      },
    });
    const withAlarm = { ...settings, alarms: ['signup-errors'] };

    it('rolls back when an alarm is in ALARM, whatever the counts', async () => {
      const w = await world(undefined, reader({ inAlarm: ['signup-errors'] }));
      const started = await startRollout(w.deps, { psarn: PSARN, canary: V2, settings: withAlarm });
      expect((await runControllerOnce(w.deps))[0]).toMatchObject({
        outcome: 'rolled-back',
        detail: 'alarm signup-errors in ALARM',
      });
      expect(await w.live()).toEqual(started.baseRoute);
    });

    it('holds the step when an alarm does not exist or cannot be read', async () => {
      for (const [alarms, why] of [
        [reader({ missing: ['signup-errors'] }), 'alarm signup-errors does not exist in CloudWatch'],
        [reader(new Error('connect ECONNREFUSED')), 'alarms could not be read: connect ECONNREFUSED'],
      ] as const) {
        const w = await world(undefined, alarms);
        await startRollout(w.deps, { psarn: PSARN, canary: V2, settings: withAlarm });
        w.clock.t += 61_000;
        await w.count(500, 0);
        expect((await runControllerOnce(w.deps))[0]).toMatchObject({
          outcome: 'waiting',
          detail: expect.stringContaining(why),
        });
      }
    });
  });
});
