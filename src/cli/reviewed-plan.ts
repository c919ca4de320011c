import { planRoutes, type RoutePlan } from '../control/route-plan';
import { renderPlan } from '../control/render-plan';
import type { Route } from '../routes/model';
import { RemovalsNotConfirmedError } from '../errors';
import { confirm, type ConfirmSource } from './confirm';
import { ExitCode, type CliIo } from './io';

export interface ReviewOptions {
  readonly io: CliIo;
  readonly live: { readonly release: number; readonly routes: readonly Route[] };
  readonly next: readonly Route[];
  readonly json: boolean | undefined;
  readonly yes: boolean | undefined;
  /** The yes/no question shown before publishing. */
  readonly question: string;
  /** The command's name, for the prompt's "refuse off a terminal" message and the cancel line. */
  readonly command: 'apply' | 'rollback';
  readonly confirmSource: ConfirmSource | undefined;
  readonly setExit: (code: number) => void;
  /**
   * When given, a plan that removes live routes is refused under `--yes` unless `allowed`
   * (`--allow-removals`): removing routes takes explicit intent. On a terminal the question
   * itself is the confirmation.
   */
  readonly removals?: { readonly allowed: boolean; readonly tableName: string; readonly dir: string };
}

/**
 * What `apply` and `rollback` do before they publish: show the plan of `next` against the live
 * release, stop when nothing changes, and ask unless `--yes`. Returns the plan to publish, or
 * undefined when there is nothing to do or the operator said no.
 *
 * @example
 * const plan = await reviewedPlan({ io, live, next: routes, json, yes, question, command: 'apply', confirmSource, setExit });
 * if (plan !== undefined) await store.publishRelease(routes, meta);
 */
export async function reviewedPlan(options: ReviewOptions): Promise<RoutePlan | undefined> {
  const { io, live } = options;
  const plan = planRoutes(live.routes, options.next);
  if (options.json !== true) io.stdout(renderPlan(plan, live.release));
  if (plan.entries.length === 0) {
    if (options.json === true) {
      io.stdout(`${JSON.stringify({ release: live.release, added: [], changed: [], removed: [] })}\n`);
    }
    return undefined;
  }
  const removed = plan.entries.filter((e) => e.kind === 'removed').map((e) => e.psarn);
  const { removals } = options;
  if (removals !== undefined && removed.length > 0 && options.yes === true && !removals.allowed) {
    throw new RemovalsNotConfirmedError(removed, removals.tableName, removals.dir);
  }
  if (options.yes !== true) {
    const ok = await confirm(options.question, {
      command: options.command,
      ...(options.confirmSource ? { source: options.confirmSource } : {}),
    });
    if (!ok) {
      const name = options.command === 'apply' ? 'Apply' : 'Rollback';
      io.stderr(`${name} cancelled: nothing was changed.\n`);
      options.setExit(ExitCode.userError);
      return undefined;
    }
  }
  return plan;
}
