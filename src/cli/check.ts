import { checkRoutes, writeChecks } from '../health/check-live';
import { HealthStore } from '../health/health-store';
import type { ProbeResult } from '../health/probe';
import { DynamoReleaseStore } from '../store/dynamo-release-store';
import { destroyAwsClients, regionalClients, type AwsClients } from '../targets/clients';
import type { RegisterCommand } from './commands';
import { liveRoutes } from './live-routes';
import {
  dynamoClientFor,
  guardStage,
  resolveStoreTarget,
  withStoreOptions,
  type StoreFlags,
} from './store-options';
import { textTable } from './text-table';

interface CheckFlags extends StoreFlags {
  readonly write?: boolean;
  readonly json?: boolean;
}

/**
 * `psarn check`: the health of every target of the LIVE release (not the route files: that is
 * `check-targets`), each `healthy`, `unhealthy` or `removed` with its reason (`unknown` when it
 * could not be asked). With `--write` the findings go into the table's health state, and routers
 * route around unhealthy targets within epochCheckSeconds. Exit 1 when any target is unhealthy
 * or removed.
 *
 * @example
 * psarn check --stage prod --write
 */
export const registerCheck: RegisterCommand = (program, io, setExit) => {
  withStoreOptions(program.command('check'))
    .description(
      'check the health of every target of the live release (--write: routers route around the unhealthy)',
    )
    .option('--write', 'record the result in the health state routers read')
    .option('--json', 'print machine-readable JSON')
    .action(async (flags: CheckFlags) => {
      const target = resolveStoreTarget(flags, io.env);
      const client = dynamoClientFor(target, io.env);
      const made: AwsClients[] = [];
      const regional = regionalClients(io.env);
      const clientsFor = (region: string): AwsClients => {
        const c = regional(region);
        if (!made.includes(c)) made.push(c);
        return c;
      };
      try {
        await guardStage(flags, io.env, target, client);
        const { release, routes } = await liveRoutes(
          new DynamoReleaseStore({ client, tableName: target.tableName }),
        );
        const targets = await checkRoutes(routes, clientsFor);
        const written =
          flags.write === true
            ? await writeChecks(new HealthStore({ client, tableName: target.tableName }), targets)
            : undefined;
        if (flags.json === true) {
          io.stdout(
            `${JSON.stringify({ release, targets, ...(written === undefined ? {} : { healthVersion: written.version }) }, null, 2)}\n`,
          );
        } else {
          io.stdout(render(release, targets, written));
        }
        if (targets.some((t) => t.status === 'unhealthy' || t.status === 'removed')) setExit(1);
      } finally {
        for (const c of made) destroyAwsClients(c);
        client.destroy();
      }
    });
};

function render(
  release: number,
  targets: readonly ProbeResult[],
  written: { version: number; written: number } | undefined,
): string {
  if (targets.length === 0) return `release ${release} has no targets to check\n`;
  const rows = [['target', 'status', 'reason'], ...targets.map((t) => [t.arn, t.status, t.reason])];
  const count = (status: ProbeResult['status']): number => targets.filter((t) => t.status === status).length;
  const summary =
    `${count('healthy')} of ${targets.length} targets of release ${release} healthy` +
    (['unhealthy', 'removed', 'unknown'] as const)
      .filter((s) => count(s) > 0)
      .map((s) => `, ${count(s)} ${s === 'unknown' ? 'not checked' : s}`)
      .join('');
  const tail =
    written === undefined
      ? 'not recorded: pass --write so routers route around unhealthy targets'
      : `recorded as health version ${written.version}: routers follow within epochCheckSeconds`;
  return `${textTable(rows)}\n${summary}\n${tail}\n`;
}
