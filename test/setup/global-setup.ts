import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { startLocalStack, type LocalStack } from '../../src/local/stack';

/**
 * Test folders whose code "stands on nothing that does I/O" (DESIGN.md "Layout"): a run that
 * selects only these needs no emulators, and skips the stack's ~5 s start.
 */
const PURE_TEST_DIRS = ['test/routes/', 'test/routing/', 'test/psarn/', 'test/fuzz/'];
const PURE_TEST_FILES = ['test/errors.test.ts'];

/** The subset of jest's GlobalConfig this setup reads. */
interface SelectionConfig {
  readonly rootDir: string;
  readonly testPathPattern?: string;
}

/**
 * Starts one local AWS stack (dynalite, fauxqs, serverless-offline with the router and demo
 * functions, the EventBridge plugin) on free ports for the whole jest run and exports its
 * environment: jest workers inherit process.env, so every SDK client and the CLI in a test
 * reach the emulators through the SDK's own AWS_ENDPOINT_URL_* variables.
 *
 * - PSARN_LOCAL_STACK=on|off forces the stack on or off (default: on unless every selected test
 *   file is in a pure folder, see PURE_TEST_DIRS).
 * - PSARN_LOCAL_STACK_ECHO=1 prints the emulators' output instead of writing .local-stack/*.log.
 * - PSARN_LOCAL_STACK_TIMING=1 prints how long start and stop took.
 */
export default async function globalSetup(globalConfig: SelectionConfig): Promise<void> {
  if (!needsStack(globalConfig)) return;
  const started = Date.now();
  // Routers in serverless-offline re-read #control every second instead of every 5 s, so tests
  // that publish a release wait 1 s, as a user waits epochCheckSeconds.
  process.env.PSARN_EPOCH_CHECK_SECONDS ??= '1';
  const stack = await startLocalStack({
    projectDir: globalConfig.rootDir,
    echo: process.env.PSARN_LOCAL_STACK_ECHO === '1',
  });
  Object.assign(process.env, stack.env);
  // Read back by global-teardown.ts, which jest runs in this same process.
  (globalThis as { psarnLocalStack?: LocalStack }).psarnLocalStack = stack;
  if (process.env.PSARN_LOCAL_STACK_TIMING === '1') {
    process.stderr.write(
      `\nlocal stack started in ${Date.now() - started} ms ${JSON.stringify(stack.timings)}\n`,
    );
  }
}

function needsStack(config: SelectionConfig): boolean {
  const forced = process.env.PSARN_LOCAL_STACK;
  if (forced === 'on') return true;
  if (forced === 'off') return false;
  const pattern = config.testPathPattern ?? '';
  if (pattern === '') return true;
  const regex = new RegExp(pattern, 'i');
  const selected = testFiles(join(config.rootDir, 'test')).filter((file) => regex.test(file));
  return selected.some((file) => {
    const rel = relative(config.rootDir, file).split(sep).join('/');
    return !PURE_TEST_FILES.includes(rel) && !PURE_TEST_DIRS.some((dir) => rel.startsWith(dir));
  });
}

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}
