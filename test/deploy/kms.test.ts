/** SSE-KMS targets: the router role gets kms:GenerateDataKey and kms:Decrypt on the keys named (issue 8 item 8). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { routerIamStatements, type IamStatement } from '../../src/deploy/iam-statements';
import { packagePolicy, type PackagePolicyOptions } from '../../src/deploy/package-policy';

const TABLE = { 'Fn::GetAtt': ['RouteTable', 'Arn'] };
const DLQ = { 'Fn::GetAtt': ['RouterDlq', 'Arn'] };
const KEY_A = 'arn:aws:kms:eu-west-1:123456789012:key/1111aaaa-2222-3333-4444-555566667777';
const KEY_B = 'arn:aws:kms:eu-west-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef';
const QUEUE = 'arn:aws:sqs:eu-west-1:123456789012:orders-encrypted';

const kmsStatement = (statements: readonly IamStatement[]): IamStatement | undefined =>
  statements.find((s) => s.Sid === 'PsarnUseTargetKeys');

describe('routerIamStatements with KMS keys', () => {
  it('grants GenerateDataKey and Decrypt on exactly the keys named, each once, sorted', () => {
    const statements = routerIamStatements({
      targets: [{ kind: 'sqs', resource: QUEUE }],
      table: TABLE,
      deadLetterQueue: DLQ,
      mode: 'exact',
      kmsKeys: [KEY_B, KEY_A, KEY_B, { 'Fn::GetAtt': ['QueueKey', 'Arn'] }],
    });
    expect(kmsStatement(statements)).toEqual({
      Sid: 'PsarnUseTargetKeys',
      Effect: 'Allow',
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: [KEY_A, KEY_B, { 'Fn::GetAtt': ['QueueKey', 'Arn'] }],
    });
  });

  it('grants them in wildcard mode too (a wildcard on targets is no grant on keys)', () => {
    const statements = routerIamStatements({
      targets: [],
      table: TABLE,
      deadLetterQueue: DLQ,
      mode: 'wildcard',
      kmsKeys: [KEY_A],
    });
    expect(kmsStatement(statements)?.Resource).toEqual([KEY_A]);
  });

  it('grants no KMS access when no key is named', () => {
    const statements = routerIamStatements({
      targets: [],
      table: TABLE,
      deadLetterQueue: DLQ,
      mode: 'exact',
    });
    expect(kmsStatement(statements)).toBeUndefined();
  });
});

describe('packagePolicy with KMS keys from the deploy config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'psarn-kms-'));
  writeFileSync(
    join(dir, 'orders.yml'),
    ['psarn: arn:aws:psarns:${region}:${account}:/event/orders', 'targets:', `  - arn: ${QUEUE}`, ''].join(
      '\n',
    ),
  );
  const options = (kmsKeys: readonly string[]): PackagePolicyOptions => ({
    dir: '.',
    cwd: dir,
    stage: 'prod',
    region: 'eu-west-1',
    account: '123456789012',
    mode: 'exact',
    table: TABLE,
    deadLetterQueue: DLQ,
    kmsKeys,
  });

  it('adds the key grant beside the queue it encrypts', async () => {
    const policy = await packagePolicy(options([KEY_A]));
    if (!policy.ok) throw new Error(policy.report);
    expect(kmsStatement(policy.statements)?.Resource).toEqual([KEY_A]);
    expect(policy.statements.find((s) => s.Sid === 'PsarnSendToQueues')?.Resource).toEqual([QUEUE, DLQ]);
  });

  it('refuses an alias, saying why and how to find the key ARN', async () => {
    const policy = await packagePolicy(options(['arn:aws:kms:eu-west-1:123456789012:alias/orders']));
    expect(policy.ok).toBe(false);
    expect(policy.report).toBe(
      'custom.psarn.kmsKeys[0] "arn:aws:kms:eu-west-1:123456789012:alias/orders" is an alias: IAM grants need the key ARN ' +
        '(arn:aws:kms:<region>:<account>:key/<key id>); `aws kms describe-key --key-id alias/orders` prints it\n',
    );
  });

  it('refuses what is no KMS key ARN', async () => {
    const policy = await packagePolicy(options(['1111aaaa-2222-3333-4444-555566667777']));
    expect(policy.ok).toBe(false);
    expect(policy.report).toMatch(
      /^custom\.psarn\.kmsKeys\[0\] "1111aaaa-.*" is not a KMS key ARN \(arn:aws:kms:<region>:<account>:key\/<key id>\)/,
    );
  });
});
