import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoReleaseStore } from '../store/dynamo-release-store';
import type { AwsClients } from '../targets/clients';
import { checkRoutes, writeChecks } from './check-live';
import { HealthStore } from './health-store';
import type { ProbeResult } from './probe';

export interface HealthCheckRun {
  readonly release: number;
  readonly healthVersion: number;
  readonly targets: readonly ProbeResult[];
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
}): Promise<HealthCheckRun> {
  const releases = new DynamoReleaseStore({ client: deps.dynamo, tableName: deps.tableName });
  const { release } = await releases.readControl();
  const routes = release === 0 ? [] : await releases.routesAt(release);
  const targets = await checkRoutes(routes, deps.clientsFor);
  const { version } = await writeChecks(
    new HealthStore({ client: deps.dynamo, tableName: deps.tableName }),
    targets,
  );
  return { release, healthVersion: version, targets };
}

/** One line for a run: counts per status, and each target that is not healthy with its reason. */
export function describeRun(run: HealthCheckRun): string {
  const bad = run.targets.filter((t) => t.status !== 'healthy');
  const healthy = run.targets.length - bad.length;
  return (
    `health check of release ${run.release}: ${healthy} of ${run.targets.length} targets healthy (health version ${run.healthVersion})` +
    bad.map((t) => `; ${t.arn} ${t.status === 'unknown' ? 'not checked' : t.status}: ${t.reason}`).join('')
  );
}
