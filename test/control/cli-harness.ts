import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main';
import type { CliIo } from '../../src/cli/io';

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
