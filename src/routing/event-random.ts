import { fmix32, hashString64 } from './hash';
import type { Random } from './plan';

const lanes = new Uint32Array(2);
let state = 0;

/**
 * The router's randomness, drawn from the event's own id: a weighted split picks the same target
 * every time the same event is planned, so a retry (Lambda's, SQS's, a drained invocation record)
 * re-draws the split the first attempt made and the retry ledger finds its copies, even through
 * split aliases. Event ids are unique, so the draws are as uniform as Math.random's.
 *
 * One shared generator, reseeded per event before it is planned (planning is synchronous), so
 * the cached hot path allocates nothing for it.
 *
 * @example
 * reseedEventRandom(event.eventId);
 * planDelivery(route, event, eventRandom, lookup);
 */
export function reseedEventRandom(eventId: string): void {
  hashString64(eventId, lanes);
  state = ((lanes[0] as number) ^ Math.imul(lanes[1] as number, 0x85ebca6b)) | 0;
}

/** The next number in [0, 1) of the current event's sequence (splitmix32 over the seeded state). */
export const eventRandom: Random = () => {
  state = (state + 0x9e3779b9) | 0;
  return fmix32(state) / 4294967296;
};
