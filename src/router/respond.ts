import { ErrorCode, PsarnError } from '../errors';
import type { DeliveryItem } from '../delivery/engine';
import type { DeliveryOutcome } from '../delivery/report';
import type { Envelope, InboundEvent } from './envelope';
import { errorBody, type Router } from './router';

/** What the handler returns to Lambda for each envelope form. */
export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}
export interface SqsBatchResponse {
  readonly batchItemFailures: { readonly itemIdentifier: string }[];
}

/** Observes what happened, for logs and metrics; the handler supplies one. */
export interface Observer {
  accepted(outcome: DeliveryOutcome): void;
  rejected(psarn: string, error: PsarnError): void;
  unsecured(outcome: DeliveryOutcome): void;
}

/** Raised when some copy of an event could be kept nowhere: Lambda's retry must take over. */
export class DeliveryIncompleteError extends PsarnError {
  constructor(outcome: DeliveryOutcome) {
    super(
      ErrorCode.TARGET_FAILED,
      `event ${outcome.report.traceId} for ${outcome.report.psarn} could be neither delivered, parked nor ` +
        `dead-lettered for ${outcome.unsecured.map((u) => `${u.target} (${u.error})`).join(', ')}`,
      { psarn: outcome.report.psarn, traceId: outcome.report.traceId, unsecured: outcome.unsecured },
    );
  }
}

const HTTP_STATUS: Partial<Record<string, number>> = {
  [ErrorCode.MALFORMED_ENVELOPE]: 400,
  [ErrorCode.INVALID_PSARN]: 400,
  [ErrorCode.ROUTE_NOT_FOUND]: 404,
  [ErrorCode.PAYLOAD_TOO_LARGE]: 413,
  [ErrorCode.ALIAS_CYCLE]: 508,
  [ErrorCode.ALIAS_TOO_DEEP]: 508,
  [ErrorCode.STORE_UNAVAILABLE]: 503,
};

/**
 * Turns an envelope into the Lambda response of its form:
 * - direct: the single Lambda target's response (transparent request/response) or the delivery
 *   report; a rejection is `{ error: { code, message } }`, never a crash;
 * - HTTP: the same as JSON with a status code (404 unknown psARN, 413 too large, …);
 * - SQS: `batchItemFailures` for the records that could not be secured or met an unreachable
 *   route table; records rejected for what they are (unknown psARN, malformed) are dead-lettered
 *   with their error instead of being retried forever.
 * A direct invoke that meets an unreachable route table fails, so it is retried.
 */
export async function respond(
  router: Router,
  envelope: Envelope,
  observer: Observer,
  /** The invocation's request id: the same on Lambda's retries of an async invoke. */
  defaultTraceId?: string,
): Promise<unknown> {
  switch (envelope.kind) {
    case 'direct': {
      const result = await routeOne(router, withTrace(envelope.event, defaultTraceId), observer);
      if ('error' in result) {
        // The store is down: a retry can succeed, so the invocation fails and Lambda (async) or
        // the producer (sync) tries again, instead of the event being answered away.
        if (retryable(result.error)) throw result.error;
        return { psarn: envelope.event.psarn, ...errorBody(result.error) };
      }
      return result.outcome.response !== undefined ? result.outcome.response : result.outcome.report;
    }
    case 'http': {
      const result = await routeOne(router, withTrace(envelope.event, defaultTraceId), observer);
      if ('error' in result) return json(HTTP_STATUS[result.error.code] ?? 500, errorBody(result.error));
      return json(
        200,
        result.outcome.response !== undefined ? result.outcome.response : result.outcome.report,
      );
    }
    case 'sqs':
      return batch(router, envelope, observer);
  }
}

/** One event through the router: its outcome, or the typed error that rejected it. */
export async function routeOne(
  router: Router,
  inbound: InboundEvent,
  observer: Observer,
): Promise<{ outcome: DeliveryOutcome } | { error: PsarnError }> {
  const prepared = await router.prepare(inbound, true);
  if (!prepared.ok) {
    observer.rejected(inbound.psarn, prepared.error);
    return { error: prepared.error };
  }
  const [outcome] = await router.deliver([prepared.item]);
  if (outcome === undefined) throw new Error('delivery engine returned no outcome');
  if (!outcome.secured) {
    observer.unsecured(outcome);
    throw new DeliveryIncompleteError(outcome);
  }
  observer.accepted(outcome);
  return { outcome };
}

async function batch(
  router: Router,
  envelope: Extract<Envelope, { kind: 'sqs' }>,
  observer: Observer,
): Promise<SqsBatchResponse> {
  const accepted: { messageId: string; item: DeliveryItem }[] = [];
  const rejected: {
    messageId: string;
    psarn: string;
    body: string;
    headers: Readonly<Record<string, string>>;
    error: PsarnError;
    traceId: string;
  }[] = [];
  const failures: { itemIdentifier: string }[] = [];
  for (const record of envelope.records) {
    if ('error' in record) {
      rejected.push({
        messageId: record.messageId,
        psarn: '',
        body: record.body,
        headers: {},
        error: record.error,
        traceId: record.messageId,
      });
      continue;
    }
    const prepared = await router.prepare(record.event, false);
    if (prepared.ok) accepted.push({ messageId: record.messageId, item: prepared.item });
    else if (retryable(prepared.error)) {
      // The store is down: SQS redelivers the record later, rather than the DLQ keeping it.
      observer.rejected(record.event.psarn, prepared.error);
      failures.push({ itemIdentifier: record.messageId });
    } else
      rejected.push({
        messageId: record.messageId,
        psarn: record.event.psarn,
        body: record.event.body ?? JSON.stringify(record.event.payload),
        headers: record.event.headers,
        error: prepared.error,
        traceId: record.event.traceId ?? record.messageId,
      });
  }

  const outcomes = await router.deliver(accepted.map((a) => a.item));
  outcomes.forEach((outcome, i) => {
    if (outcome.secured) observer.accepted(outcome);
    else {
      observer.unsecured(outcome);
      failures.push({ itemIdentifier: (accepted[i] as { messageId: string }).messageId });
    }
  });

  const kept = await router.deadLetter(
    rejected.map((r) => ({
      event: { psarn: r.psarn, payload: undefined, headers: r.headers, traceId: r.traceId },
      body: r.body,
      error: r.error,
    })),
  );
  rejected.forEach((r, i) => {
    observer.rejected(r.psarn, r.error);
    if (kept[i] !== true) failures.push({ itemIdentifier: r.messageId });
  });
  return { batchItemFailures: failures };
}

/** Failures a later attempt can get past (the route table is unreachable), unlike bad input. */
function retryable(error: PsarnError): boolean {
  return error.code === ErrorCode.STORE_UNAVAILABLE;
}

function withTrace(event: InboundEvent, traceId: string | undefined): InboundEvent {
  return event.traceId !== undefined || traceId === undefined ? event : { ...event, traceId };
}

function json(statusCode: number, body: unknown): HttpResponse {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
