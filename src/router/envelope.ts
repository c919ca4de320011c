import { MalformedEnvelopeError } from '../errors';
import { unpackForwardedHeaders } from './forwarded-headers';
import { checkDirect, checkHttp, checkSqs, type ShapeIssue } from './envelope-shape';

/** A producer's event before routing: addressed to a psARN, payload untouched. */
export interface InboundEvent {
  readonly psarn: string;
  readonly payload: unknown;
  /** The producer's extra headers, without `psarn` itself and without the trace header. */
  readonly headers: Readonly<Record<string, string>>;
  /** Producer-given trace id (header `psarn-trace-id`), or the SQS message id. */
  readonly traceId?: string;
  /**
   * The event's own id when the envelope gives one: the producer's `psarn-event-id` header, else
   * an SQS record's messageId (the same on every redelivery). Direct and HTTP events without the
   * header get the invocation's request id from `respond`.
   */
  readonly eventId?: string;
  /** SQS only: ApproximateReceiveCount; above 1 the record may have been partly delivered before. */
  readonly receiveCount?: number;
  /**
   * The payload's JSON text exactly as it arrived (HTTP body, SQS message body), so queue, topic
   * and bus targets receive the producer's bytes, not a re-serialisation.
   */
  readonly body?: string;
  /**
   * HTTP ingress with AWS_IAM auth only: the caller's IAM ARN from the request context AWS built
   * (verified by AWS, never from a header). Caller overrides match it as `principal`.
   */
  readonly principal?: string;
}

/** One SQS ingress record: parsed, or the reason it cannot be. */
export type IngressRecord =
  | { readonly messageId: string; readonly event: InboundEvent }
  | { readonly messageId: string; readonly error: MalformedEnvelopeError; readonly body: string };

/** The three ways an event reaches the router (DESIGN.md "Router envelope"). */
export type Envelope =
  | { readonly kind: 'direct'; readonly event: InboundEvent }
  | { readonly kind: 'http'; readonly event: InboundEvent }
  | { readonly kind: 'sqs'; readonly records: readonly IngressRecord[] };

const TRACE_HEADER = 'psarn-trace-id';
const EVENT_ID_HEADER = 'psarn-event-id';

/**
 * Tell the envelope form apart and validate it. Throws MalformedEnvelopeError for a direct or
 * HTTP event the router cannot read; SQS records are judged one by one, so one bad record does
 * not fail its batch.
 *
 * @example
 * parseEnvelope({ headers: { psarn: 'arn:aws:psarns:eu-west-1:123456789012:/event/newUser' }, payload: { id: 1 } })
 */
export function parseEnvelope(input: unknown): Envelope {
  if (isObject(input) && Array.isArray(input['Records'])) return { kind: 'sqs', records: parseSqs(input) };
  if (isObject(input) && isObject(input['requestContext'])) return { kind: 'http', event: parseHttp(input) };
  return { kind: 'direct', event: parseDirect(input) };
}

function parseDirect(input: unknown): InboundEvent {
  const parsed = checkDirect(input);
  if (!parsed.ok) {
    throw new MalformedEnvelopeError(
      'expected {"headers": {"psarn": "<psARN>", …}, "payload": <any JSON>}: ' + firstIssue(parsed.issue),
    );
  }
  if (!Object.hasOwn(parsed.data, 'payload')) throw new MalformedEnvelopeError('"payload" is missing');
  return fromHeaders(parsed.data.headers, parsed.data.payload, 'psarn', 'headers.psarn');
}

function parseHttp(input: unknown): InboundEvent {
  const parsed = checkHttp(input);
  if (!parsed.ok)
    throw new MalformedEnvelopeError('not an HTTP API v2 / Function URL event: ' + firstIssue(parsed.issue));
  const headers: Record<string, string> = {};
  // HTTP header names are case-insensitive; API Gateway v2 and Function URLs lower-case them anyway.
  for (const [name, value] of Object.entries(parsed.data.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  const raw = parsed.data.body ?? '';
  const text = parsed.data.isBase64Encoded === true ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  const payload = parseBody(text, 'the HTTP body');
  const { 'x-psarn': psarn, ...rest } = headers;
  // Over HTTP the psARN comes from x-psarn only; a header literally named "psarn" is not a route.
  delete rest['psarn'];
  const event = fromHeaders(
    { ...rest, ...(psarn === undefined ? {} : { psarn }) },
    payload,
    'psarn',
    'header x-psarn',
    httpOnly,
  );
  const principal = verifiedPrincipal(input);
  return { ...event, body: text, ...(principal === undefined ? {} : { principal }) };
}

/**
 * The IAM principal AWS verified for an HTTP event: API Gateway HTTP API v2 and Function URLs
 * with AWS_IAM auth put it at `requestContext.authorizer.iam.userArn`, API Gateway REST at
 * `requestContext.identity.userArn`. Read from the raw event, not from any header, so a
 * `psarn-caller` header cannot claim it.
 */
export function verifiedPrincipal(input: unknown): string | undefined {
  const context = isObject(input) ? input['requestContext'] : undefined;
  if (!isObject(context)) return undefined;
  const authorizer = context['authorizer'];
  const iam = isObject(authorizer) ? authorizer['iam'] : undefined;
  const identity = context['identity'];
  const arn = isObject(iam) ? iam['userArn'] : isObject(identity) ? identity['userArn'] : undefined;
  return typeof arn === 'string' && arn.startsWith('arn:') && arn.length <= 2048 ? arn : undefined;
}

/** Transport headers a Function URL or API Gateway adds; not the producer's metadata. */
const HTTP_TRANSPORT =
  /^(host|content-length|content-type|accept|accept-encoding|connection|user-agent|x-amz-.*|x-forwarded-.*|x-amzn-.*)$/;
/**
 * Headers that carry credentials or session state (docs/routing.md lists them): never forwarded to
 * targets nor written into kept copies, where anyone who reads a queue would see them.
 */
export const CREDENTIAL_HEADERS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-amz-security-token',
  'x-auth-token',
  'x-csrf-token',
  'x-xsrf-token',
];
const CREDENTIAL = new Set(CREDENTIAL_HEADERS);
function httpOnly(name: string): boolean {
  return !HTTP_TRANSPORT.test(name) && !CREDENTIAL.has(name);
}

function parseSqs(input: unknown): IngressRecord[] {
  const parsed = checkSqs(input);
  if (!parsed.ok) throw new MalformedEnvelopeError('not an SQS event: ' + firstIssue(parsed.issue));
  return parsed.data.Records.map((record) => {
    try {
      const attributes: Record<string, string> = {};
      for (const [name, value] of Object.entries(record.messageAttributes ?? {})) {
        if (value.stringValue !== undefined) attributes[name] = value.stringValue;
      }
      const payload = parseBody(record.body, 'the message body');
      const event = fromHeaders(
        unpackForwardedHeaders(attributes),
        payload,
        'psarn',
        'message attribute psarn',
      );
      const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? '1');
      return {
        messageId: record.messageId,
        event: {
          ...event,
          traceId: event.traceId ?? record.messageId,
          // The record's messageId stays the same on every redelivery of this message.
          eventId: event.eventId ?? record.messageId,
          body: record.body,
          ...(Number.isFinite(receiveCount) ? { receiveCount } : {}),
        },
      };
    } catch (err) {
      if (err instanceof MalformedEnvelopeError)
        return { messageId: record.messageId, error: err, body: record.body };
      throw err;
    }
  });
}

function fromHeaders(
  headers: Readonly<Record<string, string>>,
  payload: unknown,
  key: string,
  where: string,
  keep: (name: string) => boolean = () => true,
): InboundEvent {
  const psarn = headers[key];
  if (psarn === undefined || psarn === '') throw new MalformedEnvelopeError(`${where} is missing`);
  const extra: Record<string, string> = {};
  let traceId: string | undefined;
  let eventId: string | undefined;
  for (const [name, value] of Object.entries(headers)) {
    if (name === key) continue;
    if (name === TRACE_HEADER) traceId = value;
    else if (name === EVENT_ID_HEADER) eventId = value;
    else if (keep(name)) extra[name] = value;
  }
  return {
    psarn,
    payload,
    headers: extra,
    ...(traceId === undefined ? {} : { traceId }),
    ...(eventId === undefined ? {} : { eventId }),
  };
}

function parseBody(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new MalformedEnvelopeError(`${what} is not JSON`);
  }
}

function firstIssue(issue: ShapeIssue): string {
  return `${issue.path.length > 0 ? issue.path.join('.') + ': ' : ''}${issue.message}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
