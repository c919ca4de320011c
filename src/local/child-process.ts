import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A process the local stack started, in its own process group. */
export interface StackChild {
  readonly name: string;
  readonly pid: number;
  /** Where its stdout and stderr go (unless `echo`). */
  readonly logFile: string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** Whether the process has exited. */
  hasExited(): boolean;
  /** SIGTERM to the whole process group, SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  readonly name: string;
  /** A JavaScript file run with this process's Node (`process.execPath`, Node 22 under npm). */
  readonly script: string;
  readonly args?: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly logFile: string;
  /** Print the child's output on this process's terminal instead of the log file. */
  readonly echo?: boolean;
}

const WATCHDOG = join(__dirname, 'parent-watchdog.cjs');
/** Children started by this process that have not exited: killed synchronously if it exits. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is already gone, which is what we wanted.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of running) killGroup(child, 'SIGKILL');
  });
}

/**
 * Start a Node script as a child in its own process group, output to a log file, and with a
 * watchdog that ends it when this process disappears.
 *
 * @example
 * const child = spawnNode({ name: 'dynalite', script: require.resolve('dynalite/cli.js'),
 *   args: ['--port', '8000'], env: process.env, cwd: process.cwd(), logFile: '.local-stack/dynalite.log' });
 * await child.stop();
 */
export function spawnNode(options: SpawnOptions): StackChild {
  installExitHook();
  mkdirSync(dirname(options.logFile), { recursive: true });
  const out = options.echo === true ? 'inherit' : openSync(options.logFile, 'a');
  // The watchdog must be loaded from a real file: a bundled or jest-transformed __dirname can
  // point elsewhere, so fall back to the source tree when it is missing there.
  const watchdog = resolveWatchdog(options.cwd);
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, ['--require', watchdog, options.script, ...(options.args ?? [])], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', out, out],
    });
  } finally {
    if (typeof out === 'number') closeSync(out);
  }
  if (child.pid === undefined) {
    throw new Error(`could not start ${options.name} (${options.script})`);
  }
  const pid = child.pid;
  running.add(child);
  let done = false;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      running.delete(child);
      resolve(code ?? signal ?? 'unknown');
    });
    child.once('error', () => {
      done = true;
      running.delete(child);
      resolve('spawn-error');
    });
  });

  return {
    name: options.name,
    pid,
    logFile: options.logFile,
    exited,
    hasExited: () => done,
    async stop(graceMs = 3000): Promise<void> {
      if (done) {
        // The leader is gone; anything it left behind in its group goes now.
        killGroup(child, 'SIGKILL');
        return;
      }
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // Whatever the leader left behind in its group goes too.
      killGroup(child, 'SIGKILL');
    },
  };
}

function resolveWatchdog(cwd: string): string {
  const candidates = [WATCHDOG, join(cwd, 'src', 'local', 'parent-watchdog.cjs')];
  const found = candidates.find((file) => existsSync(file));
  if (found === undefined) throw new Error(`parent-watchdog.cjs not found in ${candidates.join(' or ')}`);
  return found;
}
