import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { routerIamStatements, type CfnValue } from '../../src/deploy/iam-statements';
import { packagePolicy } from '../../src/deploy/package-policy';

const TABLE = { 'Fn::GetAtt': ['RouteTable', 'Arn'] };
const DLQ = { 'Fn::GetAtt': ['RouterDlq', 'Arn'] };
const HELD = 'arn:aws:sqs:eu-west-1:123456789012:held';
const OTHER = 'arn:aws:sqs:eu-west-1:123456789012:other-held';
const ACTIONS = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility'];

const autoDrainStatement = (statements: ReturnType<typeof routerIamStatements>) =>
  statements.find((s) => s.Sid === 'PsarnAutoDrainParkQueues');

describe('IAM for auto-drain: the check drains the park queues of autoDrain routes', () => {
  it('grants receive, delete and visibility on exactly the queues named, in exact mode', () => {
    const statements = routerIamStatements({
      targets: [{ kind: 'sqs', resource: HELD }],
      table: TABLE,
      deadLetterQueue: DLQ,
      mode: 'exact',
      drainQueues: [OTHER, HELD, HELD],
    });
    expect(autoDrainStatement(statements)).toEqual({
      Sid: 'PsarnAutoDrainParkQueues',
      Effect: 'Allow',
      Action: ACTIONS,
      Resource: [HELD, OTHER],
    });
  });

  it('grants any queue in wildcard mode, and nothing when no route drains itself', () => {
    const reach = { targets: [], table: TABLE, deadLetterQueue: DLQ } as const;
    const sub: CfnValue = { 'Fn::Sub': 'arn:${AWS::Partition}:sqs:*:*:*' };
    expect(
      autoDrainStatement(routerIamStatements({ ...reach, mode: 'wildcard', drainQueues: [HELD] }))?.Resource,
    ).toEqual([sub]);
    expect(autoDrainStatement(routerIamStatements({ ...reach, mode: 'wildcard' }))).toBeUndefined();
    expect(
      autoDrainStatement(routerIamStatements({ ...reach, mode: 'exact', drainQueues: [] })),
    ).toBeUndefined();
  });

  it('is generated at package time from the routes with autoDrain: true, account templated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'psarn-autodrain-'));
    writeFileSync(
      join(dir, 'a.yml'),
      [
        'psarn: arn:aws:psarns:${region}:${account}:/event/a',
        'targets: [{ arn: "arn:aws:lambda:${region}:${account}:function:a" }]',
        'park: { queue: "arn:aws:sqs:${region}:${account}:a-held" }',
        'autoDrain: true',
        '---',
        'psarn: arn:aws:psarns:${region}:${account}:/event/b',
        'targets: [{ arn: "arn:aws:lambda:${region}:${account}:function:b" }]',
        'park: { queue: "arn:aws:sqs:${region}:${account}:b-held" }',
        '',
      ].join('\n'),
    );
    const options = {
      dir: '.',
      cwd: dir,
      stage: 'prod',
      region: 'eu-west-1',
      mode: 'exact',
      table: TABLE,
      deadLetterQueue: DLQ,
    } as const;
    const known = await packagePolicy({ ...options, account: '123456789012' });
    if (!known.ok) throw new Error(known.report);
    expect(autoDrainStatement(known.statements)?.Resource).toEqual([
      'arn:aws:sqs:eu-west-1:123456789012:a-held',
    ]);
    const templated = await packagePolicy(options);
    if (!templated.ok) throw new Error(templated.report);
    expect(autoDrainStatement(templated.statements)?.Resource).toEqual([
      { 'Fn::Sub': 'arn:aws:sqs:eu-west-1:${AWS::AccountId}:a-held' },
    ]);
  });
});
