import type { TargetRef } from '../routes/model';
import type { RoutedEvent } from '../routing/plan';
import type { Forwarder, OutgoingMessage, SendOptions, SendOutcome } from './forwarder';

/**
 * A forwarder that adds behaviour around another one's `send` and delegates the rest (kind,
 * limits, measuring, refusals), so every wrapper keeps the port's contract by construction.
 */
export function wrapForwarder(
  inner: Forwarder,
  send: (
    target: TargetRef,
    messages: readonly OutgoingMessage[],
    options: SendOptions,
  ) => Promise<SendOutcome[]>,
): Forwarder {
  return {
    kind: inner.kind,
    maxPayloadBytes: inner.maxPayloadBytes,
    measure: (target: TargetRef, message: OutgoingMessage) => inner.measure(target, message),
    refuses: (target: TargetRef, event: RoutedEvent) => inner.refuses(target, event),
    send,
  };
}
