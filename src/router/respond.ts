import { ERROR_KINDS, ErrorCode, errorKind, PsarnError } from '../errors';
import type { DeliveryItem } from '../delivery/engine';
import type { DeliveryOutcome } from '../delivery/report';
import { parseEnvelope, type Envelope, type InboundEvent } from './envelope';
import { randomUUID } from 'node:crypto';
import { payloadText } from './admission';
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
  /** `psarn` is undefined when it names no live route: a made-up string must not become a metric. */
  rejected(psarn: string | undefined, error: PsarnError): void;
  unsecured(outcome: DeliveryOutcome): void;
  /** An envelope the router could not read (answered with its error, or thrown for SQS). */
  malformed?(error: PsarnError, input: unknown): void;
}

/** What `respond` knows of the invocation it answers. */
export interface Invocation {
  /** The invocation's request id: the same on Lambda's retries of an async invoke. */
  readonly requestId?: string;
  /** Epoch ms by which the answer must be given (from Lambda's remaining time). */
  readonly deadline?: number;
  /** This request id failed before in this instance: it is Lambda retrying an async invoke. */
  readonly retried?: boolean;
}

/** Raised when some copy of an event could be kept nowhere: Lambda's retry must take over. */
export class DeliveryIncompleteError extends PsarnError {
  constructor(outcome: DeliveryOutcome) {
    super(
      ErrorCode.DELIVERY_INCOMPLETE,
      `event ${outcome.report.traceId} for ${outcome.report.psarn} could be neither delivered, parked nor ` +
        `dead-lettered for ${outcome.unsecured.map((u) => `${u.target} (${u.error})`).join(', ')}`,
      { psarn: outcome.report.psarn, traceId: outcome.report.traceId, unsecured: outcome.unsecured },
    );
  }
}

/**
 * Turns an envelope into the Lambda response of its form:
 * - direct: the single Lambda target's response (transparent request/response) or the delivery
 *   report; a rejection is `{ error: { code, message } }`, never a crash;
 * - HTTP: the same as JSON with the status code of ERROR_KINDS (404 unknown psARN, 413 too large, …);
 * - SQS: `batchItemFailures` for the records that could not be secured or met an unreachable
 *   route table; records rejected for what they are (unknown psARN, malformed) are dead-lettered
 *   with their error instead of being retried forever.
 * A direct invoke that meets an unreachable route table fails, so it is retried. Direct and HTTP
 * events without ids of their own take the request id as trace and event id: Lambda keeps it
 * across its retries of an async invoke, so a retry is the same event (FIFO dedup, the ledger).
 */
export async function respond(
  router: Router,
  envelope: Envelope,
  observer: Observer,
  invocation: Invocation = {},
): Promise<unknown> {
  const options = invocation.deadline === undefined ? {} : { deadline: invocation.deadline };
  if (envelope.kind === 'sqs') return batch(router, envelope, observer, options);
  // Direct and HTTP carry one event each: routed alike, answered in their own form.
  const event = withIds(envelope.event, invocation.requestId);
  const result = await routeOne(router, event, observer, options, invocation.retried);
  if (envelope.kind === 'http') {
    if ('error' in result) return json(ERROR_KINDS[result.error.code].http, errorBody(result.error));
    return json(200, answerOf(result.outcome));
  }
  if ('error' in result) {
    // The store is down: a retry can succeed, so the invocation fails and Lambda (async) or
    // the producer (sync) tries again, instead of the event being answered away.
    if (errorKind(result.error).retryable) throw result.error;
    return { psarn: envelope.event.psarn, ...errorBody(result.error) };
  }
  return answerOf(result.outcome);
}

/**
 * The whole answer to a Lambda event of any form: the envelope parsed, then `respond`. A direct or
 * HTTP envelope the router cannot read is answered with its typed error (HTTP 400). An SQS batch
 * it cannot read fails whole: an answer without batchItemFailures would tell Lambda every record
 * succeeded, and SQS would delete them.
 */
export async function answerEvent(
  router: Router,
  input: unknown,
  observer: Observer,
  invocation: Invocation = {},
): Promise<unknown> {
  let envelope: Envelope;
  try {
    envelope = parseEnvelope(input);
  } catch (err) {
    if (!(err instanceof PsarnError)) throw err;
    const form = typeof input === 'object' && input !== null ? input : {};
    if ('Records' in form) throw err;
    observer.malformed?.(err, input);
    return 'requestContext' in form ? json(400, errorBody(err)) : errorBody(err);
  }
  return respond(router, envelope, observer, invocation);
}

/** One event through the router: its outcome, or the typed error that rejected it. */
export async function routeOne(
  router: Router,
  inbound: InboundEvent,
  observer: Observer,
  options: { readonly deadline?: number } = {},
  retried = false,
): Promise<{ outcome: DeliveryOutcome } | { error: PsarnError }> {
  const prepared = await router.prepare(inbound, { passthrough: true, retry: retried });
  if (!prepared.ok) {
    observer.rejected(prepared.routed ? inbound.psarn : undefined, prepared.error);
    if (prepared.error.code === ErrorCode.LOOP_DETECTED)
      await keepLooped(router, inbound, prepared.error, options);
    return { error: prepared.error };
  }
  const [outcome] = await router.deliver([prepared.item], options);
  if (outcome === undefined) throw new Error('delivery engine returned no outcome');
  if (!outcome.secured) {
    observer.unsecured(outcome);
    throw new DeliveryIncompleteError(outcome);
  }
  observer.accepted(outcome);
  return { outcome };
}

/**
 * A looping event is stopped, not lost: it goes to the router's DLQ with its error (an SQS record is
 * dead-lettered by `batch` like any rejected record). If it cannot be kept there the invocation
 * fails, so Lambda's retry and the router's own failure destination keep it instead.
 */
async function keepLooped(
  router: Router,
  inbound: InboundEvent,
  error: PsarnError,
  options: { readonly deadline?: number },
): Promise<void> {
  const body = payloadText(inbound.payload, inbound.body);
  const traceId = inbound.traceId ?? inbound.eventId ?? randomUUID();
  const [kept] = await router.deadLetter(
    [
      {
        event: {
          psarn: inbound.psarn,
          payload: inbound.payload,
          headers: inbound.headers,
          traceId: traceId.slice(0, 256),
          eventId: (inbound.eventId ?? traceId).slice(0, 128),
        },
        body: typeof body === 'string' ? body : (inbound.body ?? ''),
        error,
      },
    ],
    options,
  );
  if (kept !== true) throw error;
}

async function batch(
  router: Router,
  envelope: Extract<Envelope, { kind: 'sqs' }>,
  observer: Observer,
  options: { readonly deadline?: number },
): Promise<SqsBatchResponse> {
  const accepted: { messageId: string; item: DeliveryItem }[] = [];
  const rejected: {
    messageId: string;
    psarn: string;
    routed: boolean;
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
        routed: false,
        body: record.body,
        headers: {},
        error: record.error,
        traceId: record.messageId,
      });
      continue;
    }
    // A record SQS delivers again may have been partly delivered by the attempt that failed.
    const retry = (record.event.receiveCount ?? 1) > 1;
    const prepared = await router.prepare(record.event, { passthrough: false, retry });
    if (prepared.ok) accepted.push({ messageId: record.messageId, item: prepared.item });
    else if (errorKind(prepared.error).retryable) {
      // The store is down: SQS redelivers the record later, rather than the DLQ keeping it.
      observer.rejected(prepared.routed ? record.event.psarn : undefined, prepared.error);
      failures.push({ itemIdentifier: record.messageId });
    } else
      rejected.push({
        messageId: record.messageId,
        psarn: record.event.psarn,
        routed: prepared.routed,
        body: record.event.body ?? '',
        headers: record.event.headers,
        error: prepared.error,
        traceId: record.event.traceId ?? record.messageId,
      });
  }

  const outcomes = await router.deliver(
    accepted.map((a) => a.item),
    options,
  );
  outcomes.forEach((outcome, i) => {
    if (outcome.secured) observer.accepted(outcome);
    else {
      observer.unsecured(outcome);
      failures.push({ itemIdentifier: (accepted[i] as { messageId: string }).messageId });
    }
  });

  const kept = await router.deadLetter(
    rejected.map((r) => ({
      event: {
        psarn: r.psarn,
        payload: undefined,
        headers: r.headers,
        traceId: r.traceId.slice(0, 256),
        eventId: r.messageId,
      },
      body: r.body,
      error: r.error,
    })),
    options,
  );
  rejected.forEach((r, i) => {
    observer.rejected(r.routed ? r.psarn : undefined, r.error);
    if (kept[i] !== true) failures.push({ itemIdentifier: r.messageId });
  });
  return { batchItemFailures: failures };
}

/** A single Lambda target's response, unchanged (transparent request/response), else the report. */
function answerOf(outcome: DeliveryOutcome): unknown {
  return outcome.response !== undefined ? outcome.response : outcome.report;
}

function withIds(event: InboundEvent, requestId: string | undefined): InboundEvent {
  if (requestId === undefined || (event.traceId !== undefined && event.eventId !== undefined)) return event;
  return {
    ...event,
    ...(event.traceId === undefined ? { traceId: requestId } : {}),
    // One event per direct or HTTP invocation: the request id names it on every retry.
    ...(event.eventId === undefined ? { eventId: requestId } : {}),
  };
}

function json(statusCode: number, body: unknown): HttpResponse {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
