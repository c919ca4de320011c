import type { RoutedEvent } from '../routing/plan';
import { sanitizeAttribute } from '../targets/attributes';

/** Longest `psarn-error` text a kept copy carries, in UTF-8 bytes (the size check reserves it). */
export const MAX_ERROR_ATTRIBUTE_BYTES = 1024;

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

/** What a kept copy says about the copy it keeps: where it was bound, why, and under which key. */
export interface KeptCopy {
  readonly target: string;
  /** The copy key (`copyKey`): its first word is the role. */
  readonly copy: string;
  /** The route that named the target or park queue, after aliases. */
  readonly route: string;
  /** `CODE: message` of the failure. */
  readonly error: string;
  readonly reason: string;
}

/**
 * The metadata of a copy parked or dead-lettered after a failure: the event's own plus what
 * failed and why. The one place it is built — the engine, drain's narrowed copies and the
 * router's size check all use it, so what is measured is what is sent.
 *
 * @example
 * keptCopyMetadata(metadata, { target, copy: 'split @ …', route, error: 'TARGET_FAILED: …', reason: 'target-failed' })
 */
export function keptCopyMetadata(
  base: Readonly<Record<string, string>>,
  kept: KeptCopy,
): Record<string, string> {
  return {
    ...base,
    [Meta.target]: kept.target,
    // Targets' error texts carry ANSI escapes and characters SQS refuses in attributes: cleaned
    // and cut on a code point, or the park and DLQ writes of this very copy would fail too.
    [Meta.error]: sanitizeAttribute(kept.error, MAX_ERROR_ATTRIBUTE_BYTES),
    [Meta.reason]: kept.reason,
    // The copy key (`<role> @ <alias path>`, role first): drain re-drives the copy under the
    // same key, so FIFO dedup ids and the retry ledger match the first attempt's.
    [Meta.role]: kept.copy,
    [Meta.route]: kept.route,
  };
}
