/**
 * "Nothing lost under faults": 5,000 events (PSARN_SOAK_EVENTS to change it) through the real
 * router handler, in-process, over direct invoke, HTTP and SQS ingress, with a fault proxy between
 * the router and the emulators, a target queue deleted and re-created mid-run, SQS/SNS down for two
 * seconds, and a target Lambda failing 10 % of its events. The per-target account read back from
 * the emulators must show no copy lost and none re-sent to a target that already had it.
 *
 * PSARN_SOAK_BREAK=drop|resend breaks the router on purpose, to show this test fails:
 *   PSARN_SOAK_BREAK=drop npx jest test/reliability/nothing-lost.test.ts   # fails: lost > 0
 * `npm run soak` runs the same harness outside jest with 100,000 events (scripts/soak.ts).
 */
import { runSoak, type Break, type Handler, type SqsModule } from './support/soak-harness';

const events = Number(process.env.PSARN_SOAK_EVENTS ?? 5_000);
const breakWith = process.env.PSARN_SOAK_BREAK as Break | undefined;

/** src/router/handler.ts as a fresh module (its clients read the environment the harness set). */
function loadHandler(): { handler: Handler; sqs: SqsModule } {
  let loaded: { handler: Handler; sqs: SqsModule } | undefined;
  jest.isolateModules(() => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    loaded = {
      // The same SQS module instance the handler uses, so PSARN_SOAK_BREAK can wrap its sends.
      sqs: require('@aws-sdk/client-sqs') as SqsModule,
      handler: (require('../../src/router/handler') as { handler: Handler }).handler,
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
  });
  if (loaded === undefined) throw new Error('the router handler did not load');
  return loaded;
}

test(`the router loses none of ${events} events and re-sends none under faults`, async () => {
  const result = await runSoak({
    events,
    env: process.env,
    loadHandler,
    ...(breakWith === undefined ? {} : { break: breakWith }),
    // Diagnostics only (the defaults are the test): PSARN_SOAK_CHAOS=off skips the deleted queue and
    // the outage, PSARN_SOAK_SHARED_TRACE=off gives every event its own trace id.
    chaos: process.env.PSARN_SOAK_CHAOS !== 'off',
    sharedTraceIds: process.env.PSARN_SOAK_SHARED_TRACE !== 'off',
    ...(process.env.PSARN_SOAK_LATE_MS === undefined
      ? {}
      : { lateMs: Number(process.env.PSARN_SOAK_LATE_MS) }),
    ...(process.env.PSARN_SOAK_PROGRESS === '1'
      ? { log: (line: string) => process.stderr.write(`${line}\n`) }
      : {}),
  });
  // The account is the test's output: printed whether it passes or fails.
  process.stdout.write(`\n${result.report}\n`);
  const { total, rows } = result.account;
  expect(total.accepted).toBeGreaterThan(0);
  // Named per target, so the failure says where copies went missing or came twice.
  expect(
    rows
      .filter((r) => r.lost > 0 || r.resent > 0)
      .map((r) => `${r.target}: ${r.lost} lost, ${r.resent} re-sent to a target that already had it`),
  ).toEqual([]);
}, 600_000);
