// Real osls loads the consumer plugin the way a consumer service names it
// (`plugins: [psarn-router/serverless]`, resolved through package.json `exports`) and runs its
// package-time check: a registration naming a function the service does not have stops packaging.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const projectDir = process.cwd();

const SERVICE = `service: signup
frameworkVersion: '>=4.3.1 <5'
provider:
  name: aws
  runtime: nodejs22.x
  region: eu-west-1
functions:
  signupV3:
    handler: handler.v3
plugins:
  - psarn-router/serverless
custom:
  psarn:
    account: '123456789012'
    register:
      - psarn: /event/newUser
        function: signupV9
        split: { weight: 10 }
`;

it('stops `serverless package` of a consumer whose registration names a function it does not have', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'psarn-consumer-'));
  try {
    mkdirSync(join(dir, 'node_modules'));
    // As `npm install psarn-router` would place it (a link to this checkout).
    symlinkSync(projectDir, join(dir, 'node_modules', 'psarn-router'));
    writeFileSync(join(dir, 'serverless.yml'), SERVICE);
    writeFileSync(join(dir, 'handler.js'), 'exports.v3 = async () => ({});\n');
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(AWS_|PSARN_)/.test(k)));
    const failed = await run(
      process.execPath,
      [
        join(projectDir, 'node_modules', '.bin', 'serverless'),
        'package',
        '--stage',
        'prod',
        '--package',
        join(dir, 'out'),
      ],
      { cwd: dir, env: { ...env, HOME: dir, SLS_TELEMETRY_DISABLED: '1' } },
    ).then(
      () => undefined,
      (err: { stdout: string; stderr: string }) => `${err.stdout}${err.stderr}`,
    );
    expect(failed).toContain(
      'psarn: custom.psarn.register[0].function: "signupV9" is not a function of signup (functions: signupV3)',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
