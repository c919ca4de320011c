import { loadRoutes, routeContextFrom, type LoadResult } from '../routes/load';
import type { CliIo } from './io';
import { checkStageName, declaredStages } from './stages';

/** The local stack's region and account (src/local): what `npm start` applies routes/ with. */
const LOCAL_DEFAULTS = { region: 'us-east-1', account: '000000000000' } as const;

/**
 * Loads route files for commands that only read them (validate, resolve, graph). These must work
 * on a fresh clone with nothing configured: when files use `${region}` or `${account}` and no
 * flag or environment variable gives it, the local stack's value is used, with a note on stderr
 * saying so. Commands that write to a real table (plan, apply) fail instead.
 *
 * @example
 * const result = await loadRoutesOffline({ dir: 'routes' }, io);
 */
export async function loadRoutesOffline(
  flags: {
    readonly dir: string;
    readonly stage?: string | undefined;
    readonly region?: string | undefined;
    readonly account?: string | undefined;
  },
  io: CliIo,
): Promise<LoadResult> {
  const stageFrom = flags.stage !== undefined ? '--stage' : 'PSARN_STAGE';
  checkStageName(routeContextFrom(flags, io.env).stage, io.cwd, stageFrom);
  const declared = declaredStages(io.cwd);
  const context = {
    ...routeContextFrom(flags, io.env),
    ...(declared === undefined ? {} : { stages: declared.stages }),
  };
  const result = await loadRoutes({ dir: flags.dir, context, cwd: io.cwd });
  const unset = (name: 'region' | 'account') =>
    context[name] === undefined &&
    result.issues.some((i) => i.message.startsWith(`\${${name}} has no value`));
  const missing = (['region', 'account'] as const).filter(unset);
  if (missing.length === 0) return result;
  const hints = { region: '--region or AWS_REGION', account: '--account or PSARN_ACCOUNT' };
  io.stderr(
    `note: ${missing.map((m) => `\${${m}} = ${LOCAL_DEFAULTS[m]}`).join(', ')} (the local stack's; set ` +
      `${missing.map((m) => hints[m]).join(' / ')} for yours)\n`,
  );
  return loadRoutes({ dir: flags.dir, context: { ...LOCAL_DEFAULTS, ...context }, cwd: io.cwd });
}
