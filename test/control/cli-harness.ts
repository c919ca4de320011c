import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main';
import type { CliIo } from '../../src/cli/io';
import { freshTable, startDynalite, type LocalDynamo } from '../store/local-dynamo';

/** What one in-process `psarn` run printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run `psarn …args` in-process against `env` (a dynalite's), with `cwd` as the working directory. */
export async function runCli(
  args: readonly string[],
  env: Record<string, string>,
  cwd: string,
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env,
    cwd,
    isTty: false,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** A temporary project directory with `routes/` holding the given files. */
export interface RoutesDir {
  readonly cwd: string;
  write(files: Record<string, string>): Promise<void>;
  remove(): Promise<void>;
}

export async function routesDir(): Promise<RoutesDir> {
  const cwd = await mkdtemp(path.join(tmpdir(), 'psarn-cli-'));
  await mkdir(path.join(cwd, 'routes'));
  return {
    cwd,
    async write(files) {
      await rm(path.join(cwd, 'routes'), { recursive: true, force: true });
      await mkdir(path.join(cwd, 'routes'));
      for (const [name, text] of Object.entries(files)) await writeFile(path.join(cwd, 'routes', name), text);
    },
    remove: () => rm(cwd, { recursive: true, force: true }),
  };
}

/** A route file for `/event/<name>` with a live/canary split and optional extra YAML. */
export function canaryYaml(name: string, live: number, canary: number, extra = ''): string {
  return [
    `psarn: arn:aws:psarns:\${region}:\${account}:/event/${name}`,
    'targets:',
    `  - arn: arn:aws:lambda:\${region}:\${account}:function:${name}:live`,
    `    weight: ${live}`,
    `  - arn: arn:aws:lambda:\${region}:\${account}:function:${name}:canary`,
    `    weight: ${canary}`,
    extra,
  ].join('\n');
}

/** What a CLI test file shares: its dynalite, a routes directory and a fresh table per test. */
export interface CliFixture {
  local: LocalDynamo;
  dir: RoutesDir;
  table: string;
  env: Record<string, string>;
  run(...args: string[]): Promise<CliRun>;
}

/**
 * Start a dynalite and a routes dir for the file (beforeAll), a fresh table and one route file
 * `new-user.yml` (newUser 90/10) for each test (beforeEach), and stop it all after.
 */
export function useCliFixture(): CliFixture {
  const fixture = {} as CliFixture;
  beforeAll(async () => {
    fixture.local = await startDynalite();
    fixture.dir = await routesDir();
    fixture.run = (...args) => runCli(args, fixture.env, fixture.dir.cwd);
  });
  afterAll(async () => {
    await fixture.dir?.remove();
    await fixture.local?.close();
  });
  beforeEach(async () => {
    fixture.table = await freshTable(fixture.local);
    fixture.env = {
      ...fixture.local.env,
      PSARN_TABLE: fixture.table,
      AWS_REGION: 'eu-west-1',
      PSARN_ACCOUNT: '123456789012',
    };
    await fixture.dir.write({ 'new-user.yml': canaryYaml('newUser', 90, 10) });
  });
  return fixture;
}
