import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagePolicy, type PackagePolicyOptions } from '../../src/deploy/package-policy';
import type { IamStatement } from '../../src/deploy/iam-statements';

const TABLE = { 'Fn::GetAtt': ['RouteTable', 'Arn'] };
const DLQ = { 'Fn::GetAtt': ['RouterDlq', 'Arn'] };

function routesDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'psarn-policy-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const SIGNUP = [
  'psarn: arn:aws:psarns:${region}:${account}:/event/signup',
  'targets:',
  '  - arn: arn:aws:lambda:${region}:${account}:function:signup-${stage}:live',
  '    weight: 90',
  '  - arn: arn:aws:lambda:${region}:${account}:function:signup-${stage}:canary',
  '    weight: 10',
  'fanout:',
  '  - arn: arn:aws:sns:us-west-2:210987654321:audit',
  'stages:',
  '  prod:',
  '    fanout: [{ arn: "arn:aws:events:${region}:${account}:event-bus/prod-bus" }]',
  '',
].join('\n');

const options = (dir: string, extra: Partial<PackagePolicyOptions> = {}): PackagePolicyOptions => ({
  dir: '.',
  cwd: dir,
  stage: 'prod',
  region: 'eu-west-1',
  mode: 'exact',
  table: TABLE,
  deadLetterQueue: DLQ,
  ...extra,
});

const resources = (statements: readonly IamStatement[]): Record<string, unknown> =>
  Object.fromEntries(statements.map((s) => [s.Sid, s.Resource]));

describe('packagePolicy', () => {
  it('names the stage’s targets with the account given', async () => {
    const policy = await packagePolicy(
      options(routesDir({ 'signup.yml': SIGNUP }), { account: '123456789012' }),
    );
    if (!policy.ok) throw new Error(policy.report);
    expect(resources(policy.statements)).toEqual({
      PsarnReadRouteTable: [TABLE],
      PsarnRetryLedger: [TABLE],
      PsarnHealthState: [TABLE],
      PsarnOutcomeCounters: [TABLE],
      PsarnInvokeTargets: [
        'arn:aws:lambda:eu-west-1:123456789012:function:signup-prod:canary',
        'arn:aws:lambda:eu-west-1:123456789012:function:signup-prod:live',
      ],
      PsarnProbeFunctions: [
        'arn:aws:lambda:eu-west-1:123456789012:function:signup-prod:canary',
        'arn:aws:lambda:eu-west-1:123456789012:function:signup-prod:live',
      ],
      PsarnSendToQueues: [DLQ],
      PsarnProbeQueues: [DLQ],
      PsarnPutEventsToBuses: ['arn:aws:events:eu-west-1:123456789012:event-bus/prod-bus'],
      PsarnProbeBuses: ['arn:aws:events:eu-west-1:123456789012:event-bus/prod-bus'],
    });
    expect(policy.routes).toHaveLength(1);
  });

  it('leaves ${account} to CloudFormation when no account is known, literal ARNs as written', async () => {
    const policy = await packagePolicy(
      options(routesDir({ 'signup.yml': SIGNUP }), { stage: 'dev', region: 'us-east-1' }),
    );
    if (!policy.ok) throw new Error(policy.report);
    expect(resources(policy.statements)).toEqual({
      PsarnReadRouteTable: [TABLE],
      PsarnRetryLedger: [TABLE],
      PsarnHealthState: [TABLE],
      PsarnOutcomeCounters: [TABLE],
      PsarnInvokeTargets: [
        { 'Fn::Sub': 'arn:aws:lambda:us-east-1:${AWS::AccountId}:function:signup-dev:canary' },
        { 'Fn::Sub': 'arn:aws:lambda:us-east-1:${AWS::AccountId}:function:signup-dev:live' },
      ],
      PsarnProbeFunctions: [
        { 'Fn::Sub': 'arn:aws:lambda:us-east-1:${AWS::AccountId}:function:signup-dev:canary' },
        { 'Fn::Sub': 'arn:aws:lambda:us-east-1:${AWS::AccountId}:function:signup-dev:live' },
      ],
      PsarnSendToQueues: [DLQ],
      PsarnProbeQueues: [DLQ],
      PsarnPublishToTopics: ['arn:aws:sns:us-west-2:210987654321:audit'],
      PsarnProbeTopics: ['arn:aws:sns:us-west-2:210987654321:audit'],
    });
  });

  it('fails with the validator’s report, file, line and hint included', async () => {
    const broken = SIGNUP.replace('    weight: 10', '    weigth: 10');
    const policy = await packagePolicy(
      options(routesDir({ 'signup.yml': broken }), { account: '123456789012' }),
    );
    expect(policy.ok).toBe(false);
    expect(policy.report).toContain('signup.yml:6:5  unknown key `weigth`: did you mean `weight`?');
    expect(policy.report).toMatch(/✗ \d+ errors? in 1 file/);
  });

  it('names ${account}, not a placeholder, in messages when no account is known', async () => {
    const aliasToNowhere = [
      'psarn: arn:aws:psarns:${region}:${account}:/event/old',
      'targets:',
      '  - arn: arn:aws:psarns:${region}:${account}:/event/missing',
      '',
    ].join('\n');
    const policy = await packagePolicy(options(routesDir({ 'old.yml': aliasToNowhere })));
    expect(policy.ok).toBe(false);
    expect(policy.report).toContain(
      'alias target arn:aws:psarns:eu-west-1:${account}:/event/missing has no route',
    );
  });
});
