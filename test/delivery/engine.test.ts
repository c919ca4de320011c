import { DeliveryEngine, type DeliveryItem } from '../../src/delivery/engine';
import { RecordingForwarders } from '../support/recording-forwarders';
import type { DeliveryPlan, PlannedDelivery, RoutedEvent } from '../../src/routing/plan';
import { lambdaArn, route, split, sqsArn, target, snsArn } from '../support/routes';

const DLQ = sqsArn('router-dlq');
const HOLD = sqsArn('holding');
const A = lambdaArn('a');
const AUDIT = snsArn('audit');

const parkingRoute = route('/event/a', {
  targets: [split(A, 1)],
  fanout: [target(AUDIT)],
  park: { queue: HOLD, enabled: false },
  onFailure: 'park',
});

function event(n: number, headers: Record<string, string> = {}): RoutedEvent {
  return { psarn: parkingRoute.psarn, payload: { n }, headers, traceId: `trace-${n}`, eventId: `event-${n}` };
}

function ev(n: number, headers: Record<string, string> = {}): { event: RoutedEvent; body: string } {
  const e = event(n, headers);
  return { event: e, body: JSON.stringify(e.payload) };
}

function plan(
  deliveries: { arn: string; role?: PlannedDelivery['role']; r?: typeof parkingRoute }[],
): DeliveryPlan {
  return {
    psarn: parkingRoute.psarn,
    deliveries: deliveries.map((d) => ({
      target: target(d.arn),
      role: d.role ?? 'split',
      route: d.r ?? parkingRoute,
      via: [parkingRoute.psarn],
    })),
  };
}

describe('DeliveryEngine', () => {
  it('delivers every copy with the body unchanged and the routing metadata', async () => {
    const fw = new RecordingForwarders();
    const engine = new DeliveryEngine({ forwarders: fw.lookup, deadLetterQueue: DLQ });
    const [outcome] = await engine.deliver([
      {
        ...ev(1, { tenant: 'acme' }),
        plan: plan([{ arn: A }, { arn: AUDIT, role: 'fanout' }]),
        routeVersion: 4,
        passthrough: false,
      },
    ]);
    expect(outcome?.secured).toBe(true);
    expect(outcome?.report).toEqual({
      psarn: parkingRoute.psarn,
      routeVersion: 4,
      traceId: 'trace-1',
      deliveries: [
        { target: A, role: 'split', status: 'delivered' },
        { target: AUDIT, role: 'fanout', status: 'delivered' },
      ],
    });
    expect(fw.to(AUDIT)[0]).toMatchObject({
      body: '{"n":1}',
      metadata: {
        psarn: parkingRoute.psarn,
        'psarn-route-version': '4',
        'psarn-trace-id': 'trace-1',
        'psarn-headers': '{"tenant":"acme"}',
      },
    });
  });

  it('sends copies for the same target across events in one call, so forwarders can batch', async () => {
    const fw = new RecordingForwarders();
    const engine = new DeliveryEngine({ forwarders: fw.lookup, deadLetterQueue: DLQ });
    const items = Array.from({ length: 25 }, (_, n) => ({
      ...ev(n),
      plan: plan([{ arn: AUDIT, role: 'fanout' as const }]),
      routeVersion: 1,
      passthrough: false,
    }));
    await engine.deliver(items);
    expect(fw.sent.filter((s) => s.target === AUDIT)).toHaveLength(1);
    expect(fw.to(AUDIT).map((m) => m.body)).toEqual(items.map((_, n) => `{"n":${n}}`));
  });

  it('parks a failed copy with the target and error, and never re-sends the copies that succeeded', async () => {
    const fw = new RecordingForwarders();
    fw.failing.add(A);
    const engine = new DeliveryEngine({ forwarders: fw.lookup, deadLetterQueue: DLQ });
    const [outcome] = await engine.deliver([
      {
        ...ev(2),
        plan: plan([{ arn: A }, { arn: AUDIT, role: 'fanout' }]),
        routeVersion: 1,
        passthrough: false,
      },
    ]);
    expect(outcome?.secured).toBe(true);
    expect(outcome?.report.deliveries).toEqual([
      {
        target: A,
        role: 'split',
        status: 'parked',
        error: { code: 'TARGET_FAILED', message: `delivery to ${A} failed: boom`, reason: 'rejected' },
      },
      { target: AUDIT, role: 'fanout', status: 'delivered' },
    ]);
    expect(fw.to(AUDIT)).toHaveLength(1);
    expect(fw.to(HOLD)[0]?.metadata).toMatchObject({
      'psarn-target': A,
      'psarn-error': `TARGET_FAILED: delivery to ${A} failed: boom`,
      'psarn-park-reason': 'target-failed',
      'psarn-role': expect.stringMatching(/^split @ /),
      'psarn-route': parkingRoute.psarn,
    });
    expect(fw.to(HOLD)[0]?.body).toBe('{"n":2}');
  });

  it('dead-letters a failed copy when the route says dlq, and when parking itself fails', async () => {
    const fw = new RecordingForwarders();
    fw.failing.add(A).add(HOLD);
    const dlqRoute = { ...parkingRoute, onFailure: 'dlq' as const };
    const engine = new DeliveryEngine({ forwarders: fw.lookup, deadLetterQueue: DLQ });
    const outcomes = await engine.deliver([
      { ...ev(3), plan: plan([{ arn: A, r: dlqRoute }]), routeVersion: 1, passthrough: false },
      { ...ev(4), plan: plan([{ arn: A }]), routeVersion: 1, passthrough: false },
    ]);
    expect(outcomes.map((o) => o.report.deliveries[0]?.status)).toEqual(['dead-lettered', 'dead-lettered']);
    expect(fw.to(DLQ).map((m) => m.body)).toEqual(['{"n":3}', '{"n":4}']);
  });

  it('dead-letters a parked route whose holding queue fails, keeping it marked as parked by the route', async () => {
    const fw = new RecordingForwarders();
    fw.failing.add(HOLD);
    const engine = new DeliveryEngine({ forwarders: fw.lookup, deadLetterQueue: DLQ });
    const [outcome] = await engine.deliver([
      { ...ev(5), plan: plan([{ arn: HOLD, role: 'park' }]), routeVersion: 1, passthrough: false },
    ]);
    expect(outcome?.report.deliveries[0]?.status).toBe('dead-lettered');
    expect(fw.to(DLQ)[0]?.metadata['psarn-park-reason']).toBe('route-parked');
  });

  it('reports an event unsecured only when even the DLQ refuses it', async () => {
    const fw = new RecordingForwarders();
    fw.failing.add(A).add(HOLD).add(DLQ);
    const engine = new DeliveryEngine({ forwarders: fw.lookup, deadLetterQueue: DLQ });
    const [outcome] = await engine.deliver([
      {
        ...ev(6),
        plan: plan([{ arn: A }, { arn: AUDIT, role: 'fanout' }]),
        routeVersion: 1,
        passthrough: false,
      },
    ]);
    expect(outcome?.secured).toBe(false);
    expect(outcome?.unsecured).toEqual([{ target: A, error: `delivery to ${DLQ} failed: boom` }]);
  });

  it('turns a forwarder that throws into failed copies, not a lost batch', async () => {
    const fw = new RecordingForwarders();
    const engine = new DeliveryEngine({ forwarders: fw.lookup });
    fw.throwing = true;
    const [outcome] = await engine.deliver([
      { ...ev(7), plan: plan([{ arn: A }]), routeVersion: 1, passthrough: false },
    ]);
    expect(outcome?.secured).toBe(false);
    expect(outcome?.unsecured[0]?.target).toBe(A);
  });

  it('hands back a single Lambda target response for a synchronous call', async () => {
    const fw = new RecordingForwarders();
    const engine = new DeliveryEngine({ forwarders: fw.lookup, deadLetterQueue: DLQ });
    const [sync, withFanout] = await engine.deliver([
      { ...ev(8), plan: plan([{ arn: A }]), routeVersion: 1, passthrough: true },
      {
        ...ev(9),
        plan: plan([{ arn: A }, { arn: AUDIT, role: 'fanout' }]),
        routeVersion: 1,
        passthrough: true,
      },
    ]);
    expect(sync?.response).toEqual({ from: A });
    expect(withFanout).not.toHaveProperty('response');
  });
});

describe('DeliveryEngine grouping', () => {
  it('keeps each route’s target settings when two routes name the same bus or FIFO queue', async () => {
    const fw = new RecordingForwarders();
    const engine = new DeliveryEngine({ forwarders: fw.lookup, deadLetterQueue: DLQ });
    const bus = 'arn:aws:events:us-east-1:000000000000:event-bus/shared';
    const withTarget = (n: number, t: ReturnType<typeof target>): DeliveryItem => ({
      ...ev(n),
      plan: {
        psarn: parkingRoute.psarn,
        deliveries: [{ target: t, role: 'fanout', route: parkingRoute, via: [] }],
      },
      routeVersion: 1,
      passthrough: false,
    });
    await engine.deliver([
      withTarget(1, target(bus, { detailType: 'NewUser' })),
      withTarget(2, target(bus, { detailType: 'OrderPlaced' })),
      withTarget(3, target(bus, { detailType: 'NewUser' })),
    ]);
    const calls = fw.sent.filter((s) => s.target === bus);
    expect(calls.map((c) => c.messages.map((m) => m.body))).toEqual([['{"n":1}', '{"n":3}'], ['{"n":2}']]);
    expect(calls.map((c) => c.ref.detailType)).toEqual(['NewUser', 'OrderPlaced']);
  });
});

describe('kept copies carry attribute values every service takes (defect 7)', () => {
  it("cleans a target's error text of ANSI escapes and refused characters, and cuts it on a code point", async () => {
    const fw = new RecordingForwarders();
    fw.failing.add(A);
    // ANSI colours, a character SQS refuses, and 4-byte emoji (surrogate pairs) past the 1 KiB cut.
    fw.failureText = '\u001b[31mTypeError\u001b[0m: bad \uFFFF value ' + '😀'.repeat(400);
    const engine = new DeliveryEngine({ forwarders: fw.lookup, deadLetterQueue: DLQ });
    await engine.deliver([{ ...ev(1), plan: plan([{ arn: A }]), routeVersion: 1, passthrough: false }]);
    const kept = fw.to(HOLD)[0]?.metadata['psarn-error'] ?? '';
    expect(kept).toMatch(/^TARGET_FAILED: delivery to .* failed: TypeError: bad \uFFFD value 😀/);
    expect(kept.includes('\u001b') || kept.includes('\uFFFF')).toBe(false);
    expect(Buffer.byteLength(kept)).toBeLessThanOrEqual(1024);
    // No lone surrogate: the cut fell between two emoji, not inside one.
    expect(kept).toBe(Buffer.from(kept, 'utf8').toString('utf8'));
    expect(kept.endsWith('…')).toBe(true);
  });
});

describe('a retry sends only the copies the ledger does not hold (defect 2)', () => {
  it('remembers the secured copies of an event it could not secure, and skips them on the retry', async () => {
    const fw = new RecordingForwarders();
    const records = new Map<
      string,
      ReadonlyMap<string, { target: string; status: 'delivered' | 'parked' | 'dead-lettered' }>
    >();
    const ledger = {
      recall: async (ids: readonly string[]) =>
        new Map(ids.flatMap((id) => (records.has(id) ? [[id, records.get(id)!] as const] : []))),
      remember: async (
        id: string,
        record: ReadonlyMap<string, { target: string; status: 'delivered' | 'parked' | 'dead-lettered' }>,
      ) => void records.set(id, record),
    };
    // The fanout copy fails and can be kept nowhere (its park queue and the DLQ fail too).
    fw.failing.add(AUDIT).add(HOLD).add(DLQ);
    const engine = new DeliveryEngine({ forwarders: fw.lookup, deadLetterQueue: DLQ, ledger });
    const item = {
      ...ev(1),
      plan: plan([{ arn: A }, { arn: AUDIT, role: 'fanout' }]),
      routeVersion: 1,
      passthrough: false,
    };
    const [first] = await engine.deliver([item]);
    expect(first?.secured).toBe(false);
    expect(fw.to(A)).toHaveLength(1);
    fw.failing.clear();
    const [retry] = await engine.deliver([{ ...item, retry: true }]);
    expect(retry?.secured).toBe(true);
    expect(fw.to(A)).toHaveLength(1);
    expect(fw.to(AUDIT)).toHaveLength(2);
    expect(retry?.report.deliveries.map((d) => [d.target, d.status])).toEqual([
      [A, 'delivered'],
      [AUDIT, 'delivered'],
    ]);
  });
});

describe('a drained copy is sent although the ledger records it as kept', () => {
  it('skips only what the ledger says was delivered when drain re-drives a kept copy', async () => {
    const fw = new RecordingForwarders();
    const key = `${parkingRoute.psarn}#event-1`;
    const ledger = {
      recall: async () =>
        new Map([
          [key, new Map([[`split @ ${parkingRoute.psarn}`, { target: A, status: 'parked' as const }]])],
        ]),
      remember: async () => undefined,
    };
    const engine = new DeliveryEngine({
      forwarders: fw.lookup,
      deadLetterQueue: DLQ,
      ledger,
      secureFailures: false,
    });
    const item = { ...ev(1), plan: plan([{ arn: A }]), routeVersion: 1, passthrough: false, retry: true };
    // A retry of the invocation: the copy is in the holding queue already, not sent again.
    await engine.deliver([item]);
    expect(fw.to(A)).toHaveLength(0);
    // The drain of that very kept copy: it must go out, or it would be deleted undelivered.
    const [drained] = await engine.deliver([{ ...item, redrive: true }]);
    expect(fw.to(A)).toHaveLength(1);
    expect(drained?.report.deliveries).toEqual([{ target: A, role: 'split', status: 'delivered' }]);
  });
});
