/**
 * `npm run soak`: the reliability run of test/reliability/nothing-lost.test.ts at soak size, outside
 * jest. Starts its own local stack on free ports, sends N events (default 100,000) through the router
 * handler in-process with faults between it and the emulators, prints progress, the per-target
 * account and the run time, and exits 1 when a copy was lost or re-sent to a target that had it.
 *
 * Flags: --events N, --concurrency N (invocations in flight, default 16), --seed N (fault sequence),
 * --break drop|resend (or PSARN_SOAK_BREAK: the router broken on purpose, to see the run fail).
 */
import { startLocalStack } from '../src/local/stack';
import { runSoak, type Break, type Handler, type SqsModule } from '../test/reliability/support/soak-harness';

const args = process.argv.slice(2);

function flag(name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--')) usage(`--${name} needs a value`);
  return value;
}

function count(name: string, fallback: number): number {
  const raw = flag(name);
  if (raw === undefined) return fallback;
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(value) || value <= 0)
    usage(`--${name} must be a positive whole number, got "${raw}"`);
  return value;
}

function usage(problem: string): never {
  process.stderr.write(
    `soak: ${problem}\nusage: npm run soak -- [--events N] [--concurrency N] [--seed N] [--break drop|resend]\n`,
  );
  process.exit(2);
}

async function main(): Promise<number> {
  const known = new Set(['--events', '--concurrency', '--seed', '--break']);
  for (let i = 0; i < args.length; i += 2) {
    if (!known.has(args[i] as string)) usage(`unknown argument ${args[i]}`);
  }
  const events = count('events', 100_000);
  const concurrency = count('concurrency', 16);
  const seed = count('seed', 1);
  const breakWith = flag('break') ?? process.env.PSARN_SOAK_BREAK;
  if (breakWith !== undefined && breakWith !== 'drop' && breakWith !== 'resend') {
    usage(`--break must be drop or resend, got "${breakWith}"`);
  }

  const started = Date.now();
  say('starting the local AWS stack (dynalite, fauxqs, serverless-offline, EventBridge) …');
  const stack = await startLocalStack({ projectDir: process.cwd() });
  const stop = async (): Promise<void> => {
    await stack.stop();
  };
  process.on('SIGINT', () => void stop().then(() => process.exit(130)));
  try {
    Object.assign(process.env, stack.env);
    say(`stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s; sending ${events} events …`);
    const result = await runSoak({
      events,
      concurrency,
      seed,
      env: stack.env,
      log: say,
      ...(breakWith === undefined ? {} : { break: breakWith as Break }),
      // The bundle holds one copy of each module: this is the SQS module the handler uses.
      loadHandler: () => ({
        /* eslint-disable @typescript-eslint/no-require-imports */
        sqs: require('@aws-sdk/client-sqs') as SqsModule,
        handler: (require('../src/router/handler') as { handler: Handler }).handler,
        /* eslint-enable @typescript-eslint/no-require-imports */
      }),
    });
    say(`\n${result.report}\n`);
    const { lost, resent } = result.account.total;
    const ok = lost === 0 && resent === 0;
    say(
      ok
        ? `PASS: ${events} events, nothing lost, nothing re-sent (${result.seconds.toFixed(1)} s)`
        : `FAIL: ${lost} copies lost, ${resent} re-sent to a target that already had them (${result.seconds.toFixed(1)} s)`,
    );
    return ok ? 0 : 1;
  } finally {
    await stop();
  }
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `soak failed to run: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(2);
  },
);
