import { copyKey } from './copy-key';
import { ErrorCode } from '../errors';
import type { TargetRef } from '../routes/model';
import type { PlannedDelivery } from '../routing/plan';
import { fifoFields } from '../targets/fifo';
import type { OutgoingMessage, SendOutcome } from '../targets/forwarder';
import { KeptReason, type DeliveryItem, type ForwarderLookup } from './engine';
import { eventMetadata, keptCopyMetadata, Meta } from './metadata';
import type { DeliveryOutcome } from './report';

/** What became of a partly delivered message's missing copies. */
export type NarrowResult =
  { readonly ok: true; readonly copies: number } | { readonly ok: false; readonly error: string };

export interface NarrowOptions {
  readonly forwarders: ForwarderLookup;
  /** The queue being drained, as a target (`groupBy` from its route's `park.groupBy` for FIFO). */
  readonly queue: TargetRef;
  /** FIFO: the drained message's MessageGroupId, which every replacement copy must share. */
  readonly groupId?: string;
  /** Attributes of the drained message to keep (`psarn`, `psarn-route-version`, …). */
  readonly carried: Readonly<Record<string, string>>;
}

/**
 * A re-driven message reached some of its targets but not all: writes one kept copy per missing
 * copy back to the drained queue, in the form the router parks a failed copy in
 * (`psarn-park-reason: target-failed` with its target, role and route), so the next drain sends
 * each only where it is still missing. The caller deletes the original only when this succeeds;
 * otherwise the original stays whole (and the next drain sends it everywhere again).
 *
 * The copies go through the SQS forwarder, so a FIFO queue gets MessageGroupId from `groupBy`
 * (checked against the original's group: order is kept per group) and a dedup id per failed
 * target (two copies of one event never dedupe each other away).
 *
 * @example
 * const result = await keepMissingCopies(item, outcome, { forwarders, queue: parkTarget(route.park), carried });
 */
export async function keepMissingCopies(
  item: DeliveryItem,
  outcome: DeliveryOutcome,
  options: NarrowOptions,
): Promise<NarrowResult> {
  const missing = failedDeliveries(item.plan.deliveries, outcome.unsecured);
  if (missing.length === 0) return { ok: true, copies: 0 };
  const base = { ...eventMetadata(item.event, item.routeVersion), ...options.carried };
  if (item.event.eventId !== undefined) base[Meta.eventId] ??= item.event.eventId;
  const messages: OutgoingMessage[] = missing.map(({ planned, error }) => {
    // Each missing copy under its own key: two copies of one event to one FIFO queue (an alias
    // diamond) get distinct dedup ids, and the next drain re-drives each under the same key.
    const copy = copyKey(planned);
    return {
      event: item.event,
      body: item.body,
      copy,
      // A parked event re-planned whole has no park delivery left (drain refuses a parked route),
      // so every missing copy is a split or fanout copy. The engine's outcome names the failure's
      // message only.
      metadata: keptCopyMetadata(base, {
        target: planned.target.arn,
        copy,
        route: planned.route.psarn,
        error: `${ErrorCode.TARGET_FAILED}: ${error}`,
        reason: KeptReason.targetFailed,
      }),
    };
  });
  if (options.groupId !== undefined) {
    for (const message of messages) {
      const fields = fifoFields(options.queue, message);
      if (fields instanceof Error) return { ok: false, error: fields.message };
      if (fields.MessageGroupId !== options.groupId) {
        return {
          ok: false,
          error: `a kept copy would join FIFO group ${fields.MessageGroupId}, not the original's ${options.groupId}`,
        };
      }
    }
  }
  let results: readonly SendOutcome[];
  try {
    results = await options.forwarders('sqs').send(options.queue, messages, { sync: false });
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  const written = results.filter((r) => r.ok).length;
  const failed = results.find((r) => !r.ok);
  if (failed !== undefined && !failed.ok) {
    // SQS has no all-or-nothing send: copies already written stay, and so does the original, so
    // the next drain may send those copies' targets the event twice. Said, not hidden.
    const landed = written === 0 ? '' : ` (${written} of ${messages.length} copies were written)`;
    return { ok: false, error: `${failed.error.message}${landed}` };
  }
  return { ok: true, copies: messages.length };
}

/** The planned copies the engine reported unsecured, matched by target in plan order. */
function failedDeliveries(
  deliveries: readonly PlannedDelivery[],
  unsecured: DeliveryOutcome['unsecured'],
): { planned: PlannedDelivery; error: string }[] {
  const pending = [...unsecured];
  const out: { planned: PlannedDelivery; error: string }[] = [];
  for (const planned of deliveries) {
    const at = pending.findIndex((u) => u.target === planned.target.arn);
    if (at < 0) continue;
    const [failure] = pending.splice(at, 1);
    out.push({ planned, error: failure?.error ?? 'unknown' });
  }
  return out;
}
