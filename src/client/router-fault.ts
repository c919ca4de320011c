import { ErrorCode, PsarnError } from '../errors';

/**
 * The router fails a direct invocation, instead of answering it, only when a retry can succeed
 * (src/router/respond.ts): an unreachable route table, or a copy it could keep nowhere. Lambda
 * names the thrown error's class in `errorType`; each keeps its own code, so the producer sees
 * the same retryable code as in direct mode.
 */
const ROUTER_FAILURES: Readonly<Record<string, ErrorCode>> = {
  StoreUnavailableError: ErrorCode.STORE_UNAVAILABLE,
  DeliveryIncompleteError: ErrorCode.DELIVERY_INCOMPLETE,
};

/**
 * A router that does not exist says which, for which stage, and what to do; anything else is
 * passed on unchanged.
 */
export function routerFault(err: unknown, routerFunction: string, stage: string): unknown {
  const name = (err as { name?: unknown } | null)?.name;
  if (name === 'ResourceNotFoundException') {
    return new PsarnError(
      ErrorCode.ROUTER_NOT_FOUND,
      `router function ${routerFunction} (stage ${stage}) does not exist: deploy it ` +
        `(npx serverless deploy --stage ${stage}), or pass another stage or routerFunction to createPsarnClient`,
      { routerFunction, stage },
      { cause: err },
    );
  }
  if (name === 'RequestEntityTooLargeException') {
    return new PsarnError(
      ErrorCode.PAYLOAD_TOO_LARGE,
      `the event is over Lambda's invocation payload limit for router function ${routerFunction} ` +
        '(nothing was sent): make the payload smaller, or send a reference to it (an S3 key)',
      { routerFunction, stage },
      { cause: err },
    );
  }
  if (err instanceof PsarnError && err.context['functionError'] !== undefined) {
    const failure = parseFailure(err.context['payload']);
    // Anything else (a crash, "Task timed out") may have sent some copies and not others: a
    // transient failure, retried with the same eventId, not a rejection of the event.
    const code =
      (failure.errorType === undefined ? undefined : ROUTER_FAILURES[failure.errorType]) ??
      ErrorCode.TARGET_UNAVAILABLE;
    return new PsarnError(
      code,
      `router function ${routerFunction} (stage ${stage}) failed the invocation: ` +
        `${failure.errorMessage ?? String(err.context['payload'])}. A retry can succeed; send the event ` +
        'again with the same eventId (copies delivered before the failure may arrive twice; FIFO ' +
        'targets deduplicate them by that id)',
      { routerFunction, stage, ...(failure.errorType === undefined ? {} : { errorType: failure.errorType }) },
      { cause: err },
    );
  }
  return err;
}

function parseFailure(payload: unknown): { errorType?: string; errorMessage?: string } {
  if (typeof payload !== 'string') return {};
  try {
    const parsed = JSON.parse(payload) as { errorType?: unknown; errorMessage?: unknown };
    return {
      ...(typeof parsed.errorType === 'string' ? { errorType: parsed.errorType } : {}),
      ...(typeof parsed.errorMessage === 'string' ? { errorMessage: parsed.errorMessage } : {}),
    };
  } catch {
    // Not Lambda's JSON error shape: the raw text goes into the message, nothing is dropped.
    return {};
  }
}
