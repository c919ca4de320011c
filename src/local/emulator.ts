import { delimiter, dirname, join } from 'node:path';
import { spawnNode, type StackChild } from './child-process';
import { freePort } from './free-port';
import { waitForHttp } from './wait-ready';

/** A running emulator: where to reach it, and how to end it. */
export interface RunningEmulator {
  readonly endpoint: string;
  readonly port: number;
  /** Kills the emulator's process group; resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** Where and how an emulator process runs; every field has a default. */
export interface EmulatorOptions {
  /** Fixed port (e.g. 8000 for `npm start`); default: a free one. */
  readonly port?: number;
  /** Project root holding node_modules/ and .local-stack/; default: the current directory. */
  readonly projectDir?: string;
  /** Directory for log files; default `<projectDir>/.local-stack`. */
  readonly logDir?: string;
  /** Print the emulator's output on the terminal instead of the log file. */
  readonly echo?: boolean;
  readonly timeoutMs?: number;
}

export interface EmulatorSpec {
  readonly name: string;
  /** The npm bin in node_modules/.bin, run with this process's Node. */
  readonly bin: string;
  readonly args: (port: number) => readonly string[];
  readonly env?: (port: number) => NodeJS.ProcessEnv;
  /** Path requested to check readiness; any HTTP answer counts. */
  readonly readyPath: string;
}

/** Bin directory first on PATH, so anything an emulator spawns runs on the same Node 22. */
export function childPath(): string {
  return [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter);
}

/**
 * Start one emulator process from its npm bin and wait until it answers HTTP.
 *
 * @example
 * const dynamo = await startEmulator(DYNALITE, {});
 */
export async function startEmulator(spec: EmulatorSpec, options: EmulatorOptions): Promise<RunningEmulator> {
  const projectDir = options.projectDir ?? process.cwd();
  const port = options.port ?? (await freePort());
  const logDir = options.logDir ?? join(projectDir, '.local-stack');
  const child: StackChild = spawnNode({
    name: spec.name,
    script: join(projectDir, 'node_modules', '.bin', spec.bin),
    args: spec.args(port),
    env: { ...process.env, PATH: childPath(), ...spec.env?.(port) },
    cwd: projectDir,
    logFile: join(logDir, `${spec.name}-${port}.log`),
    ...(options.echo === undefined ? {} : { echo: options.echo }),
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(spec.name, `${endpoint}${spec.readyPath}`, {
      child,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { endpoint, port, stop: () => child.stop() };
}
