import type { StackChild } from './child-process';

export interface WaitOptions {
  readonly timeoutMs?: number;
  /** Fail at once, with the log file named, if this process exits while we wait. */
  readonly child?: StackChild;
}

/**
 * Poll `url` until the server behind it answers anything at all (any HTTP status). A refused
 * connection means "not yet"; a dead child or the timeout is an error naming the service.
 *
 * @example
 * await waitForHttp('dynalite', 'http://127.0.0.1:8000/', { child });
 */
export async function waitForHttp(service: string, url: string, options: WaitOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let lastError: string;
  for (;;) {
    if (options.child?.hasExited() === true) {
      const code = await options.child.exited;
      throw new Error(`${service} exited (${code}) before answering on ${url}; see ${options.child.logFile}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      return;
    } catch (err) {
      lastError = err instanceof Error ? String(err.cause ?? err.message) : String(err);
    }
    if (Date.now() > deadline) {
      const log = options.child === undefined ? '' : `; see ${options.child.logFile}`;
      throw new Error(`${service} did not answer on ${url} within ${timeoutMs} ms (${lastError})${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
