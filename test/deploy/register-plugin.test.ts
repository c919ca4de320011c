// The consumer-side osls plugin (serverless/register, `plugins: [psarn-router/serverless]`) driven
// through the hooks osls calls, with a stand-in for the osls host (the parts of `serverless` the
// plugin touches, shaped as osls passes them) and a real dynalite holding the router's route table.
import { deployRecordToItem } from '../../src/deploy/deploy-record';
import { DeleteTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { RegistrationStore } from '../../src/registration/registration-store';
import { DynamoReleaseStore } from '../../src/store/dynamo-release-store';
import { createRouteTable } from '../../src/store/create-route-table';
import { runCli } from '../control/cli-harness';
import { startDynalite, type LocalDynamo } from '../store/local-dynamo';

interface Hooks {
  readonly hooks: Record<string, () => Promise<void>>;
}
type PluginClass = new (serverless: unknown, options: unknown, utils: unknown) => Hooks;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const PsarnRegisterPlugin = require('../../serverless/register') as PluginClass;

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const STAGE = 'prod';
const TABLE = `psarn-${STAGE}-routes`;
const NEW_USER = `arn:aws:psarns:${REGION}:${ACCOUNT}:/event/newUser`;
const SIGNUP_V3 = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:signup-prod-signupV3`;
const WELCOME = `arn:aws:sqs:${REGION}:${ACCOUNT}:signup-prod-welcome`;

class HostError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** The consumer service `signup` as osls hands it to a plugin once its config is resolved. */
function consumer(register: unknown, extra: Record<string, unknown> = {}) {
  const service = {
    service: 'signup',
    custom: { psarn: { register, ...extra } },
    provider: {},
    // osls sets `name` on every function when it loads the service (Service#setFunctionNames).
    functions: { signupV3: { handler: 'h.v3', name: 'signup-prod-signupV3' } },
    resources: {
      Resources: {
        WelcomeQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'signup-prod-welcome' } },
        AuditQueue: { Type: 'AWS::SQS::Queue', Properties: {} },
      },
    },
  };
  const serverless = {
    service,
    classes: { Error: HostError },
    configSchemaHandler: { defineCustomProperties: () => undefined },
    getProvider: () => ({
      getStage: () => STAGE,
      getRegion: () => REGION,
      getAccountId: async () => ACCOUNT,
      getAwsSdkV3Config: async () => ({ credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
      // What CloudFormation named the resources of the deployed stack (ListStackResources).
      getStackResources: async () => [
        {
          LogicalResourceId: 'AuditQueue',
          PhysicalResourceId: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/signup-prod-AuditQueue-X1`,
        },
      ],
    }),
  };
  const notices: string[] = [];
  const warnings: string[] = [];
  const log = {
    notice: (m: string) => notices.push(m),
    info: () => undefined,
    warning: (m: string) => warnings.push(m),
  };
  const plugin = new PsarnRegisterPlugin(serverless, {}, { log });
  const run = async (hook: string): Promise<void> => {
    const fn = plugin.hooks[hook];
    if (fn === undefined) throw new Error(`no hook ${hook}`);
    await fn();
  };
  return { run, notices, warnings };
}

let local: LocalDynamo;
let env: Record<string, string>;
const saved = { ...process.env };
const releases = (): DynamoReleaseStore => new DynamoReleaseStore({ client: local.client, tableName: TABLE });
const live = async () => {
  const { release } = await releases().readControl();
  return { release, routes: release === 0 ? [] : await releases().routesAt(release) };
};
const newUser = async () => (await live()).routes.find((r) => r.psarn === NEW_USER);
const applyRoutes = () =>
  runCli(['apply', '--yes', '--stage', STAGE, '--table', TABLE, '--region', REGION], env, process.cwd());

beforeAll(async () => {
  local = await startDynalite();
  env = { ...local.env, AWS_REGION: REGION, PSARN_ACCOUNT: ACCOUNT, PSARN_USER: 'deployer@ci' };
  // The plugin's DynamoDB client finds dynalite the SDK's way, as in a deploy against the local stack.
  Object.assign(process.env, env);
});
afterAll(async () => {
  process.env = saved;
  await local.close();
});
beforeEach(async () => {
  await local.client.send(new DeleteTableCommand({ TableName: TABLE })).catch(() => undefined); // a fresh table per test; the first test has none to delete
  await createRouteTable(local.client, TABLE);
  const first = await applyRoutes();
  expect(first.code).toBe(0);
});

describe('psarn register plugin: deploy and remove', () => {
  it('registers on deploy, keeps the registration through an apply of routes/, and de-registers on remove', async () => {
    const host = consumer([
      { psarn: '/event/newUser', function: 'signupV3', split: { weight: 10 } },
      { psarn: '/event/newUser', queue: 'WelcomeQueue', fanout: true },
    ]);
    await host.run('before:package:initialize');
    await host.run('after:deploy:deploy');
    expect(host.warnings).toEqual([]);
    expect(host.notices).toEqual([
      `psarn: registered signup/prod in ${TABLE}: 2 target(s)`,
      `psarn:   + split ${SIGNUP_V3} weight 10 on ${NEW_USER}`,
      `psarn:   + fanout ${WELCOME} on ${NEW_USER}`,
      'psarn: release 2: 0 added, 1 changed, 0 removed',
    ]);
    const registered = await newUser();
    expect(registered?.targets.at(-1)).toEqual({
      arn: SIGNUP_V3,
      kind: 'lambda',
      weight: 10,
      registeredBy: 'signup/prod',
    });
    expect(registered?.fanout.at(-1)).toEqual({ arn: WELCOME, kind: 'sqs', registeredBy: 'signup/prod' });
    expect((await releases().listReleases()).at(-1)).toMatchObject({
      by: 'deployer@ci',
      summary: 'registered by signup/prod: 0 added, 1 changed, 0 removed',
    });

    // The router project's own apply of routes/ (its deploy runs one) keeps the registration.
    const apply = await applyRoutes();
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain('Registrations layered over the route files (1 service):');
    expect(apply.stdout).toContain('No changes: the routes match release 2.');
    expect(await newUser()).toEqual(registered);

    await host.run('before:remove:remove');
    expect(host.notices.at(-1)).toBe(
      `psarn: deregistered signup/prod from ${TABLE}: release 3: 0 added, 1 changed, 0 removed`,
    );
    const after = await newUser();
    expect([...(after?.targets ?? []), ...(after?.fanout ?? [])].filter((t) => t.registeredBy)).toEqual([]);
    expect((await releases().listReleases()).at(-1)?.summary).toBe(
      'deregistered by signup/prod: 0 added, 1 changed, 0 removed',
    );
    expect(await new RegistrationStore(local.client, TABLE).list()).toEqual([]);
  });

  it('is idempotent: a retried deploy publishes nothing new, a retried remove is a no-op', async () => {
    const host = consumer([{ psarn: '/event/newUser', function: 'signupV3', split: { weight: 10 } }]);
    await host.run('after:deploy:deploy');
    await host.run('after:deploy:deploy');
    expect(host.notices.at(-1)).toBe('psarn: no changes: release 2 already has them');
    expect((await newUser())?.targets.filter((t) => t.arn === SIGNUP_V3)).toHaveLength(1);
    await host.run('before:remove:remove');
    await host.run('before:remove:remove');
    expect(host.notices.at(-1)).toBe(
      `psarn: signup/prod has no registrations in ${TABLE}: nothing to deregister`,
    );
    expect((await live()).release).toBe(3);
  });

  it('replaces the service set on re-deploy: a target dropped from the list leaves the route', async () => {
    await consumer([
      { psarn: '/event/newUser', function: 'signupV3', split: { weight: 10 } },
      { psarn: '/event/newUser', queue: 'AuditQueue', fanout: true },
    ]).run('after:deploy:deploy');
    // AuditQueue has no QueueName: its ARN comes from the stack's physical id (the queue URL).
    expect((await newUser())?.fanout.at(-1)?.arn).toBe(
      `arn:aws:sqs:${REGION}:${ACCOUNT}:signup-prod-AuditQueue-X1`,
    );
    await consumer([{ psarn: '/event/newUser', function: 'signupV3', split: { weight: 20 } }]).run(
      'after:deploy:deploy',
    );
    const route = await newUser();
    expect(route?.fanout.some((t) => t.registeredBy !== undefined)).toBe(false);
    expect(route?.targets.filter((t) => t.registeredBy === 'signup/prod').map((t) => t.weight)).toEqual([20]);
  });

  it('fails the deploy step with a typed error and writes nothing for a route that does not exist', async () => {
    const host = consumer([{ psarn: '/event/nobody', function: 'signupV3', fanout: true }]);
    await expect(host.run('after:deploy:deploy')).rejects.toMatchObject({
      code: 'PSARN_REGISTRATION_ROUTE_MISSING',
      message: expect.stringMatching(
        /no route in psarn-prod-routes defines it; nothing was registered\. .*create: true.*\nThe stack is deployed/s,
      ),
    });
    expect(await new RegistrationStore(local.client, TABLE).list()).toEqual([]);
    expect((await live()).release).toBe(1);

    const creating = consumer([
      { psarn: '/event/nobody', function: 'signupV3', fanout: true, create: { ttl: 30 } },
    ]);
    await creating.run('after:deploy:deploy');
    expect((await live()).routes.find((r) => r.psarn.endsWith('/event/nobody'))).toMatchObject({
      ttl: 30,
      fanout: [{ arn: SIGNUP_V3, registeredBy: 'signup/prod' }],
    });
  });

  it('checks the list at package time, before anything is deployed', async () => {
    const host = consumer([{ psarn: '/event/newUser', function: 'signupV9', split: { weight: 10 } }]);
    await expect(host.run('before:package:initialize')).rejects.toMatchObject({
      code: 'PSARN_REGISTRATION_INVALID',
      message: expect.stringContaining(
        'custom.psarn.register[0].function: "signupV9" is not a function of signup (functions: signupV3)',
      ),
    });
    const twoTargets = consumer([
      { psarn: '/event/newUser', function: 'signupV3', queue: 'WelcomeQueue', fanout: true },
    ]);
    await expect(twoTargets.run('before:package:initialize')).rejects.toMatchObject({
      message: expect.stringContaining('name exactly one target'),
    });
  });

  it('warns when the deployed router role cannot reach a registered target', async () => {
    await local.client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: deployRecordToItem({
          iam: 'exact',
          allowed: [WELCOME],
          stage: STAGE,
          region: REGION,
          account: ACCOUNT,
          at: '2026-12-01T00:00:00.000Z',
          by: 'ci@build',
        }),
      }),
    );
    const host = consumer([{ psarn: '/event/newUser', function: 'signupV3', split: { weight: 10 } }]);
    await host.run('after:deploy:deploy');
    expect(host.warnings).toEqual([
      'psarn: warning: the router role of stage prod (iam exact, deployed 2026-12-01T00:00:00.000Z by ci@build) cannot reach 1 target:',
      `psarn:   ${SIGNUP_V3}  (${NEW_USER} targets[2])`,
      'psarn: Deliveries to it will fail and be parked or dead-lettered until `npx serverless deploy --stage prod` grants it.',
    ]);
    expect((await newUser())?.targets.at(-1)?.arn).toBe(SIGNUP_V3);
  });

  it('fails a deploy against a router stage that has no route table, naming the fix', async () => {
    const host = consumer([{ psarn: '/event/newUser', function: 'signupV3', fanout: true }], {
      table: 'psarn-gone-routes',
      routerStage: 'gone',
    });
    await expect(host.run('after:deploy:deploy')).rejects.toMatchObject({
      code: 'PSARN_REGISTRATION_INVALID',
      message: expect.stringContaining(
        "route table psarn-gone-routes does not exist in eu-west-1: deploy the router's stage gone first",
      ),
    });
  });

  it('treats a remove against a stage whose route table is gone as nothing to deregister', async () => {
    const host = consumer([{ psarn: '/event/newUser', function: 'signupV3', fanout: true }], {
      table: 'psarn-gone-routes',
      routerStage: 'gone',
    });
    await host.run('before:remove:remove');
    expect(host.warnings).toEqual([
      'psarn: route table psarn-gone-routes does not exist: nothing to deregister',
    ]);
  });
});
