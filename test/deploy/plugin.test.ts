// The osls plugin driven through the hooks osls calls, with a stand-in for the osls host (the
// parts of `serverless` the plugin touches) and a real dynalite for the after-deploy steps. The
// package path through real osls is test/deploy/serverless-package.test.ts.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readDeployRecord } from '../../src/deploy/deploy-record';
import { startDynalite } from '../../src/local/dynalite';
import type { RunningEmulator } from '../../src/local/emulator';
import { createRouteTable } from '../../src/store/create-route-table';
import { DynamoRouteStore } from '../../src/store/dynamo-route-store';

interface Hooks {
  readonly hooks: Record<string, () => Promise<void>>;
}
type PluginClass = new (serverless: unknown, options: unknown, utils: unknown) => Hooks;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const PsarnPlugin = require('../../serverless/plugin') as PluginClass;

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const projectDir = process.cwd();

class HostError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

interface RouterConfig {
  handler: string;
  url?: { authorizer?: string };
  events?: unknown[];
}

function host(
  stage: string,
  custom: Record<string, unknown>,
  router: RouterConfig = { handler: 'dist/router.handler' },
) {
  const service = {
    service: 'psarn',
    custom: { psarn: custom },
    provider: {} as { iam?: { role?: { statements?: { Sid?: string; Resource: unknown[] }[] } } },
    functions: { router },
    resources: { Resources: { RouteTable: { Properties: { TableName: `psarn-${stage}-routes` } } } },
    getFunction: (name: string) => ({ router })[name as 'router'],
  };
  const serverless = {
    service,
    serviceDir: projectDir,
    classes: { Error: HostError },
    configSchemaHandler: { defineCustomProperties: () => undefined },
    getProvider: () => ({
      getStage: () => stage,
      getRegion: () => REGION,
      getAccountId: async () => ACCOUNT,
      getAwsSdkV3Config: async () => ({ credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    }),
  };
  const notices: string[] = [];
  const warnings: string[] = [];
  const log = {
    notice: (m: string) => notices.push(m),
    info: () => undefined,
    warning: (m: string) => warnings.push(m),
  };
  return { plugin: new PsarnPlugin(serverless, {}, { log }), service, router, notices, warnings };
}

describe('psarn osls plugin at package time', () => {
  it('adds per-service wildcards with iam: wildcard, and wires the ingress queue and an IAM Function URL', async () => {
    const { plugin, service, router } = host('prod', { routes: 'routes', account: ACCOUNT, iam: 'wildcard' });
    await plugin.hooks['before:package:setupProviderConfiguration']?.();
    const statements = service.provider.iam?.role?.statements ?? [];
    expect(Object.fromEntries(statements.map((s) => [s.Sid, s.Resource]))).toEqual({
      PsarnReadRouteTable: [{ 'Fn::GetAtt': ['RouteTable', 'Arn'] }],
      PsarnRetryLedger: [{ 'Fn::GetAtt': ['RouteTable', 'Arn'] }],
      PsarnOutcomeCounters: [{ 'Fn::GetAtt': ['RouteTable', 'Arn'] }],
      PsarnInvokeTargets: [{ 'Fn::Sub': 'arn:${AWS::Partition}:lambda:*:*:function:*' }],
      PsarnSendToQueues: [{ 'Fn::Sub': 'arn:${AWS::Partition}:sqs:*:*:*' }],
      PsarnPublishToTopics: [{ 'Fn::Sub': 'arn:${AWS::Partition}:sns:*:*:*' }],
      PsarnPutEventsToBuses: [{ 'Fn::Sub': 'arn:${AWS::Partition}:events:*:*:event-bus/*' }],
      PsarnHealthState: [{ 'Fn::GetAtt': ['RouteTable', 'Arn'] }],
      PsarnProbeFunctions: [{ 'Fn::Sub': 'arn:${AWS::Partition}:lambda:*:*:function:*' }],
      PsarnProbeQueues: [{ 'Fn::Sub': 'arn:${AWS::Partition}:sqs:*:*:*' }],
      PsarnProbeTopics: [{ 'Fn::Sub': 'arn:${AWS::Partition}:sns:*:*:*' }],
      PsarnProbeBuses: [{ 'Fn::Sub': 'arn:${AWS::Partition}:events:*:*:event-bus/*' }],
    });
    expect(router.url).toEqual({ authorizer: 'aws_iam' });
    expect(router.events).toEqual([
      {
        sqs: {
          arn: { 'Fn::GetAtt': ['IngressQueue', 'Arn'] },
          batchSize: 10,
          functionResponseType: 'ReportBatchItemFailures',
        },
      },
    ]);
  });

  it('grants kms:GenerateDataKey and kms:Decrypt on the keys of custom.psarn.kmsKeys', async () => {
    const key = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1111aaaa-2222-3333-4444-555566667777`;
    const { plugin, service } = host('prod', { routes: 'routes', account: ACCOUNT, kmsKeys: [key] });
    await plugin.hooks['before:package:setupProviderConfiguration']?.();
    const statements = service.provider.iam?.role?.statements ?? [];
    expect(statements.find((s) => s.Sid === 'PsarnUseTargetKeys')).toEqual({
      Sid: 'PsarnUseTargetKeys',
      Effect: 'Allow',
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: [key],
    });
  });

  it('refuses a KMS alias in custom.psarn.kmsKeys before packaging', async () => {
    const alias = `arn:aws:kms:${REGION}:${ACCOUNT}:alias/orders`;
    const { plugin } = host('prod', { routes: 'routes', account: ACCOUNT, kmsKeys: [alias] });
    await expect(plugin.hooks['before:package:setupProviderConfiguration']?.()).rejects.toMatchObject({
      code: 'PSARN_KMS_KEYS_INVALID',
      message: expect.stringMatching(
        /^psarn: custom\.psarn\.kmsKeys is not valid, nothing was packaged:\n.*is an alias/,
      ),
    });
  });

  it('refuses a router Function URL without IAM auth', async () => {
    const { plugin } = host('prod', { routes: 'routes', account: ACCOUNT }, { handler: 'h', url: {} });
    await expect(plugin.hooks['before:package:setupProviderConfiguration']?.()).rejects.toMatchObject({
      code: 'PSARN_URL_AUTH',
    });
  });

  it('leaves the local stage (serverless-offline) alone', async () => {
    const { plugin, service, router } = host('local', { routes: 'routes' });
    await plugin.hooks['before:package:setupProviderConfiguration']?.();
    expect(service.provider).toEqual({});
    expect(router).toEqual({ handler: 'dist/router.handler' });
  });
});

describe('psarn osls plugin after deploy', () => {
  let dynamo: RunningEmulator;
  let client: DynamoDBClient;
  const saved = { ...process.env };

  beforeAll(async () => {
    dynamo = await startDynalite();
    client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    // The deploy record's client and the `psarn apply` child both find DynamoDB the SDK's way.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      PSARN_USER: 'deployer@ci',
    });
    delete process.env['PSARN_ACCOUNT'];
    delete process.env['PSARN_TABLE'];
  });
  afterAll(async () => {
    process.env = saved;
    client.destroy();
    await dynamo.stop();
  });

  it('writes the deploy record with the account from STS, then applies routes/ as release 1', async () => {
    await createRouteTable(client, 'psarn-prod-routes');
    const { plugin, notices, warnings } = host('prod', { routes: 'routes' });
    await plugin.hooks['after:deploy:deploy']?.();
    // The stack creates no target: the demo routes' psarn-prod-* resources exist nowhere, and the
    // deploy says so (a warning, the deploy goes on).
    expect(warnings).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^psarn: warning: target arn:aws:sqs:${REGION}:${ACCOUNT}:psarn-prod-orders does not exist \\(named by .*\\): events to it will be dead-lettered$`,
        ),
      ),
    );

    const record = await readDeployRecord(client, 'psarn-prod-routes');
    expect(record).toMatchObject({
      iam: 'exact',
      stage: 'prod',
      region: REGION,
      account: ACCOUNT,
      by: 'deployer@ci',
    });
    expect(record?.allowed).toContain(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:psarn-prod-signupV2`);
    expect(record?.allowed.every((arn) => arn.includes(`:${REGION}:${ACCOUNT}:`))).toBe(true);
    expect(notices.join('\n')).toContain('deploy record written to psarn-prod-routes (iam exact');

    const store = new DynamoRouteStore({ client, tableName: 'psarn-prod-routes' });
    const control = await store.readControl();
    expect(control).toMatchObject({ release: 1, updatedBy: 'deployer@ci' });
    expect(await store.getRoute(`arn:aws:psarns:${REGION}:${ACCOUNT}:/event/newUser`, 1)).toMatchObject({
      route: { ttl: 900 }, // the prod override
    });
  }, 60_000);

  it('stops before writing anything when routes/ cannot be read', async () => {
    await createRouteTable(client, 'psarn-broken-routes');
    const { plugin } = host('broken', { routes: 'no-such-dir' });
    await expect(plugin.hooks['after:deploy:deploy']?.()).rejects.toThrow(
      /routes directory no-such-dir does not exist/,
    );
    expect(await readDeployRecord(client, 'psarn-broken-routes')).toBeUndefined();
    expect(
      (await new DynamoRouteStore({ client, tableName: 'psarn-broken-routes' }).readControl()).release,
    ).toBe(0);
  }, 60_000);
});
