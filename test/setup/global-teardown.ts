import type { LocalStack } from '../../src/local/stack';

/** Stops the stack global-setup.ts started (every emulator process group). */
export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as { psarnLocalStack?: LocalStack };
  const stack = holder.psarnLocalStack;
  delete holder.psarnLocalStack;
  if (stack === undefined) return; // the setup skipped it (pure-only run or PSARN_LOCAL_STACK=off)
  const started = Date.now();
  await stack.stop();
  if (process.env.PSARN_LOCAL_STACK_TIMING === '1') {
    process.stderr.write(`local stack stopped in ${Date.now() - started} ms\n`);
  }
}
