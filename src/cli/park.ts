import type { Command } from 'commander';
import { describeChange } from '../control/route-plan';
import { NotParkableError, RouteNotFoundError } from '../errors';
import type { RegisterCommand } from './commands';
import type { CliIo } from './io';
import { liveRoutes } from './live-routes';
import { releaseJson, releaseLine } from './release-report';
import { operatorName, withReleaseStore, withStoreOptions, type StoreFlags } from './store-options';

interface ParkFlags extends StoreFlags {
  readonly json?: boolean;
}

/**
 * `psarn park <psarn>` / `psarn unpark <psarn>`: a new release that changes only `park.enabled`
 * of the live route. Parked events wait in the route's holding queue until `psarn drain`.
 * The route files still say what they say: the next `psarn apply` shows the difference.
 *
 * @example
 * psarn park arn:aws:psarns:eu-west-1:123456789012:/event/newUser
 */
export const registerPark: RegisterCommand = (program, io) => {
  parkCommand(program, io, 'park', true);
};

export const registerUnpark: RegisterCommand = (program, io) => {
  parkCommand(program, io, 'unpark', false);
};

function parkCommand(program: Command, io: CliIo, name: 'park' | 'unpark', enabled: boolean): void {
  withStoreOptions(program.command(name))
    .description(
      enabled
        ? 'hold every event of <psarn> in its park queue (a new release)'
        : 'deliver events of <psarn> again (a new release); drain the park queue after',
    )
    .argument('<psarn>', 'the psARN whose route to change')
    .option('--json', 'print machine-readable JSON')
    .action(async (psarn: string, flags: ParkFlags) => {
      await withReleaseStore(flags, io.env, async (store) => {
        const live = await liveRoutes(store);
        const route = live.routes.find((r) => r.psarn === psarn);
        if (route === undefined) throw new RouteNotFoundError(psarn);
        if (route.park === undefined) throw new NotParkableError(psarn);
        if (route.park.enabled === enabled) {
          io.stdout(
            flags.json
              ? `${JSON.stringify({ release: live.release, added: [], changed: [], removed: [] })}\n`
              : `${psarn} is already ${enabled ? 'parked' : 'unparked'} in release ${live.release}: nothing to do\n`,
          );
          return;
        }
        const changed = { ...route, park: { ...route.park, enabled } };
        const routes = live.routes.map((r) => (r.psarn === psarn ? changed : r));
        const result = await store.publishRelease(routes, {
          basedOn: live.release,
          by: operatorName(io.env),
          summary: `${name} ${psarn}`,
        });
        io.stdout(
          flags.json
            ? `${JSON.stringify(releaseJson(result))}\n`
            : `~ ${psarn}\n    ${describeChange(route, changed).join('\n    ')}\n${releaseLine(result)}\n`,
        );
      });
    });
}
