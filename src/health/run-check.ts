import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoReleaseStore } from '../store/dynamo-release-store';
import type { AwsClients } from '../targets/clients';
import { checkRoutes, writeChecks } from './check-live';
import { HealthStore } from './health-store';
import type { ProbeResult } from './probe';
import { autoDrain, type AutoDrained } from './auto-drain';
import { DynamoLedger } from '../store/dynamo-ledger';
import type { ForwarderRegistry } from '../targets/registry';
import type { Route } from '../routes/model';

export interface HealthCheckRun {
  readonly release: number;
  readonly healthVersion: number;
  readonly targets: readonly ProbeResult[];
  /** Parked copies taken back for recovered targets of `autoDrain` routes (when auto-drain ran). */
  readonly drained?: readonly AutoDrained[];
}

/** Auto-drain's part of a run: the forwarders it re-drives through, and its bounds. */
export interface AutoDrainSettings {
  /** From createForwarders, without a breaker. */
  readonly registry: ForwarderRegistry;
  readonly limit?: number;
  readonly budgetMs?: number;
}

/**
 * One scheduled check: probe every target of the live release and record the findings in the
 * health state (what `psarn check --write` does), for the check Lambda and `npm start`.
 *
 * @example
 * const run = await runHealthCheck({ dynamo, tableName, clientsFor: regionalClients() });
 */
export async function runHealthCheck(deps: {
  readonly dynamo: DynamoDBClient;
  readonly tableName: string;
  readonly clientsFor: (region: string) => AwsClients;
  /** Drain what open circuits parked for targets that recovered (autoDrain routes); omitted: no. */
  readonly autoDrain?: AutoDrainSettings;
}): Promise<HealthCheckRun> {
  const releases = new DynamoReleaseStore({ client: deps.dynamo, tableName: deps.tableName });
  const { release } = await releases.readControl();
  const routes = release === 0 ? [] : await releases.routesAt(release);
  const targets = await checkRoutes(routes, deps.clientsFor);
  const health = new HealthStore({ client: deps.dynamo, tableName: deps.tableName });
  const { version } = await writeChecks(health, targets);
  if (deps.autoDrain === undefined) return { release, healthVersion: version, targets };
  const drained = await drainRecovered(deps, deps.autoDrain, { release, routes, targets, health });
  return { release, healthVersion: version, targets, drained };
}

/**
 * Auto-drain after the findings are written: the circuits as the table holds them now (a
 * consistent read, so a router's `closed` record written a moment ago counts), and this run's
 * probes for which targets are healthy.
 */
export async function drainRecovered(
  deps: {
    readonly dynamo: DynamoDBClient;
    readonly tableName: string;
    readonly clientsFor: (region: string) => AwsClients;
  },
  settings: AutoDrainSettings,
  run: {
    readonly release: number;
    readonly routes: readonly Route[];
    readonly targets: readonly ProbeResult[];
    readonly health: HealthStore;
  },
): Promise<AutoDrained[]> {
  if (!run.routes.some((r) => r.autoDrain === true)) return [];
  const state = await run.health.read({ consistent: true });
  return autoDrain({
    routes: run.routes,
    release: run.release,
    state,
    probes: run.targets,
    registry: settings.registry,
    sqsFor: (region) => deps.clientsFor(region).sqs,
    ledger: new DynamoLedger({ client: deps.dynamo, tableName: deps.tableName }),
    ...(settings.limit === undefined ? {} : { limit: settings.limit }),
    ...(settings.budgetMs === undefined ? {} : { budgetMs: settings.budgetMs }),
  });
}

/** One line for a run: counts per status, and each target that is not healthy with its reason. */
export function describeRun(run: HealthCheckRun): string {
  const bad = run.targets.filter((t) => t.status !== 'healthy');
  const healthy = run.targets.length - bad.length;
  return (
    `health check of release ${run.release}: ${healthy} of ${run.targets.length} targets healthy (health version ${run.healthVersion})` +
    bad.map((t) => `; ${t.arn} ${t.status === 'unknown' ? 'not checked' : t.status}: ${t.reason}`).join('') +
    (run.drained ?? [])
      .map(
        (d) =>
          `; auto-drained ${d.psarn} → ${d.target}: ${d.delivered} delivered, ${d.kept} kept${d.note === undefined ? '' : ` (${d.note})`}`,
      )
      .join('')
  );
}
