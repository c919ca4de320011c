import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { main } from '../../src/cli/main';
import {
  DEPLOY_RECORD_KEY,
  readDeployRecord,
  writeDeployRecord,
  type DeployRecord,
} from '../../src/deploy/deploy-record';
import { formatReachWarning } from '../../src/deploy/reach-warning';
import { startDynalite } from '../../src/local/dynalite';
import type { RunningEmulator } from '../../src/local/emulator';
import { createRouteTable } from '../../src/store/create-route-table';
import { DynamoRouteStore } from '../../src/store/dynamo-route-store';
import { captureIo } from '../support/cli';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const fn = (name: string): string => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
const PSARN = `arn:aws:psarns:${REGION}:${ACCOUNT}:/event/signup`;

const ROUTE = [
  'psarn: arn:aws:psarns:${region}:${account}:/event/signup',
  'targets:',
  '  - arn: arn:aws:lambda:${region}:${account}:function:signup:live',
  '    weight: 90',
  '  - arn: arn:aws:lambda:${region}:${account}:function:signup:canary',
  '    weight: 10',
  'park:',
  '  queue: arn:aws:sqs:${region}:${account}:signup-holding',
  '',
].join('\n');

let dynamo: RunningEmulator;
let client: DynamoDBClient;
let routesDir: string;
let tables = 0;

beforeAll(async () => {
  dynamo = await startDynalite();
  client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  routesDir = mkdtempSync(join(tmpdir(), 'psarn-reach-'));
  writeFileSync(join(routesDir, 'signup.yml'), ROUTE);
});
afterAll(async () => {
  client.destroy();
  await dynamo.stop();
  rmSync(routesDir, { recursive: true, force: true });
});

async function freshTable(): Promise<string> {
  const table = `psarn-prod-routes-${++tables}`;
  await createRouteTable(client, table);
  return table;
}

const record = (allowed: readonly string[], iam: DeployRecord['iam'] = 'exact'): DeployRecord => ({
  iam,
  allowed,
  stage: 'prod',
  region: REGION,
  account: ACCOUNT,
  at: '2026-11-22T09:00:00.000Z',
  by: 'ci@build',
});

async function apply(table: string): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo({
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    PSARN_USER: 'tester@ci',
  });
  const code = await main(
    [
      'apply',
      '--stage',
      'prod',
      '--yes',
      '--dir',
      routesDir,
      '--table',
      table,
      '--region',
      REGION,
      '--account',
      ACCOUNT,
    ],
    io,
  );
  return { code, out: io.out(), err: io.err() };
}

describe('the deploy record', () => {
  it('round-trips through the route table under #deploy', async () => {
    const table = await freshTable();
    expect(await readDeployRecord(client, table)).toBeUndefined();
    const written = record([fn('signup:live')]);
    await writeDeployRecord(client, table, written);
    expect(await readDeployRecord(client, table)).toEqual(written);
  });

  it('is ignored when the item is not one the plugin wrote', async () => {
    const table = await freshTable();
    await client.send(
      new PutItemCommand({
        TableName: table,
        Item: { pk: { S: DEPLOY_RECORD_KEY.pk }, sk: { S: DEPLOY_RECORD_KEY.sk }, iam: { S: 'everything' } },
      }),
    );
    expect(await readDeployRecord(client, table)).toBeUndefined();
  });
});

describe('psarn apply against a deployed table', () => {
  it('warns about each target the deployed role cannot reach, and still applies', async () => {
    const table = await freshTable();
    await writeDeployRecord(client, table, record([fn('signup:live')]));
    const run = await apply(table);
    expect(run.code).toBe(0);
    expect(run.err).toBe(
      [
        'warning: the router role of stage prod (iam exact, deployed 2026-11-22T09:00:00.000Z by ci@build) cannot reach 2 targets:',
        `  ${fn('signup:canary')}  (${PSARN} targets[1])`,
        `  arn:aws:sqs:${REGION}:${ACCOUNT}:signup-holding  (${PSARN} park.queue)`,
        'Deliveries to them will fail and be parked or dead-lettered until `npx serverless deploy --stage prod` grants them.',
        '',
      ].join('\n'),
    );
    const store = new DynamoRouteStore({ client, tableName: table });
    expect((await store.readControl()).release).toBe(1);
  });

  it('says nothing when the role reaches every target', async () => {
    const table = await freshTable();
    await writeDeployRecord(
      client,
      table,
      record([fn('signup:live'), fn('signup:canary'), `arn:aws:sqs:${REGION}:${ACCOUNT}:signup-holding`]),
    );
    const run = await apply(table);
    expect(run.code).toBe(0);
    expect(run.err).toBe('');
  });

  it('says nothing behind a wildcard role', async () => {
    const table = await freshTable();
    await writeDeployRecord(
      client,
      table,
      record(['arn:aws:lambda:*:*:function:*', 'arn:aws:sqs:*:*:*'], 'wildcard'),
    );
    expect((await apply(table)).err).toBe('');
  });

  it('says nothing on a table no deploy wrote a record to (the local stack)', async () => {
    const table = await freshTable();
    const run = await apply(table);
    expect(run.code).toBe(0);
    expect(run.err).toBe('');
  });
});

describe('formatReachWarning', () => {
  it('is empty when nothing is unreachable', () => {
    expect(formatReachWarning([], record([]))).toBe('');
  });
});
