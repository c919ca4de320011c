import type { Command } from 'commander';
import { RouteValidationError } from '../errors';
import { warnUnreachableTargets } from '../deploy/reach-warning';
import { loadRoutes, routeContextFrom, routesOrThrow } from '../routes/load';
import type { Route } from '../routes/model';
import type { RegisterCommand } from './commands';
import type { ConfirmSource } from './confirm';
import { reviewedPlan } from './reviewed-plan';
import type { CliIo } from './io';
import { registeredRoutes } from './registered-routes';
import { renderRegistrations } from '../registration/report';
import { releaseJson, releaseLine } from './release-report';
import { withReleaseStore, operatorName, withStoreOptions, type StoreFlags } from './store-options';

/** Flags of the commands that read `routes/` for a stage (apply, plan). */
export interface RouteDirFlags extends StoreFlags {
  readonly dir: string;
  readonly account?: string;
}

interface ApplyFlags extends RouteDirFlags {
  readonly yes?: boolean;
  readonly json?: boolean;
  readonly allowRemovals?: boolean;
}

/** Add `--dir` and `--account` (route file substitution) to a command. */
export function withRouteDirOptions(command: Command): Command {
  return command
    .option('--dir <dir>', 'directory of route files', 'routes')
    .option('--account <id>', 'account for ${account} (default PSARN_ACCOUNT or AWS_ACCOUNT_ID)');
}

/**
 * Load and validate `--dir` for the stage; any route error throws RouteValidationError (exit 1).
 * Route files that define no route at all are an error too: publishing them would remove every
 * live route (a directory whose only file is comments).
 */
export async function routesFromDir(flags: RouteDirFlags, io: CliIo): Promise<readonly Route[]> {
  const context = routeContextFrom(
    { stage: flags.stage, region: flags.region, account: flags.account },
    io.env,
  );
  const loaded = await loadRoutes({ dir: flags.dir, context, cwd: io.cwd });
  const routes = routesOrThrow(loaded);
  if (routes.length === 0) {
    throw new RouteValidationError([
      {
        file: flags.dir,
        line: 1,
        column: 1,
        path: '',
        message: `the route files in ${flags.dir} (${loaded.files.join(', ')}) define no route; nothing was changed. Add a route (see docs/routes.md), or pass --dir with the right directory`,
        severity: 'error',
      },
    ]);
  }
  return routes;
}

/**
 * `psarn apply`: show the plan of `--dir` against the live release, ask (unless `--yes`), then
 * publish the routes as one new release.
 *
 * @example
 * psarn apply --stage prod --yes
 */
export function applyCommand(confirmSource?: ConfirmSource): RegisterCommand {
  return (program, io, setExit) => {
    withRouteDirOptions(withStoreOptions(program.command('apply')))
      .description('publish the routes of --dir as one new release of the route table')
      .option('--yes', 'apply without asking for confirmation')
      .option('--json', 'print machine-readable JSON')
      .option('--allow-removals', 'with --yes: publish a release that removes live routes')
      .action(async (flags: ApplyFlags) => {
        const files = await routesFromDir(flags, io);
        // Registered targets were checked against the deploy record when they were registered.
        await warnUnreachableTargets(files, flags, io);
        await withReleaseStore(flags, io.env, async (store, target) => {
          // Registrations are a layer over the route files: published with them, never dropped.
          const { live, sets, merged } = await registeredRoutes(store, target, io, files);
          const routes = merged.routes;
          if (flags.json !== true) io.stdout(renderRegistrations(sets, merged.notes));
          const next = new Set(routes.map((r) => r.psarn));
          const removing = live.routes.filter((r) => !next.has(r.psarn)).length;
          const plan = await reviewedPlan({
            io,
            live,
            next: routes,
            json: flags.json,
            yes: flags.yes,
            question: `Publish these changes to ${target.tableName} as release ${live.release + 1}${
              removing === 0 ? '' : `, removing ${removing} live route${removing === 1 ? '' : 's'}`
            }?`,
            removals: { allowed: flags.allowRemovals === true, tableName: target.tableName, dir: flags.dir },
            command: 'apply',
            confirmSource,
            setExit,
          });
          if (plan === undefined) return;
          const result = await store.publishRelease(routes, {
            by: operatorName(io.env),
            basedOn: live.release,
          });
          io.stdout(
            flags.json
              ? `${JSON.stringify({ ...releaseJson(result), plan: plan.entries, ...(sets.length === 0 ? {} : { registrations: { sets, notes: merged.notes } }) })}\n`
              : `${releaseLine(result)}\n`,
          );
        });
      });
  };
}

export const registerApply: RegisterCommand = applyCommand();
