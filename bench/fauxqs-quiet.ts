import { join } from 'node:path';
import { spawnNode } from '../src/local/child-process';
import { childPath } from '../src/local/emulator';
import { freePort } from '../src/local/free-port';
import { waitForHttp } from '../src/local/wait-ready';
import { LOCAL_REGION } from '../src/local/demo-resources';
import type { RunningEmulator } from '../src/local/emulator';

/** A second fauxqs, started by bench/quiet-fauxqs.mjs with its logger off, for the SQS figures. */
export async function startQuietFauxqs(projectDir: string): Promise<RunningEmulator> {
  const port = await freePort();
  const child = spawnNode({
    name: 'fauxqs-quiet',
    script: join(projectDir, 'bench', 'quiet-fauxqs.mjs'),
    env: {
      ...process.env,
      PATH: childPath(),
      FAUXQS_PORT: String(port),
      FAUXQS_DEFAULT_REGION: LOCAL_REGION,
    },
    cwd: projectDir,
    logFile: join(projectDir, '.local-stack', `fauxqs-quiet-${port}.log`),
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp('fauxqs-quiet', `${endpoint}/health`, { child });
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { endpoint, port, stop: () => child.stop() };
}
