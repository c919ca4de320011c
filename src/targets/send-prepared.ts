import { DeadlineExceededError, ErrorCode, TargetFailedError } from '../errors';
import { chunkBatches } from './batching';
import type { OutgoingMessage, SendOutcome } from './forwarder';

/** One message turned into a service batch entry, with the id the response refers to it by. */
export interface Prepared<E> {
  readonly id: string;
  readonly entry: E;
  /** Bytes the service counts against its per-request limit. */
  readonly bytes: number;
  /** FIFO targets: the entry's MessageGroupId, so a failure holds back the rest of its group. */
  readonly group?: string;
}

/** Per entry id: `undefined` = delivered, an Error = failed. An id missing from the map failed too. */
export type BatchResults = Map<string, Error | undefined>;

export interface BatchPlan<E> {
  /** The target ARN, for errors. */
  readonly target: string;
  readonly maxEntries: number;
  readonly maxBytes: number;
  /**
   * FIFO targets: send batches one after another so the service sees them in order, and once an
   * entry of a message group failed, send no later entry of that group (it would overtake it).
   */
  readonly inOrder: boolean;
  /** Once aborted (the deadline), no further batch is sent: those entries fail with DEADLINE_EXCEEDED. */
  readonly signal?: AbortSignal;
  /** Told each message's outcome as soon as its batch (or its preparation) settles. */
  readonly onOutcome?: (index: number, outcome: SendOutcome) => void;
  /** Sends one batch; must not throw (a whole-request failure is an error for each entry). */
  readonly sendBatch: (batch: readonly Prepared<E>[]) => Promise<BatchResults>;
}

/**
 * The batching skeleton SQS, SNS and EventBridge share: prepare each message (a message that cannot be
 * sent fails alone, without a call), pack the rest into request-sized batches, send them, and map the
 * per-entry results back to per-message outcomes in input order.
 *
 * @example
 * await sendPrepared(messages, (m, i) => ({ id: `m${i}`, entry: m.body, bytes: m.body.length }), plan)
 */
export async function sendPrepared<E>(
  messages: readonly OutgoingMessage[],
  prepare: (message: OutgoingMessage, index: number) => Prepared<E> | Error,
  plan: BatchPlan<E>,
): Promise<SendOutcome[]> {
  const outcomes = new Array<SendOutcome>(messages.length);
  const ready: { index: number; prepared: Prepared<E> }[] = [];
  messages.forEach((message, index) => {
    const prepared = prepare(message, index);
    if (prepared instanceof Error) {
      outcomes[index] = { ok: false, error: prepared };
      plan.onOutcome?.(index, outcomes[index]);
    } else ready.push({ index, prepared });
  });
  const batches = chunkBatches(ready, {
    maxEntries: plan.maxEntries,
    maxBytes: plan.maxBytes,
    sizeOf: (item) => item.prepared.bytes,
  });
  // Groups with a failed entry (FIFO): their later entries are held back, not sent.
  const failedGroups = new Set<string>();
  const settle = async (batch: (typeof ready)[number][]): Promise<void> => {
    const sendable: (typeof ready)[number][] = [];
    for (const item of batch) {
      const group = item.prepared.group;
      if (plan.signal?.aborted === true) {
        outcomes[item.index] = { ok: false, error: new DeadlineExceededError(plan.target) };
        plan.onOutcome?.(item.index, outcomes[item.index] as SendOutcome);
      } else if (group !== undefined && failedGroups.has(group)) {
        outcomes[item.index] = { ok: false, error: heldBack(plan.target, group) };
        plan.onOutcome?.(item.index, outcomes[item.index] as SendOutcome);
      } else sendable.push(item);
    }
    if (sendable.length === 0) return;
    const results = await plan.sendBatch(sendable.map((item) => item.prepared));
    for (const { index, prepared } of sendable) {
      const error = results.has(prepared.id)
        ? results.get(prepared.id)
        : new TargetFailedError(plan.target, `no result for batch entry ${prepared.id}`, undefined, {
            code: ErrorCode.TARGET_UNAVAILABLE,
          });
      outcomes[index] = error === undefined ? { ok: true } : { ok: false, error };
      plan.onOutcome?.(index, outcomes[index] as SendOutcome);
      if (error !== undefined && plan.inOrder && prepared.group !== undefined)
        failedGroups.add(prepared.group);
    }
  };
  if (plan.inOrder) {
    for (const batch of batches) await settle(batch);
  } else {
    await Promise.all(batches.map(settle));
  }
  return outcomes;
}

function heldBack(target: string, group: string): TargetFailedError {
  return new TargetFailedError(
    target,
    `held back behind an earlier message of FIFO group ${JSON.stringify(group)} that failed, so it cannot overtake it`,
    undefined,
    { code: ErrorCode.FIFO_ORDER_HELD },
  );
}
