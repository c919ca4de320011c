import { InvalidHeaderError, LoopDetectedError, type PsarnError } from '../errors';

/**
 * How many routers an event has passed through, carried as the header `psarn-hops` with the
 * event's other headers (the `psarn-headers` attribute of queue and topic copies, ClientContext of
 * synchronous Lambda invokes). Every router hop adds one; at `maxHops` the router stops the event
 * with LOOP_DETECTED and dead-letters it. Lambda's own recursive-loop detection stops a chain only
 * after about 16 invocations of one function and drops what it stops; the router is in every hop of
 * a chain, so it must stop a loop first, and keep the event (docs/routing.md "Loops").
 */
export const HOPS_HEADER = 'psarn-hops';

/** Below Lambda's ~16 invocations of one function in one chain, so the router stops a loop first. */
export const DEFAULT_MAX_HOPS = 10;

/** Larger counts are not a loop the router could have made: a producer's mistake. */
const MAX_HOPS_VALUE = 1000;
const DIGITS = /^\d{1,4}$/;

/**
 * The hop count an event arrives with (0 without the header), or the typed error of a header that
 * is not a small whole number.
 *
 * @example
 * hopsOf({ 'psarn-hops': '3' }) // 3
 */
export function hopsOf(headers: Readonly<Record<string, string>>): number | PsarnError {
  const raw = headers[HOPS_HEADER];
  if (raw === undefined) return 0;
  const hops = DIGITS.test(raw) ? Number(raw) : NaN;
  if (!(hops <= MAX_HOPS_VALUE))
    return new InvalidHeaderError(HOPS_HEADER, `must be a whole number from 0 to ${MAX_HOPS_VALUE}`);
  return hops;
}

/**
 * The headers an accepted event is forwarded with: its own, with the hop count raised by one; or
 * LOOP_DETECTED when it has reached `maxHops`.
 *
 * @example
 * nextHop('arn:aws:psarns:eu-west-1:123456789012:/event/a', {}, 10) // { 'psarn-hops': '1' }
 */
export function nextHop(
  psarn: string,
  headers: Readonly<Record<string, string>>,
  maxHops: number,
): Readonly<Record<string, string>> | PsarnError {
  const hops = hopsOf(headers);
  if (typeof hops !== 'number') return hops;
  if (hops >= maxHops) return new LoopDetectedError(psarn, hops, maxHops);
  return { ...headers, [HOPS_HEADER]: String(hops + 1) };
}

/**
 * The hop count a consumer received its event with, for the client to carry on when the consumer
 * sends again (so a loop through consumers is counted too): the largest `psarn-hops` among an SQS
 * or SNS batch's records (in their `psarn-headers` attribute), a synchronous invoke's ClientContext,
 * or a direct envelope's headers. 0 when the event says nothing.
 *
 * @example
 * const hops = receivedHops(event, context); // inside a consumer Lambda
 * await client.send(psarn, payload, { headers: { 'psarn-hops': String(hops) } });
 */
export function receivedHops(event: unknown, context?: unknown): number {
  let most = 0;
  const take = (headersJson: unknown): void => {
    if (typeof headersJson !== 'string') return;
    try {
      const headers: unknown = JSON.parse(headersJson);
      if (isObject(headers)) takeValue(headers[HOPS_HEADER]);
    } catch {
      // Not JSON: not headers a router wrote, so they carry no hop count. Only the count is read
      // here; the consumer's event is untouched, so nothing is lost.
    }
  };
  const takeValue = (value: unknown): void => {
    if (typeof value !== 'string') return;
    const hops = hopsOf({ [HOPS_HEADER]: value });
    if (typeof hops === 'number' && hops > most) most = hops;
  };
  if (isObject(event)) {
    const records = event['Records'];
    if (Array.isArray(records)) {
      for (const record of records) {
        if (!isObject(record)) continue;
        const sqs = record['messageAttributes'];
        if (isObject(sqs) && isObject(sqs['psarn-headers'])) take(sqs['psarn-headers']['stringValue']);
        const sns = record['Sns'];
        if (isObject(sns) && isObject(sns['MessageAttributes'])) {
          const attribute = sns['MessageAttributes']['psarn-headers'];
          if (isObject(attribute)) take(attribute['Value']);
        }
      }
    }
    const headers = event['headers'];
    if (isObject(headers)) takeValue(headers[HOPS_HEADER]);
  }
  if (isObject(context)) {
    const clientContext = context['clientContext'];
    const custom = isObject(clientContext) ? clientContext['custom'] : undefined;
    if (isObject(custom)) take(custom['psarn-headers']);
  }
  return most;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
