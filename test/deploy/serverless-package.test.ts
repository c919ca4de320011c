// `npx serverless package --stage prod` as CI runs it: offline, no credentials, no AWS or psarn
// variables of the developer's shell, into a private --package directory (the developer's
// .serverless/ and parallel runs are untouched). Then the generated CloudFormation is read.
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const projectDir = process.cwd();
const ACCOUNT = '123456789012';
const REGION = 'us-east-1'; // serverless.yml's default region

type Json = unknown;
interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, Json>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}
interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: Json | Json[];
}
interface Template {
  readonly Resources: Record<string, Resource>;
}

/** Run `serverless package --stage prod`; resolves with the output dir and the combined output. */
async function slsPackage(
  extraEnv: Record<string, string>,
  cwd = projectDir,
): Promise<{ ok: boolean; out: string; log: string }> {
  const out = mkdtempSync(join(tmpdir(), 'psarn-package-'));
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(AWS_|PSARN_)/.test(k)));
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [join(cwd, 'node_modules', '.bin', 'serverless'), 'package', '--stage', 'prod', '--package', out],
      {
        cwd,
        env: {
          ...env,
          ...extraEnv,
          HOME: mkdtempSync(join(tmpdir(), 'psarn-home-')),
          SLS_TELEMETRY_DISABLED: '1',
        },
      },
    );
    return { ok: true, out, log: stdout + stderr };
  } catch (err) {
    const failed = err as { stdout?: string; stderr?: string };
    return { ok: false, out, log: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

/**
 * The ARNs routes/ names for prod, written out by hand from routes/*.yml (not through the loader
 * the plugin itself uses), so a loader that dropped a target or a stage override would fail here.
 */
const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
const EXPECTED = {
  lambda: ['signupV1', 'signupV2', 'fulfilmentA', 'fulfilmentB', 'fulfilmentC', 'billing'].map((f) =>
    arn('lambda', `function:psarn-prod-${f}`),
  ),
  sqs: ['email', 'newUser-holding', 'invoice-holding', 'orders', 'orders.fifo'].map((q) =>
    arn('sqs', `psarn-prod-${q}`),
  ),
  sns: [arn('sns', 'psarn-prod-audit')],
  events: [arn('events', 'event-bus/psarn-prod-bus')],
};
const unique = (values: Json[]): Json[] => [...new Map(values.map((v) => [JSON.stringify(v), v])).values()];

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const GET_ATT = (id: string, attr = 'Arn'): Json => ({ 'Fn::GetAtt': [id, attr] });

beforeAll(async () => {
  if (!existsSync(join(projectDir, 'dist', 'router.mjs'))) {
    await run(process.execPath, ['esbuild.config.mjs'], { cwd: projectDir });
  }
}, 120_000);

describe('serverless package --stage prod (offline, no credentials)', () => {
  let template: Template;
  let resources: Record<string, Resource>;
  let statements: Statement[];
  let packageDir: string;

  beforeAll(async () => {
    const packaged = await slsPackage({ PSARN_ACCOUNT: ACCOUNT });
    if (!packaged.ok) throw new Error(`serverless package failed:\n${packaged.log}`);
    packageDir = packaged.out;
    template = JSON.parse(
      readFileSync(join(packaged.out, 'cloudformation-template-update-stack.json'), 'utf8'),
    ) as Template;
    resources = template.Resources;
    const role = resources['IamRoleLambdaExecution']?.Properties as {
      Policies: { PolicyDocument: { Statement: Statement[] } }[];
      ManagedPolicyArns?: unknown;
    };
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.Policies).toHaveLength(1);
    statements = role.Policies[0]?.PolicyDocument.Statement ?? [];
  }, 180_000);

  /** Every resource granted `action`, across all statements. */
  const grantedOn = (action: string): Json[] =>
    statements.filter((s) => list(s.Action).includes(action)).flatMap((s) => list(s.Resource));

  it('keeps the route table: on-demand, point-in-time recovery, deletion protection, Retain', () => {
    expect(resources['RouteTable']).toMatchObject({
      Type: 'AWS::DynamoDB::Table',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        TableName: 'psarn-prod-routes',
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      },
    });
  });

  it('has the router DLQ (14 days) and alarms on its depth and on router errors', () => {
    expect(resources['RouterDlq']).toMatchObject({
      Type: 'AWS::SQS::Queue',
      Properties: { QueueName: 'psarn-prod-router-dlq', MessageRetentionPeriod: 1209600 },
    });
    const alarmOver0 = { ComparisonOperator: 'GreaterThanThreshold', Threshold: 0, EvaluationPeriods: 1 };
    expect(resources['RouterDlqDepthAlarm']).toMatchObject({
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: GET_ATT('RouterDlq', 'QueueName') }],
        ...alarmOver0,
      },
    });
    expect(resources['RouterErrorsAlarm']).toMatchObject({
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'RouterLambdaFunction' } }],
        ...alarmOver0,
      },
    });
  });

  it('feeds the ingress queue to the router 10 at a time with partial batch responses', () => {
    expect(resources['IngressQueue']).toMatchObject({
      Type: 'AWS::SQS::Queue',
      Properties: { RedrivePolicy: { deadLetterTargetArn: GET_ATT('IngressDlq'), maxReceiveCount: 5 } },
    });
    const mappings = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping');
    expect(mappings.map((m) => m.Properties)).toEqual([
      expect.objectContaining({
        EventSourceArn: GET_ATT('IngressQueue'),
        FunctionName: GET_ATT('RouterLambdaFunction'),
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      }),
    ]);
  });

  it('serves the HTTP envelope on a Function URL with IAM auth and no public permission', () => {
    const urls = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Url');
    expect(urls.map((u) => u.Properties)).toEqual([
      { AuthType: 'AWS_IAM', TargetFunctionArn: GET_ATT('RouterLambdaFunction') },
    ]);
    const permissions = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Permission');
    // EventBridge's schedules may start the health check and the rollout controller; nothing the router.
    expect(permissions.map((p) => p.Properties)).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        FunctionName: GET_ATT('HealthCheckLambdaFunction'),
        Principal: 'events.amazonaws.com',
        SourceArn: GET_ATT('HealthCheckEventsRuleSchedule1'),
      },
      expect.objectContaining({
        FunctionName: GET_ATT('RolloutControllerLambdaFunction'),
        Principal: 'events.amazonaws.com',
      }),
    ]);
  });

  it('lets the router invoke, send, publish and put on exactly the ARNs routes/ names for prod', () => {
    const expected = EXPECTED;
    const sorted = (values: Json[]): Json[] =>
      unique(values).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    expect(sorted(grantedOn('lambda:InvokeFunction'))).toEqual(sorted(expected.lambda));
    // RouterDlq appears twice: the router's own statement, and the one osls adds for the async
    // on-failure destination.
    expect(sorted(grantedOn('sqs:SendMessage'))).toEqual(sorted([...expected.sqs, GET_ATT('RouterDlq')]));
    expect(sorted(grantedOn('sqs:GetQueueUrl'))).toEqual(sorted([...expected.sqs, GET_ATT('RouterDlq')]));
    expect(sorted(grantedOn('sns:Publish'))).toEqual(sorted(expected.sns));
    expect(sorted(grantedOn('events:PutEvents'))).toEqual(sorted(expected.events));
    expect(sorted(grantedOn('dynamodb:Query'))).toEqual([GET_ATT('RouteTable')]);
    expect(sorted(grantedOn('dynamodb:GetItem'))).toEqual([GET_ATT('RouteTable')]);
    expect(sorted(grantedOn('sqs:ReceiveMessage'))).toEqual([GET_ATT('IngressQueue')]);
  });

  it('packages the router, the scheduled health check and the rollout controller (nodejs22.x, arm64, their bundles) and sends failed async invokes to the DLQ', () => {
    const functions = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions.map((f) => f.Properties?.['FunctionName'])).toEqual([
      'psarn-prod-router',
      'psarn-prod-healthCheck',
      'psarn-prod-rolloutController',
    ]);
    expect(functions[1]?.Properties).toMatchObject({ Handler: 'dist/health-check.handler' });
    const rule = Object.values(resources).find(
      (r) => r.Type === 'AWS::Events::Rule' && JSON.stringify(r).includes('HealthCheckLambdaFunction'),
    );
    expect(rule?.Properties).toMatchObject({ ScheduleExpression: 'rate(5 minutes)', State: 'ENABLED' });
    expect(functions[0]?.Properties).toMatchObject({
      Handler: 'dist/router.handler',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      // Loop safety is a stated choice: Lambda stops loops the router's hop count cannot see.
      RecursiveLoop: 'Terminate',
      Environment: { Variables: { PSARN_STAGE: 'prod', PSARN_TABLE: { Ref: 'RouteTable' } } },
    });
    expect(existsSync(join(packageDir, 'router.zip'))).toBe(true);
    const invokeConfig = Object.values(resources).find((r) => r.Type === 'AWS::Lambda::EventInvokeConfig');
    expect(invokeConfig?.Properties).toMatchObject({
      DestinationConfig: { OnFailure: { Destination: GET_ATT('RouterDlq') } },
    });
  });

  it('runs the rollout controller every minute under its own role, which alone may publish releases', () => {
    const controller = Object.values(resources).find(
      (r) =>
        r.Type === 'AWS::Lambda::Function' &&
        r.Properties?.['FunctionName'] === 'psarn-prod-rolloutController',
    );
    expect(controller?.Properties).toMatchObject({
      Handler: 'dist/rollout-controller.handler',
      Role: GET_ATT('RolloutControllerRole'),
      Environment: { Variables: { PSARN_TABLE: { Ref: 'RouteTable' } } },
    });
    expect(existsSync(join(packageDir, 'rolloutController.zip'))).toBe(true);
    // The health check has its own schedule (asserted above); this is the controller's.
    const rules = Object.values(resources).filter(
      (r) => r.Type === 'AWS::Events::Rule' && JSON.stringify(r).includes('RolloutControllerLambdaFunction'),
    );
    expect(rules.map((r) => r.Properties?.['ScheduleExpression'])).toEqual(['rate(1 minute)']);
    const policy = JSON.stringify(resources['RolloutControllerRole']?.Properties);
    expect(policy).toContain('dynamodb:BatchWriteItem');
    expect(policy).toContain('cloudwatch:DescribeAlarms');
  });

  it('grants nothing broader: no other action, no wildcard action, no wildcard outside the log group', () => {
    const actions = [...new Set(statements.flatMap((s) => list(s.Action)))].sort();
    expect(actions).toEqual(
      [
        'dynamodb:BatchGetItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        // The #health item (shared circuit trips, the health check's findings) and the rollout
        // gate's #counters# items only (asserted below).
        'dynamodb:UpdateItem',
        // The health check's read-only probes of the same targets.
        'events:DescribeEventBus',
        'lambda:GetFunctionConcurrency',
        'lambda:GetFunctionConfiguration',
        'sns:GetTopicAttributes',
        'events:PutEvents',
        'lambda:InvokeFunction',
        // osls's own: the router's log group.
        'logs:CreateLogGroup',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'logs:TagResource',
        'sns:Publish',
        // osls's own for the sqs event: the ingress queue only (asserted above).
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:ReceiveMessage',
        'sqs:SendMessage',
      ].sort(),
    );
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    // The router writes to its table only the retry ledger's items and #health, never a route or #control.
    const writes = statements.filter((s) => list(s.Action).includes('dynamodb:PutItem'));
    expect(writes).toHaveLength(2);
    expect(JSON.stringify(writes[0])).toContain('"dynamodb:LeadingKeys":["#ledger#*"]');
    expect(JSON.stringify(writes[1])).toContain('"dynamodb:LeadingKeys":["#health"]');
    const updates = statements.filter((s) => list(s.Action).includes('dynamodb:UpdateItem'));
    const updateKeys = updates.map((u) => /"dynamodb:LeadingKeys":(\[[^\]]*\])/.exec(JSON.stringify(u))?.[1]);
    expect(updateKeys.sort()).toEqual(['["#counters#*"]', '["#health"]']);
    for (const statement of statements) {
      const isLogs = list(statement.Action).every((a) => a.startsWith('logs:'));
      for (const resource of list(statement.Resource)) {
        const text = typeof resource === 'string' ? resource : JSON.stringify(resource);
        if (isLogs) expect(text).toContain(':log-group:/aws/lambda/psarn-prod');
        else expect(text).not.toContain('*');
      }
    }
  });
});

describe('serverless package with a broken route file', () => {
  it('fails with the validator’s message and packages nothing', async () => {
    const routes = mkdtempSync(join(tmpdir(), 'psarn-broken-routes-'));
    cpSync(join(projectDir, 'routes'), routes, { recursive: true });
    const file = join(routes, 'signup.yml');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('    weight: 10\n');
    writeFileSync(file, text.replace('    weight: 10\n', '    weigth: 10\n'));
    const line = text.split('\n').findIndex((l) => l === '    weight: 10') + 1;

    const packaged = await slsPackage({ PSARN_ACCOUNT: ACCOUNT, PSARN_ROUTES_DIR: routes });
    expect(packaged.ok).toBe(false);
    expect(packaged.log).toContain(`psarn: ${routes} is not valid for stage prod, nothing was packaged`);
    expect(packaged.log).toContain(`${file}:${line}:5  unknown key \`weigth\`: did you mean \`weight\`?`);
    expect(readdirSync(packaged.out)).toEqual([]);
  }, 180_000);
});

/** The project's tracked files in a temp dir (a fresh clone: no dist/), with its node_modules. */
async function freshClone(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'psarn-clone-'));
  const { stdout } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: projectDir,
    maxBuffer: 16 << 20,
  });
  for (const file of stdout
    .split('\0')
    .filter((f) => f !== '' && f !== 'node_modules' && existsSync(join(projectDir, f)))) {
    cpSync(join(projectDir, file), join(dir, file), { recursive: true });
  }
  symlinkSync(join(projectDir, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

const zipped = async (zip: string, file: string): Promise<string> =>
  (await run('unzip', ['-p', zip, file], { maxBuffer: 64 << 20 })).stdout;
const zippedFiles = async (zip: string): Promise<string[]> =>
  (await run('unzip', ['-Z1', zip], { maxBuffer: 16 << 20 })).stdout
    .split('\n')
    .filter((f) => f !== '' && !f.endsWith('/'));

describe('serverless package builds the bundle itself', () => {
  it('on a fresh clone (no dist/), and ships no stale bundle', async () => {
    const clone = await freshClone();
    expect(existsSync(join(clone, 'dist'))).toBe(false);
    const fresh = await slsPackage({ PSARN_ACCOUNT: ACCOUNT }, clone);
    if (!fresh.ok) throw new Error(`serverless package failed on a fresh clone:\n${fresh.log}`);
    const built = await zipped(join(fresh.out, 'router.zip'), 'dist/router.mjs');
    expect(built).toContain('psarn');
    expect(built.length).toBeGreaterThan(10_000);
    // The router is an ES module split in chunks: every chunk it imports is in the package, and
    // nothing else from dist/ (a CommonJS router.js would be found first by the handler lookup).
    const files = await zippedFiles(join(fresh.out, 'router.zip'));
    const imported = [...built.matchAll(/from"\.\/(chunks\/[^"]+\.mjs)"/g)].map((m) => `dist/${m[1] ?? ''}`);
    expect(imported.length).toBeGreaterThan(0);
    expect(files).toEqual(expect.arrayContaining(imported));
    expect(files).toEqual(expect.arrayContaining(['dist/chunks/sdk-sqs.mjs', 'dist/chunks/sdk-lambda.mjs']));
    expect(files.filter((f) => !/^dist\/(router\.mjs|chunks\/[\w-]+\.mjs)$/.test(f))).toEqual([]);

    // A bundle older than the source, and a CommonJS router.js an older build left: packaging
    // rebuilds the one and removes the other instead of shipping either.
    writeFileSync(join(clone, 'dist', 'router.mjs'), 'export const handler = () => "STALE BUNDLE";\n');
    writeFileSync(join(clone, 'dist', 'router.js'), 'exports.handler = () => "STALE BUNDLE";\n');
    const again = await slsPackage({ PSARN_ACCOUNT: ACCOUNT }, clone);
    if (!again.ok) throw new Error(`serverless package failed:\n${again.log}`);
    expect(await zipped(join(again.out, 'router.zip'), 'dist/router.mjs')).not.toContain('STALE BUNDLE');
    expect(await zippedFiles(join(again.out, 'router.zip'))).not.toContain('dist/router.js');
    expect(existsSync(join(clone, 'dist', 'router.js'))).toBe(false);
  }, 300_000);
});
