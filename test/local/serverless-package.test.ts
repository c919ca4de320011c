import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stackVar } from '../support/stack';

const run = promisify(execFile);
const projectDir = process.cwd();

interface Template {
  readonly Resources: Record<
    string,
    { readonly Type: string; readonly Properties?: Record<string, unknown> }
  >;
}

describe('serverless.yml', () => {
  it('packages --stage prod offline, without credentials, with the router as the only function', async () => {
    // The global setup built dist/ for the stack; packaging needs dist/router.js.
    stackVar('PSARN_STAGE');
    expect(existsSync(join(projectDir, 'dist', 'router.js'))).toBe(true);
    const out = mkdtempSync(join(tmpdir(), 'psarn-package-'));
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(AWS_|PSARN_)/.test(k)));
    await run(
      process.execPath,
      [
        join(projectDir, 'node_modules', '.bin', 'serverless'),
        'package',
        '--stage',
        'prod',
        '--package',
        out,
      ],
      // No credentials, no profile file, no config of a developer's home directory.
      {
        cwd: projectDir,
        env: { ...env, HOME: mkdtempSync(join(tmpdir(), 'psarn-home-')), SLS_TELEMETRY_DISABLED: '1' },
      },
    );
    const template = JSON.parse(
      readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'),
    ) as Template;
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions.map((f) => f.Properties?.FunctionName)).toEqual(['psarn-prod-router']);
    expect(functions[0]?.Properties).toMatchObject({
      Handler: 'dist/router.handler',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Environment: { Variables: { PSARN_STAGE: 'prod', PSARN_TABLE: { Ref: 'RouteTable' } } },
    });
    expect(template.Resources.RouteTable).toMatchObject({
      Type: 'AWS::DynamoDB::Table',
      Properties: { TableName: 'psarn-prod-routes', BillingMode: 'PAY_PER_REQUEST' },
    });
    expect(template.Resources.RouterDlq).toMatchObject({
      Type: 'AWS::SQS::Queue',
      Properties: { QueueName: 'psarn-prod-router-dlq' },
    });
    expect(existsSync(join(out, 'router.zip'))).toBe(true);
  }, 120_000);
});
