import { checkRoutes, writeChecks } from '../health/check-live';
import { HealthStore } from '../health/health-store';
import type { ProbeResult } from '../health/probe';
import type { AutoDrained } from '../health/auto-drain';
import { drainRecovered } from '../health/run-check';
import { createForwarders } from '../targets/registry';
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
  readonly autoDrain?: boolean;
}

/**
 * `psarn check`: the health of every target of the LIVE release (not the route files: that is
 * `check-targets`), each `healthy`, `unhealthy` or `removed` with its reason (`unknown` when it
 * could not be asked). With `--write` the findings go into the table's health state, and routers
 * route around unhealthy targets within epochCheckSeconds. Exit 1 when any target is unhealthy
 * or removed. With `--auto-drain` it also does what the scheduled check does for `autoDrain: true`
 * routes: re-drives the copies parked for targets whose circuit closed (src/health/auto-drain.ts).
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
    .option(
      '--auto-drain',
      'drain what open circuits parked for recovered targets of autoDrain routes, as the scheduled check does',
    )
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
        const health = new HealthStore({ client, tableName: target.tableName });
        const written = flags.write === true ? await writeChecks(health, targets) : undefined;
        let drained: AutoDrained[] | undefined;
        if (flags.autoDrain === true) {
          const env = {
            ...io.env,
            ...(flags.region === undefined ? {} : { AWS_REGION: flags.region }),
            ...(flags.profile === undefined ? {} : { AWS_PROFILE: flags.profile }),
          };
          // The one composition point; no breaker: the check decides whether a circuit closed.
          const registry = createForwarders({ env, clientsFor });
          made.push(registry.clients);
          drained = await drainRecovered(
            { dynamo: client, tableName: target.tableName, clientsFor },
            { registry },
            { release, routes, targets, health },
          );
        }
        if (flags.json === true) {
          io.stdout(
            `${JSON.stringify({ release, targets, ...(written === undefined ? {} : { healthVersion: written.version }), ...(drained === undefined ? {} : { drained }) }, null, 2)}\n`,
          );
        } else {
          io.stdout(
            render(release, targets, written) + (drained === undefined ? '' : renderDrained(drained)),
          );
        }
        if (targets.some((t) => t.status === 'unhealthy' || t.status === 'removed')) setExit(1);
        if (drained?.some((d) => d.kept > 0 || d.note !== undefined) === true) setExit(1);
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

/** The auto-drain part of the human output. */
function renderDrained(drained: readonly AutoDrained[]): string {
  if (drained.length === 0) return 'auto-drain: nothing parked for a recovered target\n';
  const rows = [
    ['route', 'target', 'delivered', 'kept', 'note'],
    ...drained.map((d) => [d.psarn, d.target, String(d.delivered), String(d.kept), d.note ?? '']),
  ];
  return `auto-drain (kept copies stay in the park queue for the next run):\n${textTable(rows)}\n`;
}
