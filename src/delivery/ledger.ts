import type { DeliveryStatus } from './report';

/** What became of one copy on an earlier attempt of the same event. */
export interface LedgerEntry {
  readonly target: string;
  readonly status: DeliveryStatus;
}

/** Per copy key (see `copyKey`), what an earlier attempt secured. */
export type LedgerRecord = ReadonlyMap<string, LedgerEntry>;

/**
 * The retry ledger: when an invocation has to fail (some copy could be kept nowhere), the copies
 * it did secure are written here under the event's id; a retry of that event (SQS
 * ApproximateReceiveCount > 1, an async request id seen before, a drained invocation record) reads
 * it and sends only the copies still missing. Written on the failure path, read only for retries:
 * the cached hot path does no I/O.
 */
export interface DeliveryLedger {
  /**
   * One read for all events, by ledger key (`ledgerKey`); an event with no record is absent from
   * the map. `signal` ends the read at the invocation's deadline.
   */
  recall(keys: readonly string[], signal?: AbortSignal): Promise<ReadonlyMap<string, LedgerRecord>>;
  /** Replaces the record of one event (earlier attempts' copies included by the caller). */
  remember(key: string, record: LedgerRecord, signal?: AbortSignal): Promise<void>;
}

/**
 * The ledger key of an event: its psARN and its own id, so a producer that reuses one id (an
 * order id) on two psARNs keeps two records.
 */
export function ledgerKeyOf(event: { readonly psarn: string; readonly eventId: string }): string {
  return `${event.psarn}#${event.eventId}`;
}
