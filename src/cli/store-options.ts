import { hostname, userInfo } from 'node:os';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { Command } from 'commander';
import { UsageError } from '../errors';
import { DEFAULT_STAGE } from '../routes/context';
import { DynamoReleaseStore } from '../store/dynamo-release-store';
import { checkStageName, checkTableStage } from './stages';

/** The flags every command that talks to the route table accepts. */
export interface StoreFlags {
  readonly table?: string;
  readonly region?: string;
  readonly endpoint?: string;
  readonly profile?: string;
  readonly stage?: string;
}

/** Where the route table is, resolved from flags, then the environment (DESIGN.md "CLI"). */
export interface StoreTarget {
  readonly stage: string;
  readonly tableName: string;
  readonly region: string;
  readonly endpoint?: string;
  readonly profile?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Add `--table`, `--region`, `--endpoint`, `--profile`, `--stage` to a command.
 *
 * @example
 * withStoreOptions(program.command('history')).action(async (flags: StoreFlags) => …);
 */
export function withStoreOptions(command: Command): Command {
  return command
    .option('--stage <stage>', `stage (default PSARN_STAGE or ${DEFAULT_STAGE})`)
    .option('--table <name>', 'route table (default PSARN_TABLE or psarn-<stage>-routes)')
    .option('--region <region>', 'AWS region (default AWS_REGION or AWS_DEFAULT_REGION)')
    .option('--endpoint <url>', 'DynamoDB endpoint (default AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL)')
    .option('--profile <name>', 'AWS profile for credentials (default AWS_PROFILE)');
}

/**
 * Resolve the table, region and endpoint. A local endpoint needs no region: us-east-1 is used.
 *
 * @example
 * resolveStoreTarget({ stage: 'prod' }, { AWS_REGION: 'eu-west-1' }).tableName // 'psarn-prod-routes'
 */
export function resolveStoreTarget(flags: StoreFlags, env: Env): StoreTarget {
  const stage = first(flags.stage, env['PSARN_STAGE']) ?? DEFAULT_STAGE;
  const endpoint = first(flags.endpoint, env['AWS_ENDPOINT_URL_DYNAMODB'], env['AWS_ENDPOINT_URL']);
  const region =
    first(flags.region, env['AWS_REGION'], env['AWS_DEFAULT_REGION']) ??
    (endpoint === undefined ? undefined : 'us-east-1');
  if (region === undefined) {
    throw new UsageError('no AWS region for the route table: pass --region or set AWS_REGION');
  }
  const profile = first(flags.profile, env['AWS_PROFILE']);
  return {
    stage,
    tableName: first(flags.table, env['PSARN_TABLE']) ?? `psarn-${stage}-routes`,
    region,
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(profile === undefined ? {} : { profile }),
  };
}

/**
 * The DynamoDB client for a target, created once per command run. Credentials come from the
 * command's environment when it has keys, else the profile, else the SDK's default chain; a
 * local endpoint (dynalite) without any gets placeholder keys, since it checks none.
 */
export function dynamoClientFor(target: StoreTarget, env: Env): DynamoDBClient {
  const config: DynamoDBClientConfig = { region: target.region };
  if (target.endpoint !== undefined) config.endpoint = target.endpoint;
  const accessKeyId = first(env['AWS_ACCESS_KEY_ID']);
  const secretAccessKey = first(env['AWS_SECRET_ACCESS_KEY']);
  const sessionToken = first(env['AWS_SESSION_TOKEN']);
  if (accessKeyId !== undefined && secretAccessKey !== undefined) {
    config.credentials = {
      accessKeyId,
      secretAccessKey,
      ...(sessionToken === undefined ? {} : { sessionToken }),
    };
  } else if (target.profile !== undefined) {
    config.profile = target.profile;
  } else if (target.endpoint !== undefined) {
    config.credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  }
  return new DynamoDBClient(config);
}

/**
 * The release store of the resolved table, and where it is (for messages). The caller owns the
 * client: prefer {@link withReleaseStore}, which closes it when the command is done.
 */
export function openReleaseStore(
  flags: StoreFlags,
  env: Env,
): { store: DynamoReleaseStore; target: StoreTarget } {
  const target = resolveStoreTarget(flags, env);
  const store = new DynamoReleaseStore({ client: dynamoClientFor(target, env), tableName: target.tableName });
  return { store, target };
}

/**
 * Run `use` with the release store of the resolved table, then close its client so a finished
 * command leaves no open sockets behind.
 *
 * @example
 * await withReleaseStore(flags, io.env, async (store, target) => store.bumpEpoch('me'));
 */
export async function withReleaseStore<T>(
  flags: StoreFlags,
  env: Env,
  use: (store: DynamoReleaseStore, target: StoreTarget) => Promise<T>,
): Promise<T> {
  const target = resolveStoreTarget(flags, env);
  const client = dynamoClientFor(target, env);
  try {
    await guardStage(flags, env, target, client);
    return await use(new DynamoReleaseStore({ client, tableName: target.tableName }), target);
  } finally {
    client.destroy();
  }
}

/**
 * Refuse a stage the project does not declare, and a route table of another stage (see
 * `checkTableStage`): `--stage qa` with PSARN_TABLE=psarn-local-routes must not write qa's ARNs
 * into the local table. The project directory is the working directory.
 */
export async function guardStage(
  flags: StoreFlags,
  env: Env,
  target: StoreTarget,
  client: DynamoDBClient,
): Promise<void> {
  const stageFrom =
    first(flags.stage) !== undefined
      ? '--stage'
      : first(env['PSARN_STAGE']) !== undefined
        ? 'PSARN_STAGE'
        : 'the default';
  const tableFrom =
    first(flags.table) !== undefined
      ? '--table'
      : first(env['PSARN_TABLE']) !== undefined
        ? 'PSARN_TABLE'
        : `psarn-<stage>-routes`;
  checkStageName(target.stage, process.cwd(), stageFrom);
  await checkTableStage(
    client,
    { stage: target.stage, stageFrom, tableName: target.tableName, tableFrom },
    operatorName(env),
  );
}

/** Who a release is by: PSARN_USER, else `user@host`. */
export function operatorName(env: Env): string {
  const named = first(env['PSARN_USER']);
  if (named !== undefined) return named;
  let user = first(env['USER'], env['USERNAME']) ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): the environment's name will do.
  }
  return `${user}@${hostname()}`;
}

function first(...values: (string | undefined)[]): string | undefined {
  return values.find((v) => v !== undefined && v !== '');
}
