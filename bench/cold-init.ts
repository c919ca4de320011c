/**
 * Cold init as Lambda pays it: a fresh `node` process requires a handler file; the time from just
 * before the require to just after, read inside the child, for the router bundle and for an empty
 * handler in turn (several repeats, medians). Node's own start is the same for both and left out.
 * With `event`, the child then answers that one event, timing the first invocation too: a chunk or
 * a connection the router defers to its first event is paid there, not hidden.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { median } from './samples';

const run = promisify(execFile);

const CHILD = `
const c0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
const mod = require(process.argv[1]);
const t1 = process.hrtime.bigint();
const c1 = process.cpuUsage(c0);
const event = process.argv[2] ? JSON.parse(process.argv[2]) : undefined;
const context = { awsRequestId: 'cold-1', getRemainingTimeInMillis: () => 30000, functionName: 'bench' };
Promise.resolve(event === undefined ? undefined : mod.handler(event, context)).then((answer) => {
  const t2 = process.hrtime.bigint();
  process.stderr.write('\\n' + JSON.stringify({ initMs: Number(t1 - t0) / 1e6, initCpuMs: (c1.user + c1.system) / 1e3, firstMs: Number(t2 - t1) / 1e6, answer }) + '\\n');
  process.exit(0);
});
`;

export interface ColdInit {
  readonly routerInitMs: number;
  readonly emptyInitMs: number;
  /** Median of the per-repeat differences (router − empty), wall time: what Lambda bills. */
  readonly deltaMs: number;
  /**
   * The same in CPU time (user + system) of the child: far less moved by other processes on a
   * shared machine, which stretch wall time while they hold the cores.
   */
  readonly deltaCpuMs: number;
  /** Median time of the router's first event after its init, when an event was given. */
  readonly routerFirstEventMs: number | null;
  readonly repeats: number;
}

interface ChildTimes {
  readonly initMs: number;
  readonly initCpuMs: number;
  readonly firstMs: number;
  readonly answer?: unknown;
}

async function child(file: string, env: NodeJS.ProcessEnv, event?: unknown): Promise<ChildTimes> {
  const args = ['-e', CHILD, file, ...(event === undefined ? [] : [JSON.stringify(event)])];
  const { stderr } = await run(process.execPath, args, { env, maxBuffer: 16 * 1024 * 1024 });
  const line = stderr.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as ChildTimes;
}

export async function coldInit(options: {
  readonly routerFile: string;
  readonly env: NodeJS.ProcessEnv;
  readonly repeats: number;
  readonly event?: unknown;
}): Promise<ColdInit> {
  const dir = mkdtempSync(join(tmpdir(), 'psarn-cold-'));
  const empty = join(dir, 'empty.js');
  writeFileSync(empty, 'exports.handler = async () => ({});\n');
  // EMF lines and the SDK's Node-version notice would land in the child's output, not ours.
  const env = { ...options.env, AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: '1' };
  const router: number[] = [];
  const blank: number[] = [];
  const deltas: number[] = [];
  const cpuDeltas: number[] = [];
  const first: number[] = [];
  for (let i = 0; i < options.repeats; i++) {
    // Alternate which goes first: the page cache and CPU frequency favour whichever follows.
    const pair =
      i % 2 === 0
        ? [await child(options.routerFile, env, options.event), await child(empty, env)]
        : [await child(empty, env), await child(options.routerFile, env, options.event)].reverse();
    const [r, e] = pair as [ChildTimes, ChildTimes];
    router.push(r.initMs);
    blank.push(e.initMs);
    deltas.push(r.initMs - e.initMs);
    cpuDeltas.push(r.initCpuMs - e.initCpuMs);
    if (options.event !== undefined) first.push(r.firstMs);
  }
  return {
    routerInitMs: median(router),
    emptyInitMs: median(blank),
    deltaMs: median(deltas),
    deltaCpuMs: median(cpuDeltas),
    routerFirstEventMs: first.length > 0 ? median(first) : null,
    repeats: options.repeats,
  };
}
