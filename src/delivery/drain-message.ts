import { HOPS_HEADER } from '../router/hops';
import type { Message } from '@aws-sdk/client-sqs';
import type { RoutedEvent } from '../routing/plan';
import { invocationRecord, type RecordedInvocation } from './drain-invocation-record';
import { Meta } from './metadata';

/** Why a drain left a message in its queue untouched (counted per reason in the summary). */
export const SkipReason = {
  /** --dlq: the message's psARN is another route's. */
  otherPsarn: 'other-psarn',
  /** The copy belongs to another route sharing the holding queue (`psarn-route`). */
  otherRoute: 'other-route',
  /** The body is not JSON, so there is no payload to re-drive. */
  notJson: 'not-json',
  /** --dlq: a message with neither a `psarn` attribute nor the shape of an invocation record. */
  noPsarn: 'no-psarn',
  /** An invocation record whose request payload is missing (Lambda left it out). */
  noRequestPayload: 'no-request-payload',
  /** An invocation record of a successful invocation: the router handled that event already. */
  succeededInvocation: 'succeeded-invocation',
  /** The live route sends this copy nowhere (e.g. its fanout target was removed). */
  nothingToSend: 'nothing-to-send',
  /** `onlyCopies` (auto-drain): a copy parked for another target, or for another reason. */
  otherCopy: 'other-copy',
} as const;
export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];

/** A message this drain re-drives: the event as first sent, and what its attributes say of it. */
export interface KeptEvent {
  readonly event: RoutedEvent;
  /** The payload's JSON text, forwarded as it is kept. */
  readonly body: string;
  /** Re-plan on the live route and send everywhere (a parked event, an invocation record). */
  readonly whole: boolean;
  /** For a copy kept after its own target failed: that copy's role and target. */
  readonly role: string | undefined;
  /** Its copy key in the first attempt's plan (see copyKey), to be re-driven under the same key. */
  readonly copy?: string;
  readonly target: string | undefined;
  /** The route that owns the copy (`psarn-route`), after aliases; undefined: the drained route. */
  readonly owner: string | undefined;
  /**
   * A Lambda invocation record: the failed invocation may have delivered some copies before it
   * failed, and the retry ledger says which, so only the others are sent.
   */
  readonly retry?: boolean;
  /** The routing attributes the kept message carried, to carry into narrowed copies. */
  readonly carried: Readonly<Record<string, string>>;
}

export interface ReadScope {
  /** The route being drained. */
  readonly psarn: string;
  /** --dlq: only this psARN's messages (the router DLQ holds every route's). */
  readonly onlyPsarn?: string;
  /** Only copies kept for this target with one of these `psarn-park-reason`s (auto-drain). */
  readonly onlyCopies?: CopyFilter;
}

/** Which kept copies a drain takes: those bound for `target` and parked for one of `reasons`. */
export interface CopyFilter {
  readonly target: string;
  readonly reasons: readonly string[];
}

/** Attributes a narrowed copy keeps from the message it replaces (the rest describe the failure). */
const CARRIED = [Meta.psarn, Meta.routeVersion, Meta.traceId, Meta.headers, Meta.eventId] as const;

/**
 * Reads one message of a holding queue or the router DLQ: a kept copy (body = payload, routing
 * metadata in message attributes) or a Lambda invocation record (the router's failed async
 * invoke). Returns the event to re-drive, or why the drain leaves the message alone.
 *
 * @example
 * const kept = readKept(message, { psarn: route.psarn });
 * if (typeof kept === 'string') skipped[kept]++;
 */
export function readKept(message: Message, scope: ReadScope): KeptEvent | SkipReason {
  const attr = (name: string) => message.MessageAttributes?.[name]?.StringValue;
  const psarn = attr(Meta.psarn);
  // The route whose park queue or target this copy belongs to (an alias's route, or another route
  // sharing the holding queue): a holding-queue drain leaves other routes' events where they are.
  const owner = attr(Meta.route);
  if (psarn !== undefined && scope.onlyPsarn !== undefined && psarn !== scope.onlyPsarn)
    return SkipReason.otherPsarn;
  if (scope.onlyPsarn === undefined && owner !== undefined && owner !== scope.psarn)
    return SkipReason.otherRoute;
  // Checked before the body is read: a filtered drain leaves every other message as it found it.
  const only = scope.onlyCopies;
  if (only !== undefined) {
    const reason = attr(Meta.reason);
    if (attr(Meta.target) !== only.target || reason === undefined || !only.reasons.includes(reason))
      return SkipReason.otherCopy;
  }
  const body = message.Body ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return SkipReason.notJson;
  }
  if (psarn === undefined) {
    // No routing attributes: Lambda's record of a failed async invoke of the router, or (in a
    // holding queue) a copy parked before attributes named their psARN.
    const record = invocationRecord(parsed);
    if (record !== undefined) return fromRecord(record, scope);
    if (scope.onlyPsarn !== undefined) return SkipReason.noPsarn;
  }

  const traceId = attr(Meta.traceId) ?? message.MessageId ?? '';
  const reason = attr(Meta.reason);
  const carried: Record<string, string> = {};
  for (const name of CARRIED) {
    const value = attr(name);
    if (value !== undefined) carried[name] = value;
  }
  return {
    event: {
      // The psARN the producer addressed (an alias's, when an alias led here): FIFO groupBy
      // `psarn` and the targets' metadata see the event as it was first sent.
      psarn: psarn ?? scope.psarn,
      payload: parsed,
      headers: headersOf(attr(Meta.headers)),
      // The original trace id: a FIFO target's dedup id, so a re-drive never duplicates there.
      traceId,
      eventId: attr(Meta.eventId) ?? traceId,
    },
    body,
    // Only a parked event, a rejected one (it never reached any target) and one kept before
    // reasons existed go everywhere; any other reason (target-failed, deadline, …) names the one
    // copy that is missing.
    whole:
      reason === undefined || reason === 'route-parked' || reason === 'rejected' || reason === 'payload-invalid',
    // `psarn-role` holds the copy key, `<role> @ <alias path>` (a bare role from older copies).
    role: attr(Meta.role)?.split(' ')[0],
    ...(attr(Meta.role)?.includes(' @ ') === true ? { copy: attr(Meta.role) as string } : {}),
    target: attr(Meta.target),
    owner,
    carried,
  };
}

function fromRecord(record: RecordedInvocation, scope: ReadScope): KeptEvent | SkipReason {
  const wanted = scope.onlyPsarn ?? scope.psarn;
  if (record.psarn === undefined) return SkipReason.noPsarn;
  if (record.psarn !== wanted) return SkipReason.otherPsarn;
  if (record.condition === 'Success') return SkipReason.succeededInvocation;
  if (!record.hasPayload) return SkipReason.noRequestPayload;
  const { ['psarn-trace-id']: givenTrace, ['psarn-event-id']: givenId, ...given } = record.headers;
  const headers = newChain(given);
  // The router's default trace and event ids are the invocation's request id (unless the producer
  // named them): the re-drive's FIFO dedup ids and its ledger record then match the first attempt's.
  const traceId = givenTrace ?? record.requestId;
  return {
    event: {
      psarn: record.psarn,
      payload: record.payload,
      headers,
      traceId,
      eventId: givenId ?? record.requestId,
    },
    retry: true,
    body: JSON.stringify(record.payload) ?? 'null',
    whole: true,
    role: undefined,
    target: undefined,
    owner: undefined,
    carried: {},
  };
}

function headersOf(text: string | undefined): Record<string, string> {
  if (text === undefined) return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? newChain(value as Record<string, string>) : {};
  } catch {
    // Damaged header metadata: the event is still re-driven (its body is intact), without headers.
    return {};
  }
}

/**
 * A re-drive is an operator starting the event's chain again (after fixing a loop, say): its hop
 * count starts from zero, or an event dead-lettered for LOOP_DETECTED would be stopped again at
 * its very next router hop.
 */
function newChain(headers: Record<string, string>): Record<string, string> {
  if (!Object.hasOwn(headers, HOPS_HEADER)) return headers;
  const rest = { ...headers };
  delete rest[HOPS_HEADER];
  return rest;
}
