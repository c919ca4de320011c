import { UsageError } from '../errors';
import { deregisterSet, registerSet } from '../registration/register';
import { RegistrationStore } from '../registration/registration-store';
import type { RegisterCommand } from './commands';
import { releaseJson, releaseLine } from './release-report';
import { withRegistrationTarget, type RegistrantFlags } from './register';
import { withStoreOptions } from './store-options';
import type { PublishResult } from '../store/release-store';

interface DeregisterFlags extends RegistrantFlags {
  readonly psarn?: string;
  readonly target?: string;
}

/**
 * `psarn deregister`: what `serverless remove` does, by hand. Without `--psarn`, everything the
 * service registered for the stage goes; with it (and optionally `--target`), only those
 * registrations. A service that registered nothing is a no-op that says so (exit 0), so a remove
 * retried, or of a service that never registered, is harmless.
 *
 * @example
 * psarn deregister --service signup --stage prod
 */
export const registerDeregister: RegisterCommand = (program, io) => {
  withStoreOptions(program.command('deregister'))
    .description("remove a consumer service's registrations from the routes (a new release)")
    .option('--service <name>', 'the consumer service whose registrations to remove')
    .option('--psarn <psarn>', 'only the registrations on this psARN')
    .option('--target <arn>', 'with --psarn: only the registration of this target')
    .option('--json', 'print machine-readable JSON')
    .action(async (flags: DeregisterFlags) => {
      if (flags.target !== undefined && flags.psarn === undefined) {
        throw new UsageError('--target needs --psarn: the route the target is registered on');
      }
      await withRegistrationTarget(flags, io, async (target, _where, registrant) => {
        let found: boolean;
        let result: PublishResult | undefined;
        if (flags.psarn === undefined) {
          ({ found, result } = await deregisterSet(target, registrant));
        } else {
          const set = (await new RegistrationStore(target.client, target.tableName).list()).find(
            (s) => s.registrant === registrant,
          );
          const all = set?.registrations ?? [];
          const keep = all.filter(
            (r) =>
              !(
                (r.psarn === flags.psarn || r.psarn.endsWith(`:${flags.psarn ?? ''}`)) &&
                (flags.target === undefined || r.target.arn === flags.target)
              ),
          );
          found = keep.length < all.length;
          if (!found) result = undefined;
          else if (keep.length === 0) ({ result } = await deregisterSet(target, registrant));
          else ({ result } = await registerSet(target, registrant, keep, { check: false }));
        }
        if (!found || result === undefined) {
          const what =
            flags.psarn === undefined
              ? 'no registrations'
              : `no registration on ${flags.psarn}${flags.target === undefined ? '' : ` of ${flags.target}`}`;
          io.stdout(
            flags.json
              ? `${JSON.stringify({ registrant, found: false, release: result?.release ?? null, added: [], changed: [], removed: [] })}\n`
              : `${registrant} has ${what} in ${target.tableName}: nothing to deregister\n`,
          );
          return;
        }
        io.stdout(
          flags.json
            ? `${JSON.stringify({ registrant, found: true, ...releaseJson(result) })}\n`
            : `deregistered ${registrant} from ${target.tableName}\n${result.changed.length === 0 ? `No changes: release ${result.release} had none of its targets.` : releaseLine(result)}\n`,
        );
      });
    });
};
