/**
 * The breaker's state machine with an injected clock (no I/O): which failures count, when it
 * opens, how long it stays open (growing, capped), one probe at a time, and how a trip shared by
 * another instance is honoured — never past one cool-down from when it was first seen.
 */
import { DeadlineExceededError, PayloadTooLargeError, TargetFailedError, ErrorCode } from '../../src/errors';
import { CircuitBreakers, type CircuitChange, type RemoteOpen } from '../../src/health/circuit-breakers';
import { CircuitOpenError } from '../../src/health/health-errors';
import { SharedCircuits } from '../../src/health/shared-circuits';
import { createRouterHealth, type RouterHealthOptions } from '../../src/health/router-health';
import { EMPTY_HEALTH, type HealthState } from '../../src/health/health-state';
import { withBreaker } from '../../src/targets/breaker';
import type { Forwarder, SendOutcome } from '../../src/targets/forwarder';
import { sqsArn } from '../support/routes';

const arn = sqsArn('orders');
const fnError = () => new TargetFailedError(arn, 'boom', undefined, { code: ErrorCode.FUNCTION_ERROR });
const throttled = () =>
  new TargetFailedError(arn, 'slow down', undefined, { code: ErrorCode.TARGET_THROTTLED });

function clocked(options: ConstructorParameters<typeof CircuitBreakers>[0] = {}) {
  let now = 1_000_000;
  const changes: CircuitChange[] = [];
  const breakers = new CircuitBreakers({ now: () => now, onChange: (c) => void changes.push(c), ...options });
  return { breakers, changes, advance: (ms: number) => void (now += ms), now: () => now };
}

describe('CircuitBreakers', () => {
  it('opens after 5 consecutive counted failures (throttled, transient, function error, deadline)', () => {
    const { breakers, changes } = clocked();
    breakers.record(arn, fnError(), false);
    breakers.record(arn, throttled(), false);
    breakers.record(
      arn,
      new TargetFailedError(arn, 'reset', undefined, { code: ErrorCode.TARGET_UNAVAILABLE }),
      false,
    );
    breakers.record(arn, new DeadlineExceededError(arn), false);
    expect(breakers.admit(arn)).toEqual({ kind: 'closed' });
    breakers.record(arn, fnError(), false);
    expect(breakers.admit(arn)).toMatchObject({ kind: 'open' });
    expect(changes.map((c) => [c.state, c.coolDownMs, c.trips])).toEqual([['open', 30_000, 1]]);
  });

  it('does not count input rejections (payload too big) and resets on a success', () => {
    const { breakers } = clocked();
    for (let i = 0; i < 4; i++) breakers.record(arn, fnError(), false);
    breakers.record(arn, new PayloadTooLargeError(arn, 300_000, 262_144), false);
    breakers.record(arn, undefined, false);
    for (let i = 0; i < 4; i++) breakers.record(arn, fnError(), false);
    expect(breakers.stateOf(arn)).toBe('closed');
    breakers.record(arn, fnError(), false);
    expect(breakers.stateOf(arn)).toBe('open');
  });

  it('lets exactly one probe through after the cool-down; its success closes the circuit', () => {
    const { breakers, changes, advance } = clocked();
    for (let i = 0; i < 5; i++) breakers.record(arn, fnError(), false);
    advance(29_999);
    expect(breakers.admit(arn).kind).toBe('open');
    advance(1);
    expect(breakers.admit(arn)).toEqual({ kind: 'probe' });
    expect(breakers.admit(arn).kind).toBe('open'); // a second copy waits for the probe
    breakers.record(arn, undefined, true);
    expect(breakers.admit(arn)).toEqual({ kind: 'closed' });
    expect(changes.map((c) => c.state)).toEqual(['open', 'half-open', 'closed']);
  });

  it('re-opens with a doubled cool-down when the probe fails, capped at 300 s', () => {
    const { breakers, changes, advance } = clocked();
    for (let i = 0; i < 5; i++) breakers.record(arn, fnError(), false);
    for (let trip = 0; trip < 6; trip++) {
      advance(300_000);
      expect(breakers.admit(arn).kind).toBe('probe');
      breakers.record(arn, fnError(), true);
    }
    expect(changes.filter((c) => c.state === 'open').map((c) => c.coolDownMs)).toEqual([
      30_000, 60_000, 120_000, 240_000, 300_000, 300_000, 300_000,
    ]);
  });

  it('frees the probe slot when a probe never reports back within a cool-down', () => {
    const { breakers, advance } = clocked();
    for (let i = 0; i < 5; i++) breakers.record(arn, fnError(), false);
    advance(30_000);
    expect(breakers.admit(arn).kind).toBe('probe');
    advance(29_000);
    expect(breakers.admit(arn).kind).toBe('open');
    advance(1_000);
    expect(breakers.admit(arn).kind).toBe('probe');
  });

  it('ignores late outcomes of sends let through before the circuit opened', () => {
    const { breakers, advance } = clocked();
    for (let i = 0; i < 5; i++) breakers.record(arn, fnError(), false);
    breakers.record(arn, undefined, false); // a copy that was already in flight
    expect(breakers.stateOf(arn)).toBe('open');
    advance(30_000);
    expect(breakers.admit(arn).kind).toBe('probe');
  });

  it('honours another instance`s trip until it ends, once', () => {
    let remote: RemoteOpen | undefined;
    const { breakers, changes, advance, now } = clocked({ remoteOpen: () => remote });
    remote = { key: 'one#1', until: now() + 10_000, trips: 1 };
    expect(breakers.admit(arn)).toEqual({ kind: 'open', until: now() + 10_000 });
    expect(changes.map((c) => [c.state, c.source])).toEqual([['open', 'shared']]);
    advance(10_000);
    expect(breakers.admit(arn).kind).toBe('probe');
    breakers.record(arn, undefined, true);
    // The same record, still in the view until the next read, does not re-open the circuit.
    remote = { key: 'one#1', until: now() + 5_000, trips: 1 };
    expect(breakers.admit(arn)).toEqual({ kind: 'closed' });
  });
});

describe('SharedCircuits (clock skew)', () => {
  const state = (at: number, coolDownMs: number, by = 'other'): HealthState => ({
    ...EMPTY_HEALTH,
    version: 1,
    circuits: { [arn]: { arn, state: 'open', at, coolDownMs, trips: 1, by } },
  });

  it('never holds a remote trip open longer than one cool-down from when it was first read', () => {
    let now = 1_000_000;
    // The writer's clock runs 10 minutes ahead: its `at` is in our future.
    const ahead = state(now + 600_000, 30_000);
    const shared = new SharedCircuits({ write: async () => 0, state: () => ahead, by: 'me', now: () => now });
    const first = shared.remoteOpen(arn);
    expect(first?.until).toBe(now + 30_000);
    now += 30_000;
    expect(shared.remoteOpen(arn)).toBeUndefined();
  });

  it('takes what is left of the cool-down by its own clock, and ignores its own records', () => {
    const now = 1_000_000;
    const other = new SharedCircuits({
      write: async () => 0,
      state: () => state(now - 20_000, 30_000),
      by: 'me',
      now: () => now,
    });
    expect(other.remoteOpen(arn)?.until).toBe(now + 10_000);
    const own = new SharedCircuits({
      write: async () => 0,
      state: () => state(now, 30_000, 'me'),
      by: 'me',
      now: () => now,
    });
    expect(own.remoteOpen(arn)).toBeUndefined();
  });

  it('shares local opens and closes in the background, and a failed write loses nothing', async () => {
    const failures: string[] = [];
    const shared = new SharedCircuits({
      write: async () => {
        throw new Error('table unavailable');
      },
      state: () => EMPTY_HEALTH,
      by: 'me',
      onWriteFailed: (target) => void failures.push(target),
    });
    shared.report({ arn, state: 'open', at: 1, coolDownMs: 30_000, trips: 1, source: 'local' });
    shared.report({ arn, state: 'open', at: 1, coolDownMs: 30_000, trips: 1, source: 'shared' });
    shared.report({ arn, state: 'half-open', at: 1, coolDownMs: 0, trips: 1, source: 'local' });
    await shared.settled();
    expect(failures).toEqual([arn]);
  });

  it('waits for a slow shared write only as long as it is told (the end of an invocation)', async () => {
    let finish: () => void = () => undefined;
    const shared = new SharedCircuits({
      write: () =>
        new Promise<number>((resolve) => {
          finish = () => resolve(1);
        }),
      state: () => EMPTY_HEALTH,
      by: 'me',
    });
    shared.report({ arn, state: 'open', at: 1, coolDownMs: 30_000, trips: 1, source: 'local' });
    let done = false;
    const waiting = shared.settled(20).then(() => void (done = true));
    await new Promise((r) => setTimeout(r, 60));
    // The write still runs, yet the wait is over: an invocation ends before its deadline.
    expect(done).toBe(true);
    await waiting;
    finish();
    await shared.settled();
  });
});

describe('withBreaker', () => {
  function forwarder(outcome: () => SendOutcome): Forwarder & { calls: number } {
    const f = {
      kind: 'sqs' as const,
      maxPayloadBytes: 1,
      calls: 0,
      measure: () => 0,
      refuses: () => undefined,
      send: async (_t: unknown, messages: readonly unknown[]) => {
        f.calls += messages.length;
        return messages.map(outcome);
      },
    };
    return f;
  }
  const message = {
    event: { psarn: 'p', payload: {}, headers: {}, traceId: 't', eventId: 'e' },
    body: '{}',
    metadata: {},
  };

  it('refuses every copy with CIRCUIT_OPEN while open, without calling the target', async () => {
    const { breakers } = clocked();
    const inner = forwarder(() => ({ ok: false, error: fnError() }));
    const wrapped = withBreaker(inner, breakers);
    await wrapped.send({ arn, kind: 'sqs' }, Array(5).fill(message), { sync: true });
    expect(inner.calls).toBe(5);
    const refused = await wrapped.send({ arn, kind: 'sqs' }, Array(3).fill(message), { sync: true });
    expect(inner.calls).toBe(5);
    expect(refused.every((o) => !o.ok && o.error instanceof CircuitOpenError)).toBe(true);
  });

  it('half-open, sends the first copy as the probe and the rest only once it succeeded', async () => {
    const { breakers, advance } = clocked();
    let ok = false;
    const inner = forwarder(() => (ok ? { ok: true } : { ok: false, error: fnError() }));
    const wrapped = withBreaker(inner, breakers);
    await wrapped.send({ arn, kind: 'sqs' }, Array(5).fill(message), { sync: true });
    advance(30_000);
    const failedProbe = await wrapped.send({ arn, kind: 'sqs' }, Array(3).fill(message), { sync: true });
    expect(inner.calls).toBe(6);
    expect(failedProbe.map((o) => (o.ok ? 'ok' : o.error.constructor.name))).toEqual([
      'TargetFailedError',
      'CircuitOpenError',
      'CircuitOpenError',
    ]);
    advance(60_000);
    ok = true;
    const healed = await wrapped.send({ arn, kind: 'sqs' }, Array(3).fill(message), { sync: true });
    expect(healed.every((o) => o.ok)).toBe(true);
    expect(inner.calls).toBe(9);
  });
});

describe('createRouterHealth', () => {
  const open = (health: ReturnType<typeof createRouterHealth>) => {
    for (let i = 0; i < 5; i++) health.breakers.record(arn, throttled(), false);
  };

  it("shares a router's trips, but a direct-mode client (shareTrips: false) keeps its own to itself", async () => {
    const made: RouterHealthOptions = {
      dynamo: () => {
        throw new Error('no table in this test');
      },
      tableName: 't',
      epochCheckSeconds: 5,
    };
    const router = createRouterHealth(made);
    const client = createRouterHealth({ ...made, shareTrips: false });
    const routerWrites = jest.spyOn(router.store, 'write').mockResolvedValue(1);
    const clientWrites = jest.spyOn(client.store, 'write').mockResolvedValue(1);
    open(router);
    open(client);
    await router.shared.settled();
    await client.shared.settled();
    expect(router.breakers.admit(arn).kind).toBe('open');
    expect(client.breakers.admit(arn).kind).toBe('open');
    expect(routerWrites).toHaveBeenCalled();
    expect(clientWrites).not.toHaveBeenCalled();
  });
});
