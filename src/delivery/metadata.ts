import type { RoutedEvent } from '../routing/plan';

/** Message attribute names the router sets; also what `psarn drain` reads back. */
export const Meta = {
  psarn: 'psarn',
  routeVersion: 'psarn-route-version',
  traceId: 'psarn-trace-id',
  /** The event's own id (RoutedEvent.eventId): drain keeps FIFO dedup ids and the ledger in step. */
  eventId: 'psarn-event-id',
  headers: 'psarn-headers',
  /** On parked / dead-lettered copies: the target the event was bound for. */
  target: 'psarn-target',
  /** On parked / dead-lettered copies: `CODE: message` of the failure. */
  error: 'psarn-error',
  /**
   * On parked / dead-lettered copies: why ("route-parked", "target-failed", "rejected", or newer
   * reasons such as "deadline"; drain treats every reason but the first and the last like
   * "target-failed").
   */
  reason: 'psarn-park-reason',
  /**
   * On copies kept after a failure: the failed copy's key in its plan, `<role> @ <alias path>`
   * (`split @ …/a>…/b`, `fanout <arn> @ …/a`): its first word is the role ("split", "fanout").
   */
  role: 'psarn-role',
  /** On parked / dead-lettered copies: the route that named the target or park queue (after aliases). */
  route: 'psarn-route',
} as const;

/**
 * The routing metadata of one event. The producer's own headers travel as one JSON attribute,
 * because SQS and SNS allow only 10 attributes per message.
 */
export function eventMetadata(event: RoutedEvent, routeVersion: number): Record<string, string> {
  const metadata: Record<string, string> = {
    [Meta.psarn]: event.psarn,
    [Meta.routeVersion]: String(routeVersion),
    [Meta.traceId]: event.traceId,
    [Meta.eventId]: event.eventId,
  };
  // A for-in that stops at the first key: "has any header" without allocating Object.keys().
  for (const key in event.headers) {
    if (Object.hasOwn(event.headers, key)) {
      metadata[Meta.headers] = JSON.stringify(event.headers);
      break;
    }
  }
  return metadata;
}
