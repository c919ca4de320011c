/**
 * What the osls plugin (serverless/plugin/index.js) calls. The plugin is plain CommonJS with no
 * build step of its own: it bundles this file with esbuild when it loads, so packaging validates
 * routes with the very code `psarn validate` runs.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { loadRoutes, routesOrThrow } from '../routes/load';
import { writeDeployRecord, type DeployRecord } from './deploy-record';
import type { IamMode } from './iam-statements';
import { allowedTargetPatterns, partitionOfRegion } from './reach';
/** Who a release is by (PSARN_USER, else user@host): the CLI's own rule, for the plugin's releases. */
export { operatorName } from '../cli/store-options';

export { packagePolicy, type PackagePolicy, type PackagePolicyOptions } from './package-policy';

export interface RecordDeployOptions {
  readonly dir: string;
  readonly cwd: string;
  readonly stage: string;
  readonly region: string;
  /** The account deployed to (STS, after the deploy): ARNs in the record are concrete. */
  readonly account: string;
  readonly mode: IamMode;
  readonly tableName: string;
  readonly by: string;
  /** The deploying credentials, as osls resolved them (profile, env, SSO…). */
  readonly credentials?: DynamoDBClientConfig['credentials'];
  readonly endpoint?: string;
}

/**
 * Write the deploy record: what the role just deployed allows, with every `${account}` now
 * the real account. Returns the record for the deploy log.
 *
 * @example
 * await recordDeploy({ dir: 'routes', cwd, stage: 'prod', region: 'eu-west-1', account: '123456789012', mode: 'exact', tableName: 'psarn-prod-routes', by: 'ci' });
 */
export async function recordDeploy(options: RecordDeployOptions): Promise<DeployRecord> {
  const { stage, region, account } = options;
  const routes = routesOrThrow(
    await loadRoutes({ dir: options.dir, cwd: options.cwd, context: { stage, region, account } }),
  );
  const record: DeployRecord = {
    iam: options.mode,
    allowed: allowedTargetPatterns(routes, options.mode, partitionOfRegion(region)),
    stage,
    region,
    account,
    at: new Date().toISOString(),
    by: options.by,
  };
  const client = new DynamoDBClient({
    region,
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
  });
  try {
    await writeDeployRecord(client, options.tableName, record);
  } finally {
    client.destroy();
  }
  return record;
}
