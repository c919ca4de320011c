import type { PlannedDelivery } from '../routing/plan';

const keys = new WeakMap<PlannedDelivery, string>();

/**
 * Names one copy of an event in its plan, the same way on every attempt: its role, the fanout
 * target (a split's target may be re-drawn on a retry, and any one of them will do), and the alias
 * path that led to it. The retry ledger remembers copies by it; FIFO dedup ids include it, so an
 * alias diamond that reaches one FIFO queue twice delivers both copies.
 *
 * @example
 * copyKey({ role: 'fanout', target: { arn: Q, kind: 'sqs' }, via: ['/a', '/b'], route }) // 'fanout Q @ /a>/b'
 */
export function copyKey(planned: PlannedDelivery): string {
  let key = keys.get(planned);
  if (key === undefined) {
    const what = planned.role === 'fanout' ? `fanout ${planned.target.arn}` : planned.role;
    key = `${what} @ ${planned.via.join('>')}`;
    // Plans of alias-free routes are frozen and shared, so this is computed once per route.
    keys.set(planned, key);
  }
  return key;
}
