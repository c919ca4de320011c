/**
 * The engine's side of health: a copy the planner marked unhealthy is never sent, and is kept —
 * parked when its route has a queue (whatever `onFailure` says: its target never failed it), else
 * dead-lettered — with reason `unhealthy`; a copy an open circuit refused is kept the same way
 * with reason `circuit-open`. The engine's bookkeeping is pure logic over the Forwarder port,
 * as in engine.test.ts; the circuit's real-stack run is test/health/circuit.integration.test.ts.
 */
import { DeliveryEngine } from '../../src/delivery/engine';
import { ErrorCode, TargetFailedError } from '../../src/errors';
import { CircuitBreakers } from '../../src/health/circuit-breakers';
import { viewOf } from '../../src/health/health-view';
import { planDelivery } from '../../src/routing/planner';
import { withBreaker } from '../../src/targets/breaker';
import type { RoutedEvent } from '../../src/routing/plan';
import { RecordingForwarders } from '../support/recording-forwarders';
import { lambdaArn, route, snsArn, split, sqsArn, target } from '../support/routes';

const DLQ = sqsArn('router-dlq');
const HOLD = sqsArn('holding');
const A = lambdaArn('a');
const AUDIT = snsArn('audit');
const unhealthy = viewOf(
  new Map([[AUDIT, { status: 'unhealthy' as const, reason: 'function state Inactive' }]]),
);

const event = (n: number, psarn: string): RoutedEvent => ({
  psarn,
  payload: { n },
  headers: {},
  traceId: `t-${n}`,
  eventId: `e-${n}`,
});

describe('DeliveryEngine and health', () => {
  it('parks a fanout copy to an unhealthy target without sending it, even when onFailure is dlq', async () => {
    const r = route('/event/h', {
      targets: [split(A, 1)],
      fanout: [target(AUDIT)],
      park: { queue: HOLD, enabled: false },
      onFailure: 'dlq',
    });
    const fw = new RecordingForwarders();
    const engine = new DeliveryEngine({ forwarders: fw.lookup, deadLetterQueue: DLQ });
    const e = event(1, r.psarn);
    const plan = planDelivery(r, e, () => 0.5, undefined, unhealthy);
    const [outcome] = await engine.deliver([
      { event: e, plan, body: '{"n":1}', routeVersion: 1, passthrough: false },
    ]);
    expect(fw.to(AUDIT)).toHaveLength(0);
    expect(outcome?.report.deliveries).toEqual([
      { target: A, role: 'split', status: 'delivered' },
      {
        target: AUDIT,
        role: 'fanout',
        status: 'parked',
        error: expect.objectContaining({ code: 'TARGET_UNHEALTHY', reason: 'unhealthy' }),
      },
    ]);
    const [kept] = fw.to(HOLD);
    expect(kept?.body).toBe('{"n":1}');
    expect(kept?.metadata['psarn-target']).toBe(AUDIT);
    expect(kept?.metadata['psarn-error']).toMatch(/^TARGET_UNHEALTHY: .*function state Inactive/);
  });

  it('dead-letters it when the route has no park queue', async () => {
    const r = route('/event/h2', { targets: [split(A, 1)], fanout: [target(AUDIT)] });
    const fw = new RecordingForwarders();
    const engine = new DeliveryEngine({ forwarders: fw.lookup, deadLetterQueue: DLQ });
    const e = event(2, r.psarn);
    const plan = planDelivery(r, e, () => 0.5, undefined, unhealthy);
    const [outcome] = await engine.deliver([
      { event: e, plan, body: '{"n":2}', routeVersion: 1, passthrough: false },
    ]);
    expect(outcome?.secured).toBe(true);
    expect(outcome?.report.deliveries[1]).toMatchObject({ target: AUDIT, status: 'dead-lettered' });
    expect(fw.to(AUDIT)).toHaveLength(0);
    expect(fw.to(DLQ)).toHaveLength(1);
  });

  it('dead-letters copies an open circuit refused when the route cannot park them, with reason circuit-open', async () => {
    const r = route('/event/h3', { targets: [split(A, 1)] });
    const fw = new RecordingForwarders();
    const breakers = new CircuitBreakers({ threshold: 2 });
    // Two transient failures (an unknown error counts as TARGET_UNAVAILABLE) open A's circuit.
    breakers.record(A, new Error('socket hang up'), false);
    breakers.record(A, new Error('socket hang up'), false);
    const lookup = (kind: Parameters<typeof fw.lookup>[0]) =>
      kind === 'lambda' ? withBreaker(fw.lookup(kind), breakers) : fw.lookup(kind);
    const engine = new DeliveryEngine({ forwarders: lookup, deadLetterQueue: DLQ });
    const items = [1, 2].map((n) => {
      const e = event(n, r.psarn);
      return {
        event: e,
        plan: planDelivery(r, e, () => 0.5),
        body: `{"n":${n}}`,
        routeVersion: 1,
        passthrough: false,
      };
    });
    const outcomes = await engine.deliver(items);
    expect(outcomes.map((o) => o.secured)).toEqual([true, true]);
    expect(outcomes.map((o) => o.report.deliveries[0])).toEqual(
      Array(2).fill(
        expect.objectContaining({
          status: 'dead-lettered',
          error: expect.objectContaining({ code: 'CIRCUIT_OPEN', reason: 'circuit-open' }),
        }),
      ),
    );
    expect(fw.to(A)).toHaveLength(0);
    expect(fw.to(DLQ).map((m) => m.body)).toEqual(['{"n":1}', '{"n":2}']);
  });
});

describe('the breaker never refuses the safety net (review finding)', () => {
  it('a DLQ and a holding queue whose circuits are open still take the copies that failed', async () => {
    const r = route('/event/net', {
      targets: [split(A, 1)],
      park: { queue: HOLD, enabled: false },
      onFailure: 'park',
    });
    const direct = route('/event/net-dlq', { targets: [split(A, 1)], onFailure: 'dlq' });
    const fw = new RecordingForwarders();
    fw.failing.add(A);
    const breakers = new CircuitBreakers();
    // Both queues' circuits are open: five transient failures each, as a throttled DLQ would show.
    for (const queue of [DLQ, HOLD])
      for (let i = 0; i < 5; i++)
        breakers.record(
          queue,
          new TargetFailedError(queue, 'slow', undefined, { code: ErrorCode.TARGET_THROTTLED }),
          false,
        );
    expect(breakers.admit(DLQ).kind).toBe('open');
    const engine = new DeliveryEngine({
      forwarders: (kind) => withBreaker(fw.lookup(kind), breakers),
      deadLetterQueue: DLQ,
    });
    const parked = event(2, r.psarn);
    const lettered = event(3, direct.psarn);
    const outcomes = await engine.deliver([
      {
        event: parked,
        plan: planDelivery(r, parked, () => 0.5),
        body: '{"n":2}',
        routeVersion: 1,
        passthrough: false,
      },
      {
        event: lettered,
        plan: planDelivery(direct, lettered, () => 0.5),
        body: '{"n":3}',
        routeVersion: 1,
        passthrough: false,
      },
    ]);
    expect(outcomes.map((o) => o.secured)).toEqual([true, true]);
    expect(outcomes.map((o) => o.report.deliveries[0]?.status)).toEqual(['parked', 'dead-lettered']);
    expect(fw.to(HOLD)).toHaveLength(1);
    expect(fw.to(DLQ)).toHaveLength(1);
    // A rejected record is dead-lettered past an open DLQ circuit too.
    await expect(
      engine.deadLetter([{ event: event(4, r.psarn), body: '{}', error: new Error('unreadable') }]),
    ).resolves.toEqual([true]);
  });

  it('a parked route still sends its copies to its holding queue while that queue’s circuit is open', async () => {
    const r = route('/event/parked', { targets: [split(A, 1)], park: { queue: HOLD, enabled: true } });
    const fw = new RecordingForwarders();
    const breakers = new CircuitBreakers();
    for (let i = 0; i < 5; i++)
      breakers.record(
        HOLD,
        new TargetFailedError(HOLD, 'slow', undefined, { code: ErrorCode.TARGET_THROTTLED }),
        false,
      );
    const engine = new DeliveryEngine({
      forwarders: (kind) => withBreaker(fw.lookup(kind), breakers),
      deadLetterQueue: DLQ,
    });
    const e = event(5, r.psarn);
    const [outcome] = await engine.deliver([
      { event: e, plan: planDelivery(r, e, () => 0.5), body: '{"n":5}', routeVersion: 1, passthrough: false },
    ]);
    expect(outcome?.report.deliveries[0]?.status).toBe('parked');
    expect(fw.to(HOLD)).toHaveLength(1);
    expect(fw.to(DLQ)).toHaveLength(0);
  });
});
