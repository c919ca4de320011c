import { StoreUnavailableError } from '../errors';

/**
 * A store read that got no answer within the cache's own bound. It is a store failure like any
 * other (serve-stale applies, STORE_UNAVAILABLE otherwise); its own class only so that counters
 * and messages can tell a hang from a refusal.
 */
export class StoreTimeoutError extends StoreUnavailableError {
  constructor(what: string, timeoutMs: number) {
    super(`${what} got no answer within ${timeoutMs} ms`);
  }
}

/**
 * Runs `read` with a deadline of its own: past `timeoutMs` the returned promise rejects with
 * StoreTimeoutError and `read`'s signal aborts (so an SDK call tears its socket down). Whatever
 * the SDK client's timeouts are — or if it has none — nobody waits longer, and a read that
 * never settles cannot keep its caller's bookkeeping (an in-flight map) pinned. A late answer is
 * dropped: the next read asks again. The timer does not keep a process alive.
 *
 * @example
 * const control = await withDeadline((signal) => store.readControl({ signal }), 2000, 'reading #control');
 */
export function withDeadline<T>(
  read: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new StoreTimeoutError(what, timeoutMs));
      controller.abort();
    }, timeoutMs);
    timer.unref();
    Promise.resolve()
      .then(() => read(controller.signal))
      .then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err);
        },
      );
  });
}

/**
 * `pending`'s outcome if it settles within `ms`, else whatever `late()` gives at that moment
 * (RFC 8767's client response timer: answer from stale data instead of waiting). `late()` may
 * return undefined to keep waiting for `pending` after all (the stale copy went away meanwhile).
 *
 * @example
 * const route = await answerWithin(refresh, 100, () => staleCopy);
 */
export function answerWithin<T>(pending: Promise<T>, ms: number, late: () => T | undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      const value = late();
      if (value === undefined) return;
      settled = true;
      resolve(value);
    }, ms);
    timer.unref();
    pending.then(
      (value) => {
        clearTimeout(timer);
        if (settled) return;
        settled = true;
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        if (settled) return;
        settled = true;
        reject(err);
      },
    );
  });
}
