/**
 * What the consumer-side osls plugin (serverless/register/index.js, `plugins: [psarn-router/serverless]`)
 * calls. Like plugin-api.ts it is bundled with esbuild when the plugin loads, so a deploy
 * registers with the very code `psarn register` runs, through the same release machinery.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { checkTableStage } from '../cli/stages';
import { formatReachWarning } from './reach-warning';
import { StoreUnavailableError } from '../errors';
import { RegistrationInvalidError } from '../registration/errors';
import { registrantOf, type Registration } from '../registration/model';
import { parseRegistration } from '../registration/parse';
import { deregisterSet, registerSet } from '../registration/register';
import { noteLine, registrationLine } from '../registration/report';
import { releaseLine } from '../cli/release-report';
import { DynamoReleaseStore } from '../store/dynamo-release-store';
import { registrationTarget, type ConsumerService, type PhysicalIdOf } from './registration-targets';
/** Who a release is by (PSARN_USER, else user@host): the CLI's own rule, for the plugin's releases. */
export { operatorName } from '../cli/store-options';

export type { ConsumerService, PhysicalIdOf } from './registration-targets';

export interface RegistrationConfig extends ConsumerService {
  /** `custom.psarn.register` as written. */
  readonly register: unknown;
}

export interface TableOptions {
  /** The router stage's route table (`psarn-<stage>-routes` unless `custom.psarn.table`). */
  readonly tableName: string;
  /** The stage the table belongs to (the router's stage: the consumer's, unless `custom.psarn.routerStage`). */
  readonly tableStage: string;
  readonly by: string;
  readonly credentials?: DynamoDBClientConfig['credentials'];
  readonly endpoint?: string;
}

/** What the deploy log shows: notices, and warnings (never errors). */
export interface RegistrationReport {
  readonly notices: readonly string[];
  readonly warnings: readonly string[];
}

/**
 * Check `custom.psarn.register` and turn it into registrations. Throws RegistrationInvalidError
 * (naming `custom.psarn.register[i].<field>`) on the first bad entry. At package time, before
 * anything is deployed, `physicalId` answers undefined and an account placeholder is fine.
 *
 * @example
 * await registrationsOf({ ...service, register: [{ psarn: '/event/newUser', function: 'signupV3', fanout: true }] }, async () => undefined)
 */
export async function registrationsOf(
  config: RegistrationConfig,
  physicalId: PhysicalIdOf,
): Promise<Registration[]> {
  if (config.register === undefined || config.register === null) return [];
  if (!Array.isArray(config.register)) {
    throw new RegistrationInvalidError(
      'custom.psarn.register',
      'must be a list, like [{ psarn: /event/newUser, function: signupV3, split: { weight: 10 } }]',
    );
  }
  const out: Registration[] = [];
  for (const [i, entry] of (config.register as unknown[]).entries()) {
    const raw = await registrationTarget(entry, i, config, physicalId);
    out.push(parseRegistration(raw, `custom.psarn.register[${i}]`, config));
  }
  return out;
}

/**
 * After `serverless deploy`: replace what `<service>/<stage>` registered with `custom.psarn.register`
 * and publish the merged release. A re-deploy with the same list writes nothing.
 */
export async function registerService(
  config: RegistrationConfig,
  table: TableOptions,
  physicalId: PhysicalIdOf,
): Promise<RegistrationReport> {
  const registrations = await registrationsOf(config, physicalId);
  const registrant = registrantOf(config.service, config.stage);
  try {
    return await registerInTable(config, table, registrant, registrations);
  } catch (err) {
    if (!tableMissing(err)) throw err;
    throw new RegistrationInvalidError(
      'custom.psarn.table',
      `route table ${table.tableName} does not exist in ${config.region}: deploy the router's stage ${table.tableStage} first, or set custom.psarn.table (or routerStage) to the router's table`,
    );
  }
}

/** A store error caused by a table that does not exist (ResourceNotFoundException). */
function tableMissing(err: unknown): boolean {
  const cause = err instanceof StoreUnavailableError ? (err.cause as Error | undefined) : undefined;
  return cause?.name === 'ResourceNotFoundException';
}

async function registerInTable(
  config: RegistrationConfig,
  table: TableOptions,
  registrant: string,
  registrations: readonly Registration[],
): Promise<RegistrationReport> {
  return withTable(config.region, table, async (client, releases) => {
    const outcome = await registerSet(
      { client, tableName: table.tableName, releases, by: table.by },
      registrant,
      registrations,
    );
    const notices = [
      `psarn: registered ${registrant} in ${table.tableName}: ${registrations.length} target(s)`,
      ...registrations.map((r) => `psarn:   ${registrationLine(r)}`),
      `psarn: ${outcome.result.changed.length === 0 ? `no changes: release ${outcome.result.release} already has them` : releaseLine(outcome.result)}`,
    ];
    const reach =
      outcome.reach === undefined ? '' : formatReachWarning(outcome.reach.unreachable, outcome.reach.record);
    const warnings = [
      ...outcome.mine.filter((n) => n.kind !== 'created').map(noteLine),
      ...reach.split('\n').filter((l) => l !== ''),
    ].map((l) => `psarn: ${l}`);
    return { notices, warnings };
  });
}

/**
 * Before `serverless remove`: remove what `<service>/<stage>` registered, so the router stops
 * sending to targets about to be deleted. A service that never registered, or a stage whose
 * route table is gone, is a no-op with a notice.
 */
export async function deregisterService(
  config: Pick<ConsumerService, 'service' | 'stage' | 'region'>,
  table: TableOptions,
): Promise<RegistrationReport> {
  const registrant = registrantOf(config.service, config.stage);
  try {
    return await withTable(config.region, table, async (client, releases) => {
      const { found, result } = await deregisterSet(
        { client, tableName: table.tableName, releases, by: table.by },
        registrant,
      );
      if (!found)
        return {
          notices: [`psarn: ${registrant} has no registrations in ${table.tableName}: nothing to deregister`],
          warnings: [],
        };
      return {
        notices: [`psarn: deregistered ${registrant} from ${table.tableName}: ${releaseLine(result)}`],
        warnings: [],
      };
    });
  } catch (err) {
    if (!tableMissing(err)) throw err;
    return {
      notices: [],
      warnings: [`psarn: route table ${table.tableName} does not exist: nothing to deregister`],
    };
  }
}

async function withTable<T>(
  region: string,
  table: TableOptions,
  use: (client: DynamoDBClient, releases: DynamoReleaseStore) => Promise<T>,
): Promise<T> {
  const client = new DynamoDBClient({
    region,
    ...(table.credentials === undefined ? {} : { credentials: table.credentials }),
    ...(table.endpoint === undefined ? {} : { endpoint: table.endpoint }),
  });
  try {
    await checkTableStage(
      client,
      {
        stage: table.tableStage,
        stageFrom: 'the service stage',
        tableName: table.tableName,
        tableFrom: 'custom.psarn.table',
      },
      table.by,
    );
    return await use(client, new DynamoReleaseStore({ client, tableName: table.tableName }));
  } finally {
    client.destroy();
  }
}
