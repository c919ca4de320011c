import type { DeliveryRole } from '../routing/plan';

export type DeliveryStatus = 'delivered' | 'parked' | 'dead-lettered';

/** One target's fate for one event, as the producer sees it in the delivery report. */
export interface DeliveryResult {
  readonly target: string;
  readonly role: DeliveryRole;
  readonly status: DeliveryStatus;
  /**
   * Why it was not delivered (parked after a failure, or dead-lettered): the error code, its text,
   * and its reason from ERROR_KINDS (throttled, transient, rejected, function-error, deadline, held).
   */
  readonly error?: { readonly code: string; readonly message: string; readonly reason: string };
}

/** What the router returns for an event unless it is a transparent sync Lambda call. */
export interface DeliveryReport {
  readonly psarn: string;
  readonly routeVersion: number;
  readonly traceId: string;
  readonly deliveries: readonly DeliveryResult[];
}

/** A delivery report plus what only the router needs to know. */
export interface DeliveryOutcome {
  readonly report: DeliveryReport;
  /**
   * False when some copy could be neither delivered, parked nor dead-lettered: the invocation
   * must then fail so Lambda's retry or SQS redrive keeps the event.
   */
  readonly secured: boolean;
  /** The single Lambda target's response, for a transparent synchronous call. */
  readonly response?: unknown;
  readonly unsecured: readonly { readonly target: string; readonly error: string }[];
}
