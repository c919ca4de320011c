import { CircuitOpenError } from '../health/health-errors';
import type { CircuitBreakers } from '../health/circuit-breakers';
import type { SendOutcome } from './forwarder';
import { wrapForwarder } from './wrapped';
import type { Forwarder } from './forwarder';

/**
 * Puts `breakers` in front of a forwarder (inside the outcome report, outside retries, so the
 * breaker counts each copy's final outcome, not every attempt). While a target's circuit is open
 * its copies fail at once with CIRCUIT_OPEN, without a call: the engine parks them (or, without a
 * park queue, dead-letters them). Half-open, the first copy of the send is the probe; the rest go
 * out once it succeeded, else they fail with CIRCUIT_OPEN too. Sends that keep copies (to a holding
 * queue or the DLQ, `SendOptions.keeping`) pass by the breaker: it guards targets, never the net.
 *
 * @example
 * forwarder = withBreaker(withRetry(forwarder, policy), new CircuitBreakers());
 */
export function withBreaker(inner: Forwarder, breakers: CircuitBreakers): Forwarder {
  return wrapForwarder(inner, async (target, messages, options) => {
    // The holding queue or DLQ keeping failed copies is always tried: refusing it would leave
    // those copies kept nowhere (their failures still fail the copy, which the caller reports).
    if (options.keeping === true) return inner.send(target, messages, options);
    const gate = breakers.admit(target.arn);
    if (gate.kind === 'open') return refuseAll(target.arn, messages.length, gate.until);
    if (gate.kind === 'closed') {
      const outcomes = await inner.send(target, messages, options);
      for (const o of outcomes) breakers.record(target.arn, o.ok ? undefined : o.error, false);
      return outcomes;
    }
    const [first, ...rest] = messages;
    if (first === undefined) return [];
    const probed = (await inner.send(target, [first], options))[0] ?? {
      ok: false,
      error: new Error('forwarder returned no outcome'),
    };
    breakers.record(target.arn, probed.ok ? undefined : probed.error, true);
    if (rest.length === 0) return [probed];
    const next = breakers.admit(target.arn);
    if (next.kind !== 'closed')
      return [probed, ...refuseAll(target.arn, rest.length, next.kind === 'open' ? next.until : Date.now())];
    const onOutcome = options.onOutcome;
    const outcomes = await inner.send(target, rest, {
      ...options,
      ...(onOutcome === undefined ? {} : { onOutcome: (i: number, o: SendOutcome) => onOutcome(i + 1, o) }),
    });
    for (const o of outcomes) breakers.record(target.arn, o.ok ? undefined : o.error, false);
    return [probed, ...outcomes];
  });
}

function refuseAll(arn: string, count: number, until: number): SendOutcome[] {
  const error = new CircuitOpenError(arn, until);
  return Array.from({ length: count }, () => ({ ok: false, error }));
}
