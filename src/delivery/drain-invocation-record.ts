/**
 * Lambda's invocation records: what the router's on-failure destination (the router DLQ) receives
 * when an asynchronous invoke of the router failed every attempt (an unreachable route table, an
 * event that could be kept nowhere). The SQS message body is the record as JSON and carries no
 * `psarn` message attribute, so `psarn drain --dlq` must read the event out of the record.
 *
 * Format (AWS Lambda docs, "Capturing records of Lambda asynchronous invocations"):
 * `{ version: "1.0", timestamp, requestContext: { requestId, functionArn, condition,
 * approximateInvokeCount }, requestPayload: <the invoke's payload>, responseContext: { statusCode,
 * executedVersion, functionError }, responsePayload: <the function's error> }`.
 */

/** The router envelope a failed invocation carried, as far as drain needs it. */
export interface RecordedInvocation {
  /** Lambda's request id: the same on every retry, and the router's id for the event. */
  readonly requestId: string;
  /** `Success`, `RetriesExhausted`, `EventAgeExceeded`, … */
  readonly condition: string | undefined;
  /** `requestPayload.headers.psarn`, when the envelope had one. */
  readonly psarn: string | undefined;
  /** The producer's other headers, `psarn-trace-id` included. */
  readonly headers: Readonly<Record<string, string>>;
  /** `requestPayload.payload`; undefined when the record has no request payload. */
  readonly payload: unknown;
  readonly hasPayload: boolean;
}

/**
 * Reads an invocation record from an SQS message body; undefined when the body is not one (a
 * kept copy's body is the producer's payload, which could be any JSON, so the record's own
 * fields decide: `version`, `requestContext.requestId` and `requestContext.functionArn`).
 *
 * @example
 * invocationRecord(JSON.parse(message.Body))?.psarn // 'arn:aws:psarns:…:/event/newUser'
 */
export function invocationRecord(body: unknown): RecordedInvocation | undefined {
  if (!isObject(body) || typeof body['version'] !== 'string') return undefined;
  const context = body['requestContext'];
  if (!isObject(context)) return undefined;
  const requestId = context['requestId'];
  if (typeof requestId !== 'string' || requestId === '' || typeof context['functionArn'] !== 'string')
    return undefined;
  const condition = typeof context['condition'] === 'string' ? context['condition'] : undefined;
  const request = body['requestPayload'];
  const rawHeaders = isObject(request) && isObject(request['headers']) ? request['headers'] : {};
  const headers: Record<string, string> = {};
  let psarn: string | undefined;
  for (const [name, value] of Object.entries(rawHeaders)) {
    if (typeof value !== 'string') continue;
    if (name === 'psarn') psarn = value;
    else headers[name] = value;
  }
  const hasPayload = isObject(request) && Object.hasOwn(request, 'payload');
  return {
    requestId,
    condition,
    psarn,
    headers,
    payload: hasPayload ? request['payload'] : undefined,
    hasPayload,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
