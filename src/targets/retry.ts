import { errorKind, TargetFailedError } from '../errors';
import type { Forwarder, OutgoingMessage, SendOutcome } from './forwarder';
import { wrapForwarder } from './wrapped';

export interface RetryPolicy {
  /** Attempts per copy in all, the SDK's own attempts included (a TargetFailedError counts them). */
  readonly maxAttempts: number;
  /** First pause; doubled per attempt, with full jitter. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 1000 };

export interface RetryClock {
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
}

const realClock: RetryClock = {
  now: Date.now,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/**
 * Sends again, with exponential backoff and full jitter, the copies whose failure a later attempt
 * can get past (ERROR_KINDS: throttled, transient) — chiefly the
 * entries a batch call reports failed, which the SDK never retries itself. Copies that succeeded
 * are never sent again; a retry that would not finish before the deadline is not started, so the
 * copy is parked or dead-lettered in time instead.
 *
 * @example
 * const retrying = withRetry(eventBridgeForwarder); // ThrottlingException entries are put again
 */
export function withRetry(
  inner: Forwarder,
  policy: RetryPolicy = DEFAULT_RETRY,
  clock: RetryClock = realClock,
): Forwarder {
  return wrapForwarder(inner, async (target, messages, options) => {
    const outcomes: SendOutcome[] = await inner.send(target, messages, options);
    for (let attempt = 2; ; attempt++) {
      const again: number[] = [];
      outcomes.forEach((outcome, i) => {
        if (!outcome.ok && retryable(outcome.error, attempt, policy)) again.push(i);
      });
      if (again.length === 0 || options.signal?.aborted === true) return outcomes;
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 2));
      const pause = Math.round(clock.random() * ceiling);
      // Not worth starting when the pause alone would eat the time left before the deadline.
      if (options.deadline !== undefined && clock.now() + pause >= options.deadline) return outcomes;
      await clock.sleep(pause);
      // The retried subset has indexes of its own: its outcomes are mapped back below.
      const retryOptions = { ...options };
      delete (retryOptions as { onOutcome?: unknown }).onOutcome;
      const retried = await inner.send(
        target,
        again.map((i) => messages[i] as OutgoingMessage),
        retryOptions,
      );
      again.forEach((index, j) => {
        const outcome = retried[j];
        if (outcome === undefined) return;
        outcomes[index] = outcome.ok ? outcome : { ok: false, error: withAttempts(outcome.error, attempt) };
      });
    }
  });
}

function retryable(error: Error, attempt: number, policy: RetryPolicy): boolean {
  if (!errorKind(error).retryable) return false;
  const made = error instanceof TargetFailedError ? Math.max(error.attempts, attempt - 1) : attempt - 1;
  return made < policy.maxAttempts;
}

/** The error of the latest attempt, counting the attempts made so far. */
function withAttempts(error: Error, attempts: number): Error {
  if (!(error instanceof TargetFailedError) || error.attempts >= attempts) return error;
  Object.defineProperty(error, 'attempts', { value: attempts });
  return error;
}
