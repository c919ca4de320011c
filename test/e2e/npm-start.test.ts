/**
 * The README's quick start, as a newcomer runs it: `npm start` reaches "ready", a second
 * terminal sources the env file it prints and `npx psarn send` delivers, Ctrl-C stops it all.
 * (Free ports, so it runs beside the suite's own stack and a developer's `npm start`.)
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

function waitFor(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (pattern.test(output)) {
        clearTimeout(timer);
        resolve(output);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!pattern.test(output))
        reject(new Error(`npm start exited (${code}) before ${pattern}; output:\n${output}`));
    });
  });
}

/** `export K='v'` lines of .local-stack/env.sh, as a shell's `source` would read them. */
function sourceEnvFile(file: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^export ([A-Z0-9_]+)='(.*)'$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) env[match[1]] = match[2].replace(/'\\''/g, "'");
  }
  return env;
}

describe('npm start', () => {
  it('reaches ready, serves psarn send, and stops everything on Ctrl-C', async () => {
    // Only the variables a fresh terminal has: none of the suite's stack settings.
    const cleanEnv = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('PSARN_')),
    );
    const start = spawn('npm', ['start', '--', '--free-ports', '--no-demo'], {
      env: cleanEnv,
      detached: true,
    });
    try {
      const output = await waitFor(start, /serving until Ctrl-C/, 90_000);
      expect(output).toMatch(/routes\/ applied for stage local as release \d+/);
      const envFile = /source (\S+env\.sh)/.exec(output)?.[1];
      expect(envFile).toBeDefined();

      const env = { ...cleanEnv, ...sourceEnvFile(envFile as string) };
      const { stdout } = await run(
        'npx',
        [
          '--no-install',
          'psarn',
          'send',
          'arn:aws:psarns:us-east-1:000000000000:/email/send',
          '--data',
          '{"to":"ada"}',
          '--json',
        ],
        { env },
      );
      expect(JSON.parse(stdout)).toMatchObject({
        psarn: 'arn:aws:psarns:us-east-1:000000000000:/email/send',
        deliveries: [{ target: 'arn:aws:sqs:us-east-1:000000000000:psarn-local-email', status: 'delivered' }],
      });

      const stopped = waitFor(start, /stopped\./, 30_000);
      process.kill(-(start.pid as number), 'SIGINT');
      await stopped;
    } finally {
      if (start.exitCode === null) process.kill(-(start.pid as number), 'SIGKILL');
    }
  }, 150_000);
});
