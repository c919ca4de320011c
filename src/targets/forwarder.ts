import type { TargetKind } from '../psarn/target-arn';
import type { TargetRef } from '../routes/model';
import type { RoutedEvent } from '../routing/plan';

/** One copy of one event, bound for one target. */
export interface OutgoingMessage {
  readonly event: RoutedEvent;
  /** The payload as the producer sent it, serialised once (JSON text). */
  readonly body: string;
  /**
   * Routing metadata (`psarn`, `psarn-route-version`, `psarn-trace-id`, `psarn-headers`, and for
   * parked / dead-lettered copies `psarn-target`, `psarn-error`) that travels as message attributes
   * where the service has them.
   */
  readonly metadata: Readonly<Record<string, string>>;
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
}

/**
 * What every target kind must do (see `test/targets/forwarder.contract.ts`): deliver the body
 * unchanged, carry the metadata, refuse a payload over the service's limit before sending, and
 * report each message's outcome on its own (a partial batch failure fails only those entries).
 */
export interface Forwarder {
  readonly kind: TargetKind;
  /**
   * Largest body, in bytes, the service accepts (UTF-8; see `limits.ts`). For Lambda this is the
   * asynchronous limit (1 MB); a sync invoke may carry up to 6 MB. SQS and SNS also count the
   * message attributes against it, EventBridge the Source and DetailType.
   */
  readonly maxPayloadBytes: number;
  /**
   * Send messages, all bound for `target`. Batches internally (10 at a time where the service
   * allows). Never throws for a delivery failure: the outcome at index i is message i's.
   */
  send(target: TargetRef, messages: readonly OutgoingMessage[], options: SendOptions): Promise<SendOutcome[]>;
}
