import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListTablesCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/demo-resources';
import { startDynalite } from '../../src/local/dynalite';
import { startLocalStack } from '../../src/local/stack';
import { freePort } from '../../src/local/free-port';

const projectDir = process.cwd();

async function answers(endpoint: string): Promise<boolean> {
  try {
    await fetch(endpoint, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

/** Processes whose command line mentions `text` (Linux /proc). */
function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('starting and stopping the local stack', () => {
  it('runs a dynalite of its own that refuses calls once stopped', async () => {
    const dynamo = await startDynalite({ projectDir });
    const client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
    });
    try {
      await expect(client.send(new ListTablesCommand({}))).resolves.toMatchObject({ TableNames: [] });
      await dynamo.stop();
      await dynamo.stop(); // a second stop is harmless
      await expect(client.send(new ListTablesCommand({}))).rejects.toThrow(/ECONNREFUSED|socket|connect/i);
    } finally {
      client.destroy();
      await dynamo.stop();
    }
  });

  it('stops every emulator it started', async () => {
    const stack = await startLocalStack({ projectDir, lambda: false });
    expect(await answers(stack.endpoints.dynamodb)).toBe(true);
    expect(await answers(`${stack.endpoints.sqs}/health`)).toBe(true);
    await stack.stop();
    expect(await answers(stack.endpoints.dynamodb)).toBe(false);
    expect(await answers(`${stack.endpoints.sqs}/health`)).toBe(false);
  });

  it('stops what had started when a later part fails, and names the part', async () => {
    // A project whose fauxqs exits at once, while its dynalite is the real one.
    const fake = mkdtempSync(join(tmpdir(), 'psarn-broken-stack-'));
    mkdirSync(join(fake, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(join(projectDir, 'node_modules', 'dynalite'), join(fake, 'node_modules', 'dynalite'));
    symlinkSync(
      join(projectDir, 'node_modules', 'dynalite', 'cli.js'),
      join(fake, 'node_modules', '.bin', 'dynalite'),
    );
    writeFileSync(
      join(fake, 'node_modules', '.bin', 'fauxqs'),
      'console.error("fauxqs: broken on purpose"); process.exit(3);\n',
    );
    mkdirSync(join(fake, 'src', 'local'), { recursive: true });
    writeFileSync(
      join(fake, 'src', 'local', 'parent-watchdog.cjs'),
      readFileSync(join(projectDir, 'src', 'local', 'parent-watchdog.cjs')),
    );

    await expect(startLocalStack({ projectDir: fake, lambda: false })).rejects.toThrow(/fauxqs exited \(3\)/);
    expect(await until(async () => processesMentioning(fake).length === 0, 5000)).toBe(true);
  });

  it('ends an emulator whose parent process dies without stopping it', async () => {
    const port = await freePort();
    const watchdog = join(projectDir, 'src', 'local', 'parent-watchdog.cjs');
    const dynalite = join(projectDir, 'node_modules', 'dynalite', 'cli.js');
    // A parent that starts dynalite in its own process group (as the stack does) and then hangs.
    const parentScript = `
      const { spawn } = require('node:child_process');
      spawn(process.execPath, ['--require', ${JSON.stringify(watchdog)}, ${JSON.stringify(dynalite)}, '--port', '${port}'],
        { detached: true, stdio: 'ignore' });
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['-e', parentScript], { stdio: 'ignore' });
    const endpoint = `http://127.0.0.1:${port}`;
    expect(await until(() => answers(endpoint), 10_000)).toBe(true);
    parent.kill('SIGKILL');
    expect(await until(async () => !(await answers(endpoint)), 5000)).toBe(true);
  });
});
