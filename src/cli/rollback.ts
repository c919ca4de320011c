import { ReleaseNotFoundError, UsageError } from '../errors';
import type { RegisterCommand } from './commands';
import type { ConfirmSource } from './confirm';
import { reviewedPlan } from './reviewed-plan';
import { liveRoutes } from './live-routes';
import { releaseJson, releaseLine } from './release-report';
import { operatorName, withReleaseStore, withStoreOptions, type StoreFlags } from './store-options';

interface RollbackFlags extends StoreFlags {
  readonly to?: string;
  readonly yes?: boolean;
  readonly json?: boolean;
}

/**
 * `psarn rollback [--to N]`: publish a new release whose routes equal release N (default: the one
 * before the live release). History stays linear: nothing is deleted.
 *
 * @example
 * psarn rollback --to 12 --yes
 */
export function rollbackCommand(confirmSource?: ConfirmSource): RegisterCommand {
  return (program, io, setExit) => {
    withStoreOptions(program.command('rollback'))
      .description('publish a new release equal to release N (default: the previous release)')
      .option('--to <release>', 'the release to restore')
      .option('--yes', 'roll back without asking for confirmation')
      .option('--json', 'print machine-readable JSON')
      .action(async (flags: RollbackFlags) => {
        if (flags.to !== undefined && !/^\d+$/.test(flags.to)) {
          throw new UsageError(`--to must be a release number, got "${flags.to}"`);
        }
        await withReleaseStore(flags, io.env, async (store, target) => {
          const live = await liveRoutes(store);
          const to = flags.to === undefined ? live.release - 1 : Number(flags.to);
          if (to < 1) throw new ReleaseNotFoundError(to, live.release);
          const routes = await store.routesAt(to);
          const plan = await reviewedPlan({
            io,
            live,
            next: routes,
            json: flags.json,
            yes: flags.yes,
            question: `Publish the routes of release ${to} to ${target.tableName} as release ${live.release + 1}?`,
            command: 'rollback',
            confirmSource,
            setExit,
          });
          if (plan === undefined) return;
          const result = await store.publishRelease(routes, {
            basedOn: live.release,
            by: operatorName(io.env),
            from: to,
            summary: `rollback to release ${to}`,
          });
          io.stdout(
            flags.json
              ? `${JSON.stringify({ ...releaseJson(result), from: to })}\n`
              : `${releaseLine(result)} (the routes of release ${to})\n`,
          );
        });
      });
  };
}

export const registerRollback: RegisterCommand = rollbackCommand();
