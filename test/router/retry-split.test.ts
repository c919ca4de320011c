/**
 * A retried event draws the same weighted split as its first attempt (review of issue 7: with
 * Math.random a retry could re-draw a split between aliases and reach a second branch, whose copy
 * key the retry ledger did not hold). The ledger here is an in-memory one of the port; the
 * engine's ledger logic and the DynamoDB ledger are tested elsewhere against dynalite.
 */
import { randomUUID } from 'node:crypto';
import { createRouter } from '../../src/router/wiring';
import { parseEnvelope } from '../../src/router/envelope';
import { respond, type Observer } from '../../src/router/respond';
import { InMemoryRouteStore } from '../../src/store/in-memory-route-store';
import type { DeliveryLedger, LedgerRecord } from '../../src/delivery/ledger';
import { RecordingForwarders } from '../support/recording-forwarders';
import { route, split, sqsArn, target } from '../support/routes';

const quiet: Observer = { accepted: () => undefined, rejected: () => undefined, unsecured: () => undefined };

function memoryLedger(): DeliveryLedger {
  const records = new Map<string, LedgerRecord>();
  return {
    recall: async (ids) =>
      new Map(
        ids.flatMap((id) => {
          const r = records.get(id);
          return r === undefined ? [] : [[id, r] as const];
        }),
      ),
    remember: async (id, record) => void records.set(id, record),
  };
}

it('sends a retried event down the split branch its first attempt took, never the other alias', async () => {
  const a = route('/split/a', { targets: [split(sqsArn('qa'), 1)] });
  const b = route('/split/b', { targets: [split(sqsArn('qb'), 1)] });
  const root = route('/split/root', {
    targets: [split(a.psarn, 1), split(b.psarn, 1)],
    fanout: [target(sqsArn('flaky'))],
  });
  const store = new InMemoryRouteStore();
  await store.publishRelease([a, b, root], { by: 'test' });
  const fw = new RecordingForwarders();
  const { router } = createRouter(
    {
      tableName: 't',
      deadLetterQueue: sqsArn('dlq'),
      epochCheckSeconds: 5,
      maxStaleSeconds: 60,
      negativeTtlSeconds: 5,
    },
    { store, forwarders: fw.lookup, ledger: memoryLedger() },
  );
  const requests = Array.from({ length: 40 }, () => randomUUID());
  // First attempts: the fanout copy can be kept nowhere, so every invocation fails.
  fw.failing.add(sqsArn('flaky')).add(sqsArn('dlq'));
  for (const requestId of requests) {
    await expect(
      respond(router, parseEnvelope({ headers: { psarn: root.psarn }, payload: { requestId } }), quiet, {
        requestId,
      }),
    ).rejects.toThrow(/neither delivered/);
  }
  fw.failing.clear();
  for (const requestId of requests) {
    await respond(router, parseEnvelope({ headers: { psarn: root.psarn }, payload: { requestId } }), quiet, {
      requestId,
      retried: true,
    });
  }
  // Each event reached exactly one split branch, once, and the fanout once more (its retry).
  const reached = [...fw.to(sqsArn('qa')), ...fw.to(sqsArn('qb'))].map((m) => m.body);
  expect(reached.sort()).toEqual(requests.map((r) => JSON.stringify({ requestId: r })).sort());
  expect(fw.to(sqsArn('qa')).length).toBeGreaterThan(0);
  expect(fw.to(sqsArn('qb')).length).toBeGreaterThan(0);
});

it('keeps weighted splits uniform when the draw comes from event ids', async () => {
  const r = route('/split/weights', { targets: [split(sqsArn('x'), 30), split(sqsArn('y'), 70)] });
  const store = new InMemoryRouteStore();
  await store.publishRelease([r], { by: 'test' });
  const fw = new RecordingForwarders();
  const { router } = createRouter(
    { tableName: 't', epochCheckSeconds: 5, maxStaleSeconds: 60, negativeTtlSeconds: 5 },
    { store, forwarders: fw.lookup },
  );
  const n = 10_000;
  for (let i = 0; i < n; i++) {
    const prepared = await router.prepare(
      { psarn: r.psarn, payload: {}, headers: {}, eventId: `order-${i}` },
      { passthrough: false },
    );
    if (!prepared.ok) throw prepared.error;
    fw.sent.push({
      target: prepared.item.plan.deliveries[0]?.target.arn ?? '',
      ref: prepared.item.plan.deliveries[0]!.target,
      messages: [],
    });
  }
  const share = fw.sent.filter((s) => s.target === sqsArn('x')).length / n;
  // 30 % ± 2 %: far outside what a broken draw (always one side, or 50/50) would give.
  expect(share).toBeGreaterThan(0.28);
  expect(share).toBeLessThan(0.32);
});
