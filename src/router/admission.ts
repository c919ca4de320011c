import {
  HeadersTooLargeError,
  InvalidHeaderError,
  InvalidPayloadError,
  PayloadTooLargeError,
  type PsarnError,
} from '../errors';
import { KeptReason, type DeliveryItem, type ForwarderLookup } from '../delivery/engine';
import { copyKey } from '../delivery/copy-key';
import { eventMetadata, keptCopyMetadata, MAX_ERROR_ATTRIBUTE_BYTES, Meta } from '../delivery/metadata';
import type { DeliveryPlan, RoutedEvent } from '../routing/plan';
import { sqsRefusedCharacter } from '../targets/attributes';
import { utf8Bytes } from '../targets/limits';
import type { Route } from '../routes/model';
import { checkPayloadContract } from '../contracts/payload-contract';
import { invalidPayloadPlan } from '../contracts/invalid-plan';

/** Longest producer trace id (header `psarn-trace-id`), in characters. */
export const MAX_TRACE_ID_LENGTH = 256;
/** Longest producer event id (header `psarn-event-id`): printable ASCII, like a FIFO id. */
export const MAX_EVENT_ID_LENGTH = 128;
/** Largest `psarn-headers` attribute (the producer's extra headers as JSON), in UTF-8 bytes. */
export const MAX_HEADERS_BYTES = 8192;
/**
 * Upper bound, in bytes, of everything a copy carries besides its body: the bounded headers, ids
 * and routing metadata, and a kept copy's target, route, error and reason. A body with this much
 * room under every limit needs no exact count (the common case costs one multiplication).
 */
const METADATA_BOUND_BYTES = MAX_HEADERS_BYTES + 4 * 2048 + MAX_ERROR_ATTRIBUTE_BYTES + 2048;
const EVENT_ID = /^[\x21-\x7e]+$/;

/**
 * Checks the producer's headers before anything is sent: ids that would not fit a message
 * attribute, characters SQS refuses, more header text than routing metadata may carry.
 */
export function checkHeaders(event: RoutedEvent): PsarnError | undefined {
  if (event.traceId.length > MAX_TRACE_ID_LENGTH)
    return new InvalidHeaderError(
      'psarn-trace-id',
      `is ${event.traceId.length} characters; at most ${MAX_TRACE_ID_LENGTH}`,
    );
  const badTrace = sqsRefusedCharacter(event.traceId);
  if (badTrace !== undefined) return new InvalidHeaderError('psarn-trace-id', refused(badTrace));
  if (event.eventId.length > MAX_EVENT_ID_LENGTH || !EVENT_ID.test(event.eventId))
    return new InvalidHeaderError(
      'psarn-event-id',
      `must be 1-${MAX_EVENT_ID_LENGTH} printable ASCII characters without spaces`,
    );
  let any = false;
  for (const key in event.headers) {
    if (Object.hasOwn(event.headers, key)) {
      any = true;
      break;
    }
  }
  if (!any) return undefined;
  // The headers travel as one JSON attribute: what matters is that text (JSON escapes controls).
  const json = JSON.stringify(event.headers);
  const bytes = utf8Bytes(json);
  if (bytes > MAX_HEADERS_BYTES) return new HeadersTooLargeError(bytes, MAX_HEADERS_BYTES);
  const bad = sqsRefusedCharacter(json);
  if (bad !== undefined) return new InvalidHeaderError(headerAt(event.headers, bad.codePoint), refused(bad));
  return undefined;
}

/**
 * The payload as the JSON text targets receive: the producer's own text when it came as text
 * (HTTP, SQS), else serialised once. A payload no JSON serialiser can write (nested too deep) or
 * with characters SQS refuses (every copy may have to be parked or dead-lettered there) is refused.
 */
export function payloadText(payload: unknown, text: string | undefined): string | PsarnError {
  let body = text;
  if (body === undefined) {
    try {
      body = JSON.stringify(payload) ?? 'null';
    } catch (err) {
      return new InvalidPayloadError(
        err instanceof RangeError
          ? 'it is nested too deeply to serialise as JSON; flatten it'
          : `it cannot be serialised as JSON (${err instanceof Error ? err.message : String(err)})`,
      );
    }
  }
  const bad = sqsRefusedCharacter(body);
  if (bad !== undefined) return new InvalidPayloadError(`${refused(bad)} at character ${bad.index}`);
  return body;
}

/**
 * Whether every copy of the plan can be sent, and kept if it fails: the target's own refusals
 * (EventBridge takes only JSON objects), and the size of what each copy really carries — the body
 * with its headers and routing metadata for the target, and as a parked or dead-lettered copy
 * (with the error and target attributes) in SQS.
 */
export function checkPlan(
  plan: DeliveryPlan,
  event: RoutedEvent,
  body: string,
  routeVersion: number,
  forwarders: ForwarderLookup,
): PsarnError | undefined {
  const sqs = forwarders('sqs');
  let smallest = sqs.maxPayloadBytes;
  for (const delivery of plan.deliveries) {
    const forwarder = forwarders(delivery.target.kind);
    const refusal = forwarder.refuses(delivery.target, event);
    if (refusal !== undefined)
      return new InvalidPayloadError(`${delivery.target.arn}: ${refusal}`, { target: delivery.target.arn });
    if (forwarder.maxPayloadBytes < smallest) smallest = forwarder.maxPayloadBytes;
  }
  if (body.length * 3 + METADATA_BOUND_BYTES <= smallest) return undefined; // cannot exceed any limit

  const metadata = eventMetadata(event, routeVersion);
  for (const delivery of plan.deliveries) {
    const forwarder = forwarders(delivery.target.kind);
    const own =
      delivery.role === 'park'
        ? { ...metadata, [Meta.reason]: KeptReason.routeParked, [Meta.route]: delivery.route.psarn }
        : metadata;
    const bytes = forwarder.measure(delivery.target, { event, body, metadata: own });
    if (bytes > forwarder.maxPayloadBytes)
      return new PayloadTooLargeError(
        delivery.target.arn,
        bytes,
        forwarder.maxPayloadBytes,
        'payload with its headers and routing metadata',
      );
    // The same copy, failed and kept in a holding queue or the DLQ, with the longest error text.
    const kept = keptCopyMetadata(own, {
      target: delivery.target.arn,
      copy: copyKey(delivery),
      route: delivery.route.psarn,
      error: 'x'.repeat(MAX_ERROR_ATTRIBUTE_BYTES),
      reason: KeptReason.targetFailed,
    });
    const keptBytes = sqs.measure({ arn: delivery.target.arn, kind: 'sqs' }, { event, body, metadata: kept });
    if (keptBytes > sqs.maxPayloadBytes)
      return new PayloadTooLargeError(
        `the holding queue or DLQ of ${delivery.target.arn}`,
        keptBytes,
        sqs.maxPayloadBytes,
        'a kept copy (payload, headers, routing metadata and error)',
      );
  }
  return undefined;
}

/** What the payload contract says of an event: nothing, a rejection, or a plan that keeps it. */
export type ContractVerdict =
  | undefined
  | { readonly error: PsarnError }
  | { readonly plan: DeliveryPlan; readonly kept: NonNullable<DeliveryItem['kept']> };

/**
 * Checks the payload against the route's `schema:` before anything is planned or sent (direct
 * invoke, HTTP, SQS ingress and the DirectClient all come through here). `onInvalid: reject`
 * (the default) rejects it with PAYLOAD_INVALID and its JSON pointers; `onInvalid: park` keeps it
 * instead, whole, in the park queue of the route as its caller sees it (`planned`), else the
 * router's DLQ (`psarn-park-reason: payload-invalid`). With neither, it is rejected: an event
 * that can be kept nowhere must not be accepted. A route without a schema costs one property read.
 */
export function checkContract(
  route: Route,
  planned: Route,
  payload: unknown,
  deadLetterQueue: string | undefined,
): ContractVerdict {
  if (route.schema === undefined) return undefined;
  const problem = checkPayloadContract(route, payload);
  if (problem === undefined) return undefined;
  if (route.onInvalid !== 'park') return { error: problem };
  const keep = invalidPayloadPlan(planned, deadLetterQueue);
  if (keep === undefined) return { error: problem };
  return {
    plan: keep.plan,
    kept: {
      reason: KeptReason.payloadInvalid,
      status: keep.status,
      error: { code: problem.code, message: problem.message, reason: 'rejected' },
    },
  };
}

/**
 * The contracts of routes an alias led the plan into: a copy bound for a route's targets must
 * meet that route's schema whichever psARN the producer addressed. Through an alias a payload
 * that breaks it is rejected (PAYLOAD_INVALID naming that route), `onInvalid: park` applying only
 * at the route's own address. Only plans that followed aliases get here.
 */
export function checkAliasContracts(
  plan: DeliveryPlan,
  root: Route,
  payload: unknown,
): PsarnError | undefined {
  let checked: Set<Route> | undefined;
  for (const delivery of plan.deliveries) {
    const route = delivery.route;
    if (route === root || route.schema === undefined || checked?.has(route) === true) continue;
    (checked ??= new Set()).add(route);
    const problem = checkPayloadContract(route, payload);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function refused(bad: { codePoint: number }): string {
  return `contains U+${bad.codePoint.toString(16).toUpperCase().padStart(4, '0')}, which SQS refuses (parked and dead-lettered copies go through SQS)`;
}

/** The header whose name or value holds the refused character, for the message. */
function headerAt(headers: Readonly<Record<string, string>>, codePoint: number): string {
  const ch = String.fromCodePoint(codePoint);
  for (const [name, value] of Object.entries(headers))
    if (name.includes(ch) || value.includes(ch)) return name;
  return 'headers';
}
