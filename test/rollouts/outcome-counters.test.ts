import { ErrorCode, TargetFailedError } from '../../src/errors';
import { DynamoCounterStore, type CounterDelta, type CounterStore } from '../../src/rollouts/counter-store';
import { OutcomeCounters } from '../../src/rollouts/outcome-counters';
import type { SendOutcome } from '../../src/targets/forwarder';
import { freshTable, newClient, startDynalite, type LocalDynamo } from '../store/local-dynamo';
import { lambdaArn, target } from '../support/routes';

let local: LocalDynamo;
beforeAll(async () => {
  local = await startDynalite();
});
afterAll(async () => {
  await local.close();
});

const CANARY = target(lambdaArn('signupV2'));
const OLD = target(lambdaArn('signupV1'));
const ok: SendOutcome = { ok: true };
const failed = (error: Error): SendOutcome => ({ ok: false, error });

/** The real store, with every add recorded (calls, not results: the store is dynalite's). */
function recording(store: CounterStore): CounterStore & { adds: CounterDelta[] } {
  const adds: CounterDelta[] = [];
  return {
    adds,
    add: (delta, signal) => {
      adds.push(delta);
      return store.add(delta, signal);
    },
    read: (t, from) => store.read(t, from),
  };
}

describe('outcome counters (the router side of the rollout gate)', () => {
  it("counts delivered and failed copies per target and reason, and sums every instance's counts in one item per minute", async () => {
    const store = new DynamoCounterStore({ client: local.client, tableName: await freshTable(local) });
    const a = new OutcomeCounters({ store: () => store });
    const b = new OutcomeCounters({ store: () => store });
    a.observe(
      CANARY,
      [],
      [
        ok,
        ok,
        failed(new TargetFailedError(CANARY.arn, 'boom', undefined, { code: ErrorCode.FUNCTION_ERROR })),
      ],
    );
    a.observe(OLD, [], [ok]);
    b.observe(
      CANARY,
      [],
      [
        failed(new TargetFailedError(CANARY.arn, 'reset', undefined, { code: ErrorCode.TARGET_UNAVAILABLE })),
        ok,
      ],
    );
    await Promise.all([a.flush(), b.flush()]);
    a.observe(CANARY, [], [ok]);
    await a.flush();
    expect(await store.read(CANARY.arn, 0)).toEqual({
      delivered: 4,
      failed: 2,
      byReason: { 'function-error': 1, transient: 1 },
    });
    expect(await store.read(OLD.arn, 0)).toEqual({ delivered: 1, failed: 0, byReason: {} });
  });

  it('does no I/O while an event is delivered: the write happens later, on a timer', async () => {
    const store = recording(
      new DynamoCounterStore({ client: local.client, tableName: await freshTable(local) }),
    );
    let built = 0;
    const counters = new OutcomeCounters({
      store: () => {
        built++;
        return store;
      },
      flushEveryMs: 50,
    });
    counters.observe(CANARY, [], [ok]);
    counters.observe(CANARY, [], [ok]);
    // Synchronously after observing: nothing built, nothing sent.
    expect(built).toBe(0);
    expect(store.adds).toEqual([]);
    // The timer's flush, seen through its effect (polled, not timed).
    for (let i = 0; i < 200 && store.adds.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(store.adds).toHaveLength(1);
    expect(store.adds[0]).toMatchObject({ target: CANARY.arn, delivered: 2, failed: 0 });
  });

  it('gives up on a store that hangs or fails, drops that delta, and keeps counting', async () => {
    // A dynalite that never answers UpdateItem: the flush must end on its own timeout.
    const hung = await startDynalite({
      beforeRequest: (op) => (op === 'UpdateItem' ? new Promise(() => {}) : Promise.resolve()),
    });
    try {
      const client = newClient(hung.endpoint);
      const counters = new OutcomeCounters({
        store: () => new DynamoCounterStore({ client, tableName: 'any' }),
        flushTimeoutMs: 200,
      });
      counters.observe(CANARY, [], [ok, ok, ok]);
      await counters.flush();
      expect(counters.dropped).toBe(3);
      const broken = new OutcomeCounters({
        store: () => {
          throw new Error('no table');
        },
      });
      broken.observe(CANARY, [], [ok]);
      await broken.flush();
      expect(broken.dropped).toBe(1);
      client.destroy();
    } finally {
      await hung.close();
    }
  });

  it('holds at most maxEntries targets between flushes, dropping the counts of more', async () => {
    const store = recording(
      new DynamoCounterStore({ client: local.client, tableName: await freshTable(local) }),
    );
    const counters = new OutcomeCounters({ store: () => store, maxEntries: 2 });
    counters.observe(target(lambdaArn('a')), [], [ok]);
    counters.observe(target(lambdaArn('b')), [], [ok]);
    counters.observe(target(lambdaArn('c')), [], [ok, ok]);
    counters.observe(target(lambdaArn('a')), [], [ok]);
    await counters.flush();
    expect(counters.dropped).toBe(2);
    expect(store.adds.map((d) => [d.target.split(':').pop(), d.delivered]).sort()).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
  });
});
