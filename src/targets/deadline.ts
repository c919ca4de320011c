import { DeadlineExceededError } from '../errors';
import type { Forwarder, SendOutcome } from './forwarder';
import { wrapForwarder } from './wrapped';

/**
 * After the deadline a forwarder gets this long to hand back the outcomes of calls it aborted;
 * past it, a copy whose outcome is still unknown counts as failed by the deadline.
 */
const ABORT_GRACE_MS = 250;

/**
 * Bounds every send by `options.deadline` (epoch ms): no call starts once it has passed, calls in
 * flight are aborted when it comes, and every copy that did not succeed by then fails with
 * DEADLINE_EXCEEDED (reason `deadline`), so the engine can still park or dead-letter it before
 * Lambda ends the invocation. A send without a deadline passes through untouched.
 *
 * @example
 * const bounded = withDeadline(sqsForwarder, Date.now);
 * await bounded.send(target, messages, { sync: true, deadline: Date.now() + 2000 });
 */
export function withDeadline(inner: Forwarder, now: () => number = Date.now): Forwarder {
  return wrapForwarder(inner, async (target, messages, options) => {
    const deadline = options.deadline;
    if (deadline === undefined) return inner.send(target, messages, options);
    const fail = (): SendOutcome => ({ ok: false, error: new DeadlineExceededError(target.arn) });
    const left = deadline - now();
    if (left <= 0) return messages.map(fail);

    const controller = new AbortController();
    const outer = options.signal;
    const onOuterAbort = () => controller.abort(outer?.reason);
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    let graceTimer: NodeJS.Timeout | undefined;
    const abortTimer = setTimeout(() => controller.abort(new DeadlineExceededError(target.arn)), left);
    // A forwarder that does not settle soon after the abort must not hold the invocation past it.
    const gaveUp = new Promise<undefined>((resolve) => {
      controller.signal.addEventListener(
        'abort',
        () => {
          graceTimer = setTimeout(() => resolve(undefined), ABORT_GRACE_MS);
        },
        { once: true },
      );
    });
    // Outcomes as they come: when the wrapper stops waiting, what already succeeded stays a success.
    const settled: (SendOutcome | undefined)[] = new Array(messages.length);
    const outerOnOutcome = options.onOutcome;
    const onOutcome = (index: number, outcome: SendOutcome) => {
      settled[index] = outcome;
      outerOnOutcome?.(index, outcome);
    };
    try {
      const outcomes = await Promise.race([
        inner.send(target, messages, { ...options, signal: controller.signal, onOutcome }),
        gaveUp,
      ]);
      if (outcomes === undefined) return messages.map((_, i) => (settled[i]?.ok === true ? (settled[i] as SendOutcome) : fail()));
      if (!controller.signal.aborted) return outcomes;
      // What failed after the abort failed because of it: name the real reason.
      return outcomes.map((outcome) => (outcome.ok ? outcome : fail()));
    } finally {
      clearTimeout(abortTimer);
      if (graceTimer !== undefined) clearTimeout(graceTimer);
      outer?.removeEventListener('abort', onOuterAbort);
    }
  });
}
