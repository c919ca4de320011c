/**
 * The per-target account of a reliability run: what the router accepted, read back against what
 * the emulators hold. Pure: the harness collects, this counts.
 *
 * For every (event, target) the plan named, the copies found are:
 * - delivered: at the target itself (queue message, topic copy, function record, bus record);
 * - parked: in the route's holding queue with `psarn-target` = the target;
 * - dead-lettered: in the router DLQ with `psarn-target` = the target, or, for the whole event, a
 *   Lambda invocation record (a direct invoke that failed three times) or the ingress queue's own
 *   redrive (an SQS record that failed maxReceiveCount times).
 * Its status is the first of delivered / parked / dead-lettered it has; none at all is lost.
 *
 * Copies beyond the first are duplicates, told apart like this:
 * - at-least-once: the fault proxy saw a request carrying this event to this target (or to the
 *   holding queue / DLQ for this target) reach the emulator without its answer reaching the router
 *   (reset after forwarding, a timeout, a client that gave up), or with its answer late (held back,
 *   or slower than a second: a router that stops waiting at its deadline sees a failure). That
 *   request may have landed while the router, rightly, saw a failure and tried again or parked the
 *   copy: one duplicate per such request is allowed. Nothing else can make the router see a
 *   failure for a copy that landed.
 * - producer retry: an HTTP producer re-sent the event after a 5xx (a new invocation, which the
 *   router cannot tell from a new event with the same payload); counted, allowed.
 * - re-sent: every other duplicate. The router had been told the copy was secured (delivered,
 *   parked or dead-lettered) and sent it again, e.g. when a retried invocation sends to targets
 *   that already had the event. Must be 0.
 * A whole-event invocation record next to a copy that did arrive is not a duplicate at the
 * target; it is counted as "also in an invocation record".
 */

export interface PlannedCopy {
  readonly eventId: string;
  readonly target: string;
  readonly role: string;
  /** Name of the resource a delivery lands in (queue, topic, function, bus name). */
  readonly destination: string;
  /** Holding queue name of the route, when it parks failures. */
  readonly holdingQueue?: string;
}

export interface Observed {
  /** `${target}\n${eventId}` → copies found at the target. */
  readonly delivered: Map<string, number>;
  readonly parked: Map<string, number>;
  readonly deadLettered: Map<string, number>;
  /** Event ids kept whole: Lambda invocation records in the DLQ, or the ingress queue's redrive. */
  readonly wholeEvent: Map<string, number>;
  /**
   * Keys `${destination}\n${psarn-target or ''}\n${eventId}` of requests whose effect the router
   * could not know: they reached the emulator and their answer never reached the router, or came
   * late (after a router with a deadline may have given up on them).
   */
  readonly uncertain: Map<string, number>;
  /** Event ids an HTTP producer re-sent after a 5xx, with how often. */
  readonly producerRetries: Map<string, number>;
  /** Event ids whose producer was finally refused (HTTP 5xx after its retries): not accepted. */
  readonly refused: Set<string>;
  /** Event ids the router rejected (an error answer): not accepted. */
  readonly rejected: Set<string>;
}

export interface AccountRow {
  readonly target: string;
  readonly roles: string;
  accepted: number;
  delivered: number;
  parked: number;
  deadLettered: number;
  lost: number;
  refused: number;
  atLeastOnce: number;
  producerRetry: number;
  resent: number;
  alsoInInvocationRecord: number;
}

export interface Account {
  readonly rows: AccountRow[];
  readonly total: AccountRow;
  /** Up to 20 examples of lost and re-sent copies, for the failure message. */
  readonly examples: { readonly lost: string[]; readonly resent: string[] };
}

export const copyKey = (target: string, eventId: string): string => `${target}\n${eventId}`;
export const uncertainKey = (destination: string, forTarget: string, eventId: string): string =>
  `${destination}\n${forTarget}\n${eventId}`;

export function settleAccount(
  planned: Iterable<PlannedCopy>,
  observed: Observed,
  dlqName: string,
  label: (target: string) => string = (t) => t,
): Account {
  const rows = new Map<string, AccountRow & { roleSet: Set<string> }>();
  const examples = { lost: [] as string[], resent: [] as string[] };
  for (const copy of planned) {
    let row = rows.get(copy.target);
    if (row === undefined) {
      row = { ...emptyRow(label(copy.target), ''), roleSet: new Set() };
      rows.set(copy.target, row);
    }
    row.roleSet.add(copy.role);
    if (observed.rejected.has(copy.eventId)) continue; // never accepted
    const key = copyKey(copy.target, copy.eventId);
    const delivered = observed.delivered.get(key) ?? 0;
    const parked = observed.parked.get(key) ?? 0;
    const deadLettered = observed.deadLettered.get(key) ?? 0;
    const whole = observed.wholeEvent.get(copy.eventId) ?? 0;
    const copies = delivered + parked + deadLettered;
    if (copies === 0 && whole === 0 && observed.refused.has(copy.eventId)) {
      row.refused += 1;
      continue;
    }
    row.accepted += 1;
    if (delivered > 0) row.delivered += 1;
    else if (parked > 0) row.parked += 1;
    else if (deadLettered > 0 || whole > 0) row.deadLettered += 1;
    else {
      row.lost += 1;
      if (examples.lost.length < 20) examples.lost.push(`${copy.eventId} → ${label(copy.target)}`);
    }
    if (copies > 0 && whole > 0) row.alsoInInvocationRecord += 1;
    let extra = Math.max(0, copies - 1);
    if (extra === 0) continue;
    const explained =
      (observed.uncertain.get(uncertainKey(copy.destination, '', copy.eventId)) ?? 0) +
      (copy.holdingQueue === undefined
        ? 0
        : (observed.uncertain.get(uncertainKey(copy.holdingQueue, copy.target, copy.eventId)) ?? 0)) +
      (observed.uncertain.get(uncertainKey(dlqName, copy.target, copy.eventId)) ?? 0);
    const atLeastOnce = Math.min(extra, explained);
    row.atLeastOnce += atLeastOnce;
    extra -= atLeastOnce;
    const retried = Math.min(extra, observed.producerRetries.get(copy.eventId) ?? 0);
    row.producerRetry += retried;
    extra -= retried;
    row.resent += extra;
    if (extra > 0 && examples.resent.length < 20) {
      examples.resent.push(
        `${copy.eventId} → ${label(copy.target)}: ${delivered} delivered, ${parked} parked, ${deadLettered} dead-lettered`,
      );
    }
  }
  const list = [...rows.values()]
    .map(({ roleSet, ...row }) => ({ ...row, roles: [...roleSet].sort().join('+') }))
    .sort((a, b) => a.target.localeCompare(b.target));
  const total = emptyRow('total', '');
  for (const row of list) {
    for (const field of COUNT_FIELDS) total[field] += row[field];
  }
  return { rows: list, total, examples };
}

const COUNT_FIELDS = [
  'accepted',
  'delivered',
  'parked',
  'deadLettered',
  'lost',
  'refused',
  'atLeastOnce',
  'producerRetry',
  'resent',
  'alsoInInvocationRecord',
] as const;

function emptyRow(target: string, roles: string): AccountRow {
  return {
    target,
    roles,
    accepted: 0,
    delivered: 0,
    parked: 0,
    deadLettered: 0,
    lost: 0,
    refused: 0,
    atLeastOnce: 0,
    producerRetry: 0,
    resent: 0,
    alsoInInvocationRecord: 0,
  };
}

/** The account as a fixed-width table (one line per target, then the total). */
export function formatAccount(account: Account): string {
  const header = [
    'target',
    'role',
    'accepted',
    'delivered',
    'parked',
    'DLQ',
    'LOST',
    'refused',
    'dup:at-least-once',
    'dup:producer-retry',
    'RE-SENT',
    'also-in-invocation-record',
  ];
  const line = (r: AccountRow): string[] => [r.target, r.roles, ...COUNT_FIELDS.map((f) => String(r[f]))];
  const rows = [header, ...account.rows.map(line), line(account.total)];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const text = rows.map((r) =>
    r.map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  '),
  );
  text.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  text.splice(text.length - 1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return text.join('\n');
}
