import { TargetFailedError } from '../errors';
import { chunkBatches } from './batching';
import type { OutgoingMessage, SendOutcome } from './forwarder';

/** One message turned into a service batch entry, with the id the response refers to it by. */
export interface Prepared<E> {
  readonly id: string;
  readonly entry: E;
  /** Bytes the service counts against its per-request limit. */
  readonly bytes: number;
}

/** Per entry id: `undefined` = delivered, an Error = failed. An id missing from the map failed too. */
export type BatchResults = Map<string, Error | undefined>;

export interface BatchPlan<E> {
  /** The target ARN, for errors. */
  readonly target: string;
  readonly maxEntries: number;
  readonly maxBytes: number;
  /** FIFO targets: send batches one after another so the service sees them in order. */
  readonly inOrder: boolean;
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
    if (prepared instanceof Error) outcomes[index] = { ok: false, error: prepared };
    else ready.push({ index, prepared });
  });
  const batches = chunkBatches(ready, {
    maxEntries: plan.maxEntries,
    maxBytes: plan.maxBytes,
    sizeOf: (item) => item.prepared.bytes,
  });
  const settle = async (batch: (typeof ready)[number][]): Promise<void> => {
    const results = await plan.sendBatch(batch.map((item) => item.prepared));
    for (const { index, prepared } of batch) {
      if (!results.has(prepared.id)) {
        outcomes[index] = {
          ok: false,
          error: new TargetFailedError(plan.target, `no result for batch entry ${prepared.id}`),
        };
        continue;
      }
      const error = results.get(prepared.id);
      outcomes[index] = error === undefined ? { ok: true } : { ok: false, error };
    }
  };
  if (plan.inOrder) {
    for (const batch of batches) await settle(batch);
  } else {
    await Promise.all(batches.map(settle));
  }
  return outcomes;
}
