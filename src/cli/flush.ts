import type { RegisterCommand } from './commands';
import { operatorName, withReleaseStore, withStoreOptions, type StoreFlags } from './store-options';

interface FlushFlags extends StoreFlags {
  readonly json?: boolean;
}

/**
 * `psarn flush`: bump the epoch, so every router drops its cached routes within
 * `epochCheckSeconds` whatever their TTL (the emergency TTL override). The release stays.
 *
 * @example
 * psarn flush --stage prod
 */
export const registerFlush: RegisterCommand = (program, io) => {
  withStoreOptions(program.command('flush'))
    .description('bump the epoch: every router drops its cached routes within epochCheckSeconds')
    .option('--json', 'print machine-readable JSON')
    .action(async (flags: FlushFlags) => {
      await withReleaseStore(flags, io.env, async (store) => {
        const control = await store.bumpEpoch(operatorName(io.env));
        io.stdout(
          flags.json
            ? `${JSON.stringify({ epoch: control.epoch, release: control.release })}\n`
            : `epoch ${control.epoch}: routers drop their cached routes within epochCheckSeconds (release ${control.release} stays live)\n`,
        );
      });
    });
};
