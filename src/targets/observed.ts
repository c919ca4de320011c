import type { TargetRef } from '../routes/model';
import type { Forwarder, OutgoingMessage, SendOutcome } from './forwarder';
import { wrapForwarder } from './wrapped';

/**
 * Told the final outcome of every copy a forwarder sent (after retries): where per-target counts,
 * health and a circuit breaker learn what happened. Must not throw and must not do I/O.
 */
export type OutcomeObserver = (
  target: TargetRef,
  messages: readonly OutgoingMessage[],
  outcomes: readonly SendOutcome[],
) => void;

/**
 * Reports each send's outcomes to `observe`, outermost in the stack, so it sees what the caller sees.
 *
 * @example
 * withOutcomes(forwarder, (target, _messages, outcomes) => counts.add(target.arn, outcomes));
 */
export function withOutcomes(inner: Forwarder, observe: OutcomeObserver): Forwarder {
  return wrapForwarder(inner, async (target, messages, options) => {
    const outcomes = await inner.send(target, messages, options);
    try {
      observe(target, messages, outcomes);
    } catch {
      // Telemetry never changes a delivery's outcome.
    }
    return outcomes;
  });
}
