import type { Context } from 'aws-lambda';
import { handler as record, type RecorderResponse } from './recorder';

/** What the flaky function reads from an event: its id and when to fail. */
export interface FlakyFields {
  readonly id?: unknown;
  readonly flaky?: {
    /** Percentage (0-100) of event ids that fail: chosen by a hash of the id, so always the same ones. */
    readonly failPercent?: number;
    /** Epoch ms: a chosen event fails only before this time, so a later retry succeeds. Absent: always. */
    readonly failUntil?: number;
  };
}

/**
 * A demo target that fails at a set rate, deterministically from the payload: an event whose id
 * hashes into `flaky.failPercent` throws (a `FunctionError` for the router) until `flaky.failUntil`
 * has passed, then is recorded like the recorder records it. Events without `flaky` never fail.
 * The reliability suite uses it as a target that fails now and may succeed on a retry.
 *
 * @example
 * // {"id":"e1","flaky":{"failPercent":100}} → throws "psarn-local-flaky failed e1 on purpose"
 * // {"id":"e1"}                              → recorded in psarn-local-flaky.jsonl, returned
 */
export async function handler(event: unknown, context: Context): Promise<RecorderResponse> {
  const { id, flaky } = (typeof event === 'object' && event !== null ? event : {}) as FlakyFields;
  if (flaky !== undefined && typeof id === 'string' && failsNow(id, flaky)) {
    throw new Error(`${context.functionName} failed ${id} on purpose`);
  }
  return record(event, context);
}

function failsNow(id: string, flaky: NonNullable<FlakyFields['flaky']>): boolean {
  if (flaky.failUntil !== undefined && Date.now() >= flaky.failUntil) return false;
  return fnv1a(id) % 100 < (flaky.failPercent ?? 0);
}

/** FNV-1a, 32 bits: a stable, well-spread hash of the id (the harness computes the same). */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
