import type { TargetKind } from '../psarn/target-arn';
import type { TargetRef } from '../routes/model';
import type { RoutedEvent } from '../routing/plan';

/** One copy of one event, bound for one target. */
export interface OutgoingMessage {
  readonly event: RoutedEvent;
  /** The payload as the producer sent it, serialised once (JSON text). */
  readonly body: string;
  /**
   * Routing metadata (`psarn`, `psarn-route-version`, `psarn-trace-id`, `psarn-event-id`,
   * `psarn-headers`, and for parked / dead-lettered copies `psarn-target`, `psarn-error`, …) that
   * travels as message attributes where the service has them.
   */
  readonly metadata: Readonly<Record<string, string>>;
  /**
   * Tells copies of one event to one target apart (role and alias path): part of a FIFO
   * MessageDeduplicationId, so an alias diamond that reaches one FIFO queue twice delivers both.
   */
  readonly copy?: string;
}

export type SendOutcome =
  | {
      readonly ok: true;
      /** Sync Lambda invoke only: the function's response, unchanged. */
      readonly response?: unknown;
    }
  | { readonly ok: false; readonly error: Error };

export interface SendOptions {
  /** Lambda only: RequestResponse (true) or Event (false). */
  readonly sync: boolean;
  /**
   * Aborts the calls in flight (the deadline wrapper sets it): a forwarder passes it to every SDK
   * call and starts no new call once it has fired.
   */
  readonly signal?: AbortSignal;
  /** Epoch milliseconds by which every copy must have its outcome (see `deadline.ts`). */
  readonly deadline?: number;
  /**
   * Told each message's outcome as soon as it is known (index into `messages`): the deadline
   * wrapper keeps what already succeeded when it stops waiting for the rest.
   */
  readonly onOutcome?: (index: number, outcome: SendOutcome) => void;
  /**
   * These copies are the safety net — a holding queue or the DLQ taking copies that failed or were
   * held back: a circuit breaker must never refuse them, or an open circuit on a DLQ would leave
   * every failed copy of the fleet kept nowhere.
   */
  readonly keeping?: boolean;
}

/**
 * What every target kind must do (see `test/targets/forwarder.contract.ts`): deliver the body
 * unchanged, carry the metadata, refuse a payload over the service's limit before sending, and
 * report each message's outcome on its own (a partial batch failure fails only those entries).
 */
export interface Forwarder {
  readonly kind: TargetKind;
  /**
   * Largest message, in bytes, the service accepts, as `measure` counts it (see `limits.ts`). For
   * Lambda this is the synchronous limit (6 MB): the router always invokes RequestResponse.
   */
  readonly maxPayloadBytes: number;
  /** Bytes the service counts for this copy against `maxPayloadBytes` (body, attributes, …). */
  measure(target: TargetRef, message: OutgoingMessage): number;
  /**
   * Why this target can never take this event whatever the retry (EventBridge: Detail must be a
   * JSON object), or undefined. The router asks before sending any copy.
   */
  refuses(target: TargetRef, event: RoutedEvent): string | undefined;
  /**
   * Send messages, all bound for `target`. Batches internally (10 at a time where the service
   * allows). Never throws for a delivery failure: the outcome at index i is message i's.
   */
  send(target: TargetRef, messages: readonly OutgoingMessage[], options: SendOptions): Promise<SendOutcome[]>;
}
