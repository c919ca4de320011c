import { planRoutes } from '../control/route-plan';
import { renderPlan } from '../control/render-plan';
import { routesFromDir, withRouteDirOptions, type RouteDirFlags } from './apply';
import type { RegisterCommand } from './commands';
import { ExitCode } from './io';
import { registeredRoutes } from './registered-routes';
import { renderRegistrations } from '../registration/report';
import { withReleaseStore, withStoreOptions } from './store-options';

interface PlanFlags extends RouteDirFlags {
  readonly json?: boolean;
}

/**
 * `psarn plan`: the semantic diff of `--dir` against the live release, per psARN. Exit 0 when
 * nothing would change, 3 when something would (like `terraform plan -detailed-exitcode`), 1 on
 * errors.
 *
 * @example
 * psarn plan --stage prod --json
 */
export const registerPlan: RegisterCommand = (program, io, setExit) => {
  withRouteDirOptions(withStoreOptions(program.command('plan')))
    .description('show what apply would change in the live release (exit 3 when it would change something)')
    .option('--json', 'print machine-readable JSON')
    .action(async (flags: PlanFlags) => {
      const files = await routesFromDir(flags, io);
      await withReleaseStore(flags, io.env, async (store, target) => {
        // What apply would publish: the route files with the stage's registrations merged in.
        const { live, sets, merged } = await registeredRoutes(store, target, io, files);
        const plan = planRoutes(live.routes, merged.routes);
        const registrations = sets.length === 0 ? {} : { registrations: { sets, notes: merged.notes } };
        io.stdout(
          flags.json
            ? `${JSON.stringify({ release: live.release, stage: target.stage, table: target.tableName, counts: plan.counts, changes: plan.entries, ...registrations })}\n`
            : `${renderRegistrations(sets, merged.notes)}${renderPlan(plan, live.release)}`,
        );
        if (plan.entries.length > 0) setExit(ExitCode.changes);
      });
    });
};
