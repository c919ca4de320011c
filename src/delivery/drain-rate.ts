/**
 * How much a drain takes off its queue at once, and for how long, at a given rate. A message a
 * drain received but has not yet delivered must stay invisible until it is deleted: if its
 * visibility timeout lapsed first, SQS could hand it out again and it would be delivered twice.
 * So a receive asks for no more than the rate delivers in about BATCH_SECONDS, and its visibility
 * timeout covers twice that plus a margin; the heartbeat (drain-visibility.ts) extends it while
 * the drain still holds the message (a slow target, a long run).
 */

/** A receive holds at most about this many seconds of work at the drain's rate. */
const BATCH_SECONDS = 10;
/** Visibility never shorter than this: a receive and one engine call fit well inside. */
const MIN_VISIBILITY_SECONDS = 30;
const MAX_VISIBILITY_SECONDS = 12 * 60 * 60; // SQS's limit

export interface DrainPacing {
  /** MaxNumberOfMessages of each receive (1–10). */
  readonly batch: number;
  /** VisibilityTimeout of each receive, and what each heartbeat extends held messages to. */
  readonly visibilitySeconds: number;
  /** How often held messages are extended: a third of the timeout, so two beats may fail. */
  readonly heartbeatMs: number;
}

/**
 * @example
 * drainPacing(0.1) // { batch: 1, visibilitySeconds: 30, heartbeatMs: 10000 }
 * drainPacing(undefined) // { batch: 10, visibilitySeconds: 30, heartbeatMs: 10000 }
 */
export function drainPacing(ratePerSecond: number | undefined): DrainPacing {
  const limited = ratePerSecond !== undefined && ratePerSecond > 0;
  const batch = limited ? Math.min(10, Math.max(1, Math.floor(ratePerSecond * BATCH_SECONDS))) : 10;
  const busySeconds = limited ? batch / ratePerSecond : 0;
  const visibilitySeconds = Math.min(
    MAX_VISIBILITY_SECONDS,
    Math.max(MIN_VISIBILITY_SECONDS, Math.ceil(2 * busySeconds) + 10),
  );
  return { batch, visibilitySeconds, heartbeatMs: Math.floor((visibilitySeconds * 1000) / 3) };
}

/** Waits until the drain may send message number `done` (0-based) at `ratePerSecond`. */
export async function pace(
  ratePerSecond: number | undefined,
  done: number,
  started: number,
  now: () => number,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  if (ratePerSecond === undefined || ratePerSecond <= 0) return;
  const wait = started + (done / ratePerSecond) * 1000 - now();
  if (wait > 0) await sleep(wait);
}
