import { percentText } from '../rollouts/gate';
import {
  abortRollout,
  pauseRollout,
  promoteRollout,
  resumeRollout,
  runControllerOnce,
  startRollout,
  type RolloutDeps,
  type TickReport,
} from '../rollouts/controller';
import { rolloutDeps } from '../rollouts/controller-deps';
import { RolloutNotFoundError } from '../rollouts/rollout-errors';
import { stepLabel, stepPercent, type RolloutState } from '../rollouts/rollout-state';
import { parseCount, parseDuration, parseRate, rolloutSchedule } from '../rollouts/steps';
import type { RegisterCommand } from './commands';
import type { CliIo } from './io';
import {
  dynamoClientFor,
  guardStage,
  operatorName,
  resolveStoreTarget,
  withStoreOptions,
  type StoreFlags,
} from './store-options';
import { textTable } from './text-table';

interface JsonFlags extends StoreFlags {
  readonly json?: boolean;
}

interface StartFlags extends JsonFlags {
  readonly target: string;
  readonly steps?: string;
  readonly strategy?: string;
  readonly interval?: string;
  readonly maxFailureRate: string;
  readonly minEvents: string;
  readonly alarm?: string[];
}

interface RunFlags extends JsonFlags {
  readonly once?: boolean;
  readonly every: string;
}

/**
 * `psarn rollout start|status|pause|resume|promote|abort|run`: progressive rollouts of a canary
 * target, each step a release, gated on the canary's own failure rate (and CloudWatch alarms),
 * rolled back automatically on a breach. docs/operations.md "Progressive rollouts".
 *
 * @example
 * psarn rollout start arn:aws:psarns:eu-west-1:123456789012:/event/newUser \
 *   --target arn:aws:lambda:eu-west-1:123456789012:function:signup:v2 --steps 5,25,50,100 --interval 5m
 */
export const registerRollout: RegisterCommand = (program, io) => {
  const rollout = program
    .command('rollout')
    .description(
      'progressive rollouts: shift a split to a canary target step by step, rolled back on failures',
    );

  withStoreOptions(rollout.command('start'))
    .description('start a rollout of <psarn> to the canary --target (publishes step 1 as a release)')
    .argument('<psarn>', 'the route to roll out on')
    .requiredOption('--target <arn>', 'the canary target (a split target of the route, or a new one)')
    .option('--steps <percents>', 'canary weight per step, rising, ending at 100 (default 5,25,50,100)')
    .option(
      '--strategy <name>',
      'a CodeDeploy-style schedule: Canary10Percent5Minutes, Linear10PercentEvery1Minute, …',
    )
    .option('--interval <duration>', 'how long each step runs before it may advance (default 5m)')
    .option('--max-failure-rate <rate>', "the canary's failure rate that rolls back (e.g. 1%)", '1%')
    .option('--min-events <n>', 'copies to the canary a step must count before its gate can judge', '100')
    .option('--alarm <names...>', 'CloudWatch alarms: any in ALARM rolls back')
    .option('--json', 'print machine-readable JSON')
    .action(async (psarn: string, flags: StartFlags) => {
      const schedule = rolloutSchedule(flags);
      const settings = {
        steps: schedule.steps,
        intervalMs: schedule.intervalMs,
        maxFailureRate: parseRate(flags.maxFailureRate),
        minEvents: parseCount(flags.minEvents, '--min-events'),
        alarms: flags.alarm ?? [],
      };
      await withRollouts(flags, io, async (deps) => {
        const state = await startRollout(deps, { psarn, canary: flags.target, settings });
        io.stdout(
          flags.json
            ? `${JSON.stringify(stateJson(state))}\n`
            : `rollout ${state.id} started for ${psarn}: step ${stepLabel(state)}, ${stepPercent(state)} % to ${state.canary}` +
                `${releaseText(state)}\nthe controller advances it; watch it with \`psarn rollout status ${psarn}\`\n`,
        );
      });
    });

  withStoreOptions(rollout.command('status'))
    .description('rollouts of the table (or of <psarn>): step, canary weight, figures and why')
    .argument('[psarn]', 'show only this psARN, in detail')
    .option('--json', 'print machine-readable JSON')
    .action(async (psarn: string | undefined, flags: JsonFlags) => {
      await withRollouts(flags, io, async (deps) => {
        const all = await deps.rollouts.list();
        const states = psarn === undefined ? all : all.filter((s) => s.psarn === psarn);
        if (psarn !== undefined && states.length === 0) throw new RolloutNotFoundError(psarn);
        if (flags.json) {
          io.stdout(`${JSON.stringify({ rollouts: states.map(stateJson) })}\n`);
          return;
        }
        if (states.length === 0) {
          io.stdout('No rollouts in this table.\n');
          return;
        }
        io.stdout(psarn === undefined ? statusTable(states) : statusDetail(states[0] as RolloutState));
      });
    });

  const simple = (
    name: string,
    description: string,
    act: (deps: RolloutDeps, psarn: string) => Promise<RolloutState>,
  ): void => {
    withStoreOptions(rollout.command(name))
      .description(description)
      .argument('<psarn>', 'the psARN whose rollout to change')
      .option('--json', 'print machine-readable JSON')
      .action(async (psarn: string, flags: JsonFlags) => {
        await withRollouts(flags, io, async (deps) => {
          const state = await act(deps, psarn);
          io.stdout(
            flags.json
              ? `${JSON.stringify(stateJson(state))}\n`
              : `rollout ${state.id} of ${psarn}: ${state.status}, step ${stepLabel(state)} (${stepPercent(state)} %)` +
                  `${releaseText(state)}\n`,
          );
        });
      });
  };
  simple('pause', 'stop advancing (the gate still rolls back on a breach)', pauseRollout);
  simple('resume', 'advance again (after a drift: on the live route)', resumeRollout);
  simple('promote', 'jump to 100 % now and finish the rollout', promoteRollout);
  simple('abort', 'roll back now: restore the route as it was before the rollout', abortRollout);

  withStoreOptions(rollout.command('run'))
    .description('run the rollout controller here (what the scheduled function does)')
    .option('--once', 'one pass, then exit')
    .option('--every <duration>', 'time between passes', '10s')
    .option('--json', 'print one JSON line per report')
    .action(async (flags: RunFlags) => {
      const every = parseDuration(flags.every, '--every');
      await withRollouts(flags, io, async (deps) => {
        const print = (reports: readonly TickReport[]): void => {
          for (const r of reports) {
            io.stdout(
              flags.json ? `${JSON.stringify(r)}\n` : `${r.psarn} ${r.id} ${r.outcome}: ${r.detail}\n`,
            );
          }
        };
        if (flags.once) {
          const reports = await runControllerOnce(deps);
          if (reports.length === 0 && !flags.json) io.stdout('No active rollouts.\n');
          print(reports);
          return;
        }
        const stop = new AbortController();
        const onSignal = (): void => stop.abort();
        process.once('SIGINT', onSignal);
        try {
          while (!stop.signal.aborted) {
            print(await runControllerOnce(deps));
            await sleep(every, stop.signal);
          }
        } finally {
          process.off('SIGINT', onSignal);
        }
      });
    });
};

async function withRollouts(
  flags: StoreFlags,
  io: CliIo,
  use: (deps: RolloutDeps) => Promise<void>,
): Promise<void> {
  const target = resolveStoreTarget(flags, io.env);
  const client = dynamoClientFor(target, io.env);
  try {
    await guardStage(flags, io.env, target, client);
    await use(
      rolloutDeps({ client, tableName: target.tableName, by: operatorName(io.env), region: target.region }),
    );
  } finally {
    client.destroy();
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function releaseText(state: RolloutState): string {
  const last = state.releases.at(-1);
  // A step whose weights the live route already had publishes nothing (90/10 at a 10 % step).
  return last === undefined ? ' (the live route already had it: no new release)' : ` (release ${last})`;
}

/** What `--json` prints for a rollout: the state without the stored routes. */
function stateJson(state: RolloutState): Record<string, unknown> {
  const { baseRoute: _b, expectedRoute: _e, pending, ...rest } = state;
  void _b;
  void _e;
  return {
    ...rest,
    percent: stepPercent(state),
    ...(pending === undefined ? {} : { pending: pending.summary }),
  };
}

function figuresText(state: RolloutState): string {
  const f = state.figures;
  if (f === undefined) return 'none counted yet';
  const reasons = Object.entries(f.byReason)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  return `${f.delivered} delivered, ${f.failed} failed${reasons === '' ? '' : ` (${reasons})`}: ${percentText(f.failureRate)} failed`;
}

function statusTable(states: readonly RolloutState[]): string {
  const rows = states.map((s) => [
    s.psarn,
    s.id,
    s.status,
    stepLabel(s),
    `${stepPercent(s)} %`,
    String(s.figures?.delivered ?? 0),
    String(s.figures?.failed ?? 0),
    s.reason ?? '',
  ]);
  return textTable([['PSARN', 'ROLLOUT', 'STATUS', 'STEP', 'CANARY', 'DELIVERED', 'FAILED', 'WHY'], ...rows]);
}

function statusDetail(s: RolloutState): string {
  const gate =
    `failure rate > ${percentText(s.settings.maxFailureRate)} over at least ${s.settings.minEvents} copies` +
    (s.settings.alarms.length === 0 ? '' : `, or alarm ${s.settings.alarms.join(', ')} in ALARM`);
  const lines = [
    `rollout ${s.id} of ${s.psarn}: ${s.status}`,
    `  canary    ${s.canary}`,
    `  steps     ${s.settings.steps.join(', ')} %, each at least ${s.settings.intervalMs / 1000} s`,
    `  gate      ${gate}`,
    `  step      ${stepLabel(s)}: ${stepPercent(s)} %${s.stepStartedAt === undefined ? '' : ` since ${new Date(s.stepStartedAt).toISOString()}`}`,
    `  figures   ${figuresText(s)}`,
    ...(s.reason === undefined ? [] : [`  why       ${s.reason}`]),
    ...(s.pending === undefined ? [] : [`  pending   ${s.pending.summary} (claimed, not yet published)`]),
    `  releases  before: ${s.baseRelease}; published: ${s.releases.length === 0 ? 'none' : s.releases.join(', ')}`,
    `  started   ${new Date(s.createdAt).toISOString()} by ${s.createdBy}`,
  ];
  return `${lines.join('\n')}\n`;
}
