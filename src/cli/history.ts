import type { RegisterCommand } from './commands';
import { withReleaseStore, withStoreOptions, type StoreFlags } from './store-options';
import { textTable } from './text-table';

interface HistoryFlags extends StoreFlags {
  readonly json?: boolean;
}

/**
 * `psarn history [psarn]`: the committed releases, oldest first (number, when, by, summary), or
 * only those that touched one psARN.
 *
 * @example
 * psarn history arn:aws:psarns:eu-west-1:123456789012:/event/newUser
 */
export const registerHistory: RegisterCommand = (program, io) => {
  withStoreOptions(program.command('history'))
    .description('list the releases of the route table (only those touching <psarn>, when given)')
    .argument('[psarn]', 'show only releases that changed this psARN')
    .option('--json', 'print machine-readable JSON')
    .action(async (psarn: string | undefined, flags: HistoryFlags) => {
      await withReleaseStore(flags, io.env, async (store, target) => {
        const control = await store.readControl();
        const releases = (await store.listReleases()).filter(
          (r) => psarn === undefined || r.changed.includes(psarn),
        );
        if (flags.json) {
          io.stdout(`${JSON.stringify({ live: control.release, epoch: control.epoch, releases })}\n`);
          return;
        }
        if (releases.length === 0) {
          io.stdout(
            psarn === undefined
              ? `No releases yet in ${target.tableName}.\n`
              : `No release of ${target.tableName} touched ${psarn}.\n`,
          );
          return;
        }
        const rows = releases.map((r) => [
          `${r.release}${r.release === control.release ? '*' : ''}`,
          r.at,
          r.by,
          r.from === undefined ? r.summary : `${r.summary} (copy of ${r.from})`,
          changedList(r.changed),
        ]);
        io.stdout(textTable([['RELEASE', 'WHEN', 'BY', 'SUMMARY', 'CHANGED'], ...rows]));
        io.stdout(`* live release; epoch ${control.epoch}\n`);
      });
    });
};

/** At most this many psARNs per release in the table; `--json` lists them all. */
const CHANGED_SHOWN = 5;

/**
 * The psARNs a release changed, by path when the region and account are those of the first.
 *
 * @example
 * changedList(['arn:aws:psarns:eu-west-1:123456789012:/event/a']) // '/event/a'
 */
export function changedList(changed: readonly string[]): string {
  if (changed.length === 0) return '-';
  const prefix = (arn: string): string => arn.slice(0, arn.indexOf(':/') + 1);
  const common = prefix(changed[0] as string);
  const short = changed.map((p) => (prefix(p) === common && common !== '' ? p.slice(common.length) : p));
  const shown = short.slice(0, CHANGED_SHOWN).join(', ');
  return changed.length > CHANGED_SHOWN ? `${shown} +${changed.length - CHANGED_SHOWN} more (--json)` : shown;
}
