import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main';
import type { CliIo } from '../../src/cli/io';

const ROOT = path.join(__dirname, '../..');
const LOCAL_ENV = { AWS_REGION: 'us-east-1', PSARN_ACCOUNT: '000000000000' };

function fakeIo(
  cwd: string,
  env: Record<string, string> = {},
): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: (text) => (out += text),
    stderr: (text) => (err += text),
    env,
    cwd,
    isTty: false,
    out: () => out,
    err: () => err,
  };
}

describe('psarn validate', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'psarn-validate-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('passes the shipped routes/ with region and account from the environment', async () => {
    const io = fakeIo(ROOT, LOCAL_ENV);
    expect(await main(['validate'], io)).toBe(0);
    expect(io.out()).toBe('✓ 6 routes in 4 files are valid\n');
    expect(io.err()).toBe('');
  });

  it('takes stage, region and account from flags', async () => {
    const io = fakeIo(ROOT);
    expect(
      await main(['validate', '--stage', 'prod', '--region', 'eu-west-1', '--account', '123456789012'], io),
    ).toBe(0);
    expect(io.out()).toBe('✓ 6 routes in 4 files are valid\n');
  });

  it('lists every issue of every file, warnings marked, then a summary, and exits 1', async () => {
    await writeFile(
      path.join(dir, 'a.yml'),
      [
        'psarn: arn:aws:psarns:${region}:${account}:/a',
        'targets:',
        '  - arn: arn:aws:sqs:us-west-2:${account}:q',
        '    weigth: 2',
        '',
      ].join('\n'),
    );
    await writeFile(
      path.join(dir, 'b.yml'),
      [
        'psarn: arn:aws:psarns:${region}:${account}:/b',
        'targets:',
        '  - arn: arn:aws:sqs:us-west-2:${account}:q',
        '',
      ].join('\n'),
    );
    await writeFile(path.join(dir, 'c.yml'), 'psarn: arn:aws:psarns:${region}:${account}:/c\nttl: soon\n');
    const io = fakeIo(dir, LOCAL_ENV);
    expect(await main(['validate', '--dir', '.'], io)).toBe(1);
    expect(io.out()).toBe(
      [
        "a.yml:3:10  warning: target is in region us-west-2, the route's psARN in us-east-1: allowed, but check the router may reach it (targets[0].arn)",
        'a.yml:4:5  unknown key `weigth`: did you mean `weight`? (targets[0].weigth)',
        "b.yml:3:10  warning: target is in region us-west-2, the route's psARN in us-east-1: allowed, but check the router may reach it (targets[0].arn)",
        // One run shows both of c.yml's mistakes: the bad ttl no longer hides the missing targets.
        'c.yml:1:1  a route needs at least one target: add `targets` (a weighted split) or `fanout` (targets)',
        'c.yml:2:6  `ttl` must be a whole number of seconds from 0 to 86400, got "soon" (ttl)',
        '✗ 3 errors, 2 warnings in 3 files',
        '',
      ].join('\n'),
    );
  });

  it('exits 0 when there are only warnings, and says so', async () => {
    await writeFile(
      path.join(dir, 'b.yml'),
      'psarn: arn:aws:psarns:us-east-1:000000000000:/b\nfanout: [{ arn: "arn:aws:sns:us-east-1:111111111111:t" }]\n',
    );
    const io = fakeIo(ROOT);
    expect(await main(['validate', '--dir', dir], io)).toBe(0);
    expect(io.out().split('\n').slice(-2)).toEqual(['✓ 1 route in 1 file is valid (1 warning)', '']);
  });

  it('prints {valid, routes, issues} with --json', async () => {
    await writeFile(
      path.join(dir, 'a.yml'),
      'psarn: arn:aws:psarns:${region}:000000000000:/a\nfanout: [{ arn: "arn:aws:sns:us-east-1:000000000000:t" }]\n',
    );
    await writeFile(path.join(dir, 'b.yml'), 'psarn: x\n');
    const io = fakeIo(dir, LOCAL_ENV);
    expect(await main(['validate', '--dir', '.', '--json'], io)).toBe(1);
    const printed = JSON.parse(io.out()) as unknown;
    expect(printed).toEqual({
      valid: false,
      routes: [
        {
          file: 'a.yml',
          line: 1,
          column: 1,
          route: {
            psarn: 'arn:aws:psarns:us-east-1:000000000000:/a',
            ttl: 60,
            targets: [],
            fanout: [{ arn: 'arn:aws:sns:us-east-1:000000000000:t', kind: 'sns' }],
            onFailure: 'dlq',
          },
        },
      ],
      issues: [
        {
          file: 'b.yml',
          line: 1,
          column: 1,
          path: 'targets',
          message: 'a route needs at least one target: add `targets` (a weighted split) or `fanout`',
          severity: 'error',
        },
        {
          file: 'b.yml',
          line: 1,
          column: 8,
          path: 'psarn',
          message: 'invalid psARN "x": prefix must start with "arn:"',
          severity: 'error',
        },
      ],
    });
  });

  it("gives exactly one error for the README's `weigth` example (the alias to it is not 'missing')", async () => {
    cpSync(path.join(ROOT, 'routes'), path.join(dir, 'routes'), { recursive: true });
    const file = path.join(dir, 'routes', 'signup.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('    weight: 10\n', '    weigth: 10\n'));
    const io = fakeIo(dir, LOCAL_ENV);
    expect(await main(['validate'], io)).toBe(1);
    expect(io.out()).toBe(
      'routes/signup.yml:10:5  unknown key `weigth`: did you mean `weight`? (targets[1].weigth)\n' +
        '✗ 1 error in 1 file\n',
    );
  });

  it('lists four mistakes in two files in one run, each once', async () => {
    const P = 'arn:aws:psarns:us-east-1:000000000000';
    const L = 'arn:aws:lambda:us-east-1:000000000000:function';
    await writeFile(
      path.join(dir, 'a.yml'),
      [
        `psarn: ${P}:/event/a`,
        'targets:',
        `  - arn: ${L}:fa`,
        '    weigth: 10',
        `  - arn: ${L}:fb`,
        '    weight: 20',
        '',
      ].join('\n'),
    );
    await writeFile(
      path.join(dir, 'b.yml'),
      [
        `psarn: ${P}:/event/b`,
        'targets:',
        `  - arn: ${L}:fb`,
        '    weight: -1',
        '  - arn: arn:aws:sqs:us-east-1:000000000000',
        '    weight: 1',
        'stickyBy: payload..x',
        '',
      ].join('\n'),
    );
    const io = fakeIo(dir, LOCAL_ENV);
    expect(await main(['validate', '--dir', '.'], io)).toBe(1);
    const lines = io.out().trimEnd().split('\n');
    expect(lines.map((l) => l.replace(/ {2}.*\((.*)\)$/, ' $1'))).toEqual([
      'a.yml:4:5 targets[0].weigth',
      'b.yml:4:13 targets[0].weight',
      'b.yml:5:10 targets[1].arn',
      'b.yml:7:11 stickyBy',
      '✗ 4 errors in 2 files',
    ]);
  });

  it('says when the routes directory does not exist', async () => {
    const io = fakeIo(dir);
    expect(await main(['validate'], io)).toBe(1);
    expect(io.out()).toBe(
      'routes/:1:1  routes directory routes/ does not exist: pass --dir <directory with *.yml route files>\n✗ 1 error in 1 file\n',
    );
  });

  it('validates the shipped routes/ through the installed bin (npx --no-install psarn validate)', () => {
    const run = spawnSync('npx', ['--no-install', 'psarn', 'validate'], {
      cwd: ROOT,
      env: { ...process.env, ...LOCAL_ENV, PSARN_STAGE: 'local' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stdout).toBe('✓ 6 routes in 4 files are valid\n');
    expect(run.status).toBe(0);
  });

  it('validates the shipped routes/ on a fresh clone with nothing configured', () => {
    const bare = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('PSARN_')),
    );
    const run = spawnSync('npx', ['--no-install', 'psarn', 'validate'], {
      cwd: ROOT,
      env: bare,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stdout).toBe('✓ 6 routes in 4 files are valid\n');
    expect(run.stderr).toContain(
      "note: ${region} = us-east-1, ${account} = 000000000000 (the local stack's;",
    );
    expect(run.status).toBe(0);
  });
});
