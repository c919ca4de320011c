import { describeError, describeFailure, errorKind, type FailureReason } from '../errors';
import type { TargetKind } from '../psarn/target-arn';
import type { TargetRef } from '../routes/model';
import type { DeliveryPlan, PlannedDelivery, RoutedEvent } from '../routing/plan';
import { parkTarget } from '../routing/compiled-route';
import { sanitizeAttribute } from '../targets/attributes';
import type { Forwarder, OutgoingMessage, SendOutcome } from '../targets/forwarder';
import { TargetUnhealthyError } from '../health/health-errors';
import { copyKey } from './copy-key';
import { ledgerKeyOf, type DeliveryLedger, type LedgerEntry, type LedgerRecord } from './ledger';
import { eventMetadata, keptCopyMetadata, MAX_ERROR_ATTRIBUTE_BYTES, Meta } from './metadata';
import type { DeliveryOutcome, DeliveryResult } from './report';

/** Finds the forwarder of a target kind (the registry in src/targets/). */
export type ForwarderLookup = (kind: TargetKind) => Forwarder;

/** Values of `psarn-park-reason`; drain sends every reason but these two back to its own target only. */
export const KeptReason = {
  routeParked: 'route-parked',
  targetFailed: 'target-failed',
  deadline: 'deadline',
  rejected: 'rejected',
  /** A payload that broke its route's `schema:` with `onInvalid: park`: drain re-plans it whole. */
  payloadInvalid: 'payload-invalid',
  /** Held back unsent by an open circuit: auto-drain (src/health/auto-drain.ts) takes it back. */
  circuitOpen: 'circuit-open',
  /** Held back unsent from a target marked unhealthy: auto-drain takes it back too. */
  unhealthy: 'unhealthy',
} as const;

export interface DeliveryEngineOptions {
  readonly forwarders: ForwarderLookup;
  /** ARN of the router's dead-letter queue: the last place an event can be kept. */
  readonly deadLetterQueue?: string;
  /**
   * Park or dead-letter failed copies (default true). `psarn drain` turns it off: a message it
   * re-drives stays in its queue until delivered, rather than being parked once more.
   */
  readonly secureFailures?: boolean;
  /** Where a failing invocation remembers the copies it secured, for its retry (see ledger.ts). */
  readonly ledger?: DeliveryLedger;
  /** Milliseconds clock, injected for tests of the deadline. */
  readonly now?: () => number;
}

export interface DeliverOptions {
  /**
   * Epoch ms by which the invocation must have answered (from Lambda's remaining time). Copies
   * get until a reserve before it; what has not finished then is parked or dead-lettered with
   * reason `deadline` in the reserve.
   */
  readonly deadline?: number;
}

/** One event with its plan, ready to go out. */
export interface DeliveryItem {
  readonly event: RoutedEvent;
  readonly plan: DeliveryPlan;
  /** The payload serialised once (the router already measured it against target limits). */
  readonly body: string;
  readonly routeVersion: number;
  /** A synchronous producer call: a single Lambda target's response is handed back unchanged. */
  readonly passthrough: boolean;
  /**
   * This may be a retry of an event an earlier attempt failed on (SQS receive count > 1, a request
   * id seen before): the ledger is read and only the copies still missing are sent.
   */
  readonly retry?: boolean;
  /**
   * A kept copy re-driven by drain: the ledger's `parked` and `dead-lettered` entries name this very
   * message (or its siblings), so only copies it records as delivered are skipped.
   */
  readonly redrive?: boolean;
  /**
   * The copy key of a kept copy being re-driven (its `psarn-role`): the re-planned delivery keeps
   * the key of the first attempt, whose alias path drain cannot see.
   */
  readonly copy?: string;
  /**
   * Set when the plan's park copy keeps an event the router would not send on (a payload that
   * broke its route's schema, `onInvalid: park`): the reason and error the kept copy carries, and
   * the status the report gives it (`dead-lettered` when it goes to the DLQ for lack of a park queue).
   */
  readonly kept?: {
    readonly reason: string;
    readonly status: 'parked' | 'dead-lettered';
    readonly error: { readonly code: string; readonly message: string; readonly reason: FailureReason };
  };
}

/** One copy on its way: which item it belongs to and what became of it. */
interface Job {
  readonly item: number;
  readonly planned: PlannedDelivery;
  readonly copy: string;
  readonly message: OutgoingMessage;
  outcome?: SendOutcome;
  result?: DeliveryResult;
}

interface Send {
  readonly target: TargetRef;
  readonly message: OutgoingMessage;
  /** A holding queue or the DLQ keeping this copy: no breaker may refuse it (SendOptions.keeping). */
  readonly keeping?: boolean;
}

/** Part of the time left that primary sends may use; the rest is kept for parking and the DLQ. */
const SECURE_SHARE = 0.25;
const MIN_SECURE_RESERVE_MS = 300;
const MAX_SECURE_RESERVE_MS = 3000;

/**
 * Runs delivery plans through the forwarders and keeps the nothing-lost promise: every copy ends
 * delivered, parked in its route's holding queue, or dead-lettered with the error; a copy that
 * cannot even be dead-lettered marks its event unsecured so the caller fails and AWS retries —
 * and the copies it did secure are remembered in the ledger, so the retry sends only the rest.
 *
 * Copies bound for the same target across all items go out together, so a batch of SQS ingress
 * events becomes SendMessageBatch / PublishBatch / PutEvents calls of 10. A failed copy is never
 * re-sent to targets that already took it: only that copy moves on to park or the DLQ. With a
 * deadline, copies that cannot finish in time are parked or dead-lettered (reason `deadline`)
 * before Lambda would end the invocation.
 *
 * @example
 * const engine = new DeliveryEngine({ forwarders: registry.forwarderFor, deadLetterQueue: dlqArn });
 * const [outcome] = await engine.deliver([{ event, plan, body, routeVersion: 7, passthrough: false }]);
 */
export class DeliveryEngine {
  private readonly now: () => number;

  constructor(private readonly options: DeliveryEngineOptions) {
    this.now = options.now ?? Date.now;
  }

  async deliver(items: readonly DeliveryItem[], options: DeliverOptions = {}): Promise<DeliveryOutcome[]> {
    const deadline = options.deadline;
    const recalled = await this.recall(items, deadline);
    const jobs: Job[] = [];
    items.forEach((item, index) => {
      const body = item.body;
      const metadata = eventMetadata(item.event, item.routeVersion);
      const earlier = item.retry === true ? recalled.get(ledgerKeyOf(item.event)) : undefined;
      for (const planned of item.plan.deliveries) {
        const parkedByRoute = planned.role === 'park';
        const copy = item.copy ?? copyKey(planned);
        const job: Job = {
          item: index,
          planned,
          copy,
          message: {
            event: item.event,
            body,
            copy,
            metadata: parkedByRoute
              ? {
                  ...metadata,
                  [Meta.reason]: item.kept?.reason ?? KeptReason.routeParked,
                  [Meta.route]: planned.route.psarn,
                  ...(item.kept === undefined
                    ? {}
                    : {
                        [Meta.error]: sanitizeAttribute(
                          `${item.kept.error.code}: ${item.kept.error.message}`,
                          MAX_ERROR_ATTRIBUTE_BYTES,
                        ),
                      }),
                }
              : metadata,
          },
        };
        const before = earlier?.get(copy);
        // An earlier attempt of this event already secured this copy: never send it twice. A drain
        // re-driving a kept copy skips only what was delivered: the kept copy is what it re-drives.
        if (before !== undefined && (before.status === 'delivered' || item.redrive !== true))
          job.result = { target: before.target, role: planned.role, status: before.status };
        jobs.push(job);
      }
    });

    const sendDeadline = deadline === undefined ? undefined : deadline - this.secureReserve(deadline);
    const pending = jobs.filter((job) => job.result === undefined && job.planned.unhealthy === undefined);
    const outcomes = await this.sendAll(
      pending.map((job) => ({
        target: job.planned.target,
        message: job.message,
        ...(job.planned.role === 'park' ? { keeping: true } : {}),
      })),
      sendDeadline,
    );
    const failed: Job[] = [];
    // Copies the planner marked unhealthy are never sent: they are kept (parked, else the DLQ)
    // with reason `unhealthy`, exactly like a copy whose target failed.
    for (const job of jobs) {
      const mark = job.planned.unhealthy;
      if (job.result !== undefined || mark === undefined) continue;
      job.outcome = {
        ok: false,
        error: new TargetUnhealthyError(job.planned.target.arn, mark.status, mark.reason),
      };
      failed.push(job);
    }
    pending.forEach((job, i) => {
      const outcome = outcomes[i] as SendOutcome;
      job.outcome = outcome;
      if (outcome.ok) {
        const kept = job.planned.role === 'park' ? items[job.item]?.kept : undefined;
        job.result = {
          target: job.planned.target.arn,
          role: job.planned.role,
          status: job.planned.role === 'park' ? (kept?.status ?? 'parked') : 'delivered',
          ...(kept === undefined ? {} : { error: kept.error }),
        };
      } else {
        failed.push(job);
      }
    });

    const unsecured =
      this.options.secureFailures === false
        ? new Map(failed.map((job) => [job, errorOf(job).message] as const))
        : await this.secure(failed, deadline);
    // One pass buckets the jobs per item, rather than a filter per item over all jobs.
    const byItem: Job[][] = items.map(() => []);
    for (const job of jobs) (byItem[job.item] as Job[]).push(job);
    const results = items.map((item, index) => this.outcomeOf(item, byItem[index] as Job[], unsecured));
    await this.rememberUnsecured(items, byItem, results, deadline);
    return results;
  }

  /**
   * Dead-letters events the router rejected after taking them off a queue (an SQS ingress record
   * with an unknown psARN or a malformed envelope): retrying them cannot help, dropping them would
   * lose them. Returns, per event, whether the DLQ took it.
   */
  async deadLetter(
    rejected: readonly { event: RoutedEvent; body: string; error: unknown }[],
    options: DeliverOptions = {},
  ): Promise<boolean[]> {
    const dlq = this.options.deadLetterQueue;
    if (dlq === undefined) return rejected.map(() => false);
    const outcomes = await this.sendAll(
      rejected.map(({ event, body, error }) => {
        const { code, message } = describeError(error);
        return {
          target: { arn: dlq, kind: 'sqs' } as const,
          keeping: true,
          message: {
            event,
            body,
            metadata: {
              ...eventMetadata(event, 0),
              [Meta.error]: sanitizeAttribute(`${code}: ${message}`, MAX_ERROR_ATTRIBUTE_BYTES),
              [Meta.reason]: KeptReason.rejected,
            },
          },
        };
      }),
      options.deadline,
    );
    return outcomes.map((outcome) => outcome.ok);
  }

  /** Time kept back from the primary sends for parking and dead-lettering what failed. */
  private secureReserve(deadline: number): number {
    const left = deadline - this.now();
    return Math.min(MAX_SECURE_RESERVE_MS, Math.max(MIN_SECURE_RESERVE_MS, left * SECURE_SHARE));
  }

  /** What earlier attempts of the retried items secured: one ledger read, only for retries. */
  private async recall(
    items: readonly DeliveryItem[],
    deadline: number | undefined,
  ): Promise<ReadonlyMap<string, LedgerRecord>> {
    const ledger = this.options.ledger;
    if (ledger === undefined) return EMPTY;
    let keys: string[] | undefined;
    for (const item of items) if (item.retry === true) (keys ??= []).push(ledgerKeyOf(item.event));
    if (keys === undefined) return EMPTY;
    try {
      // At most a third of the time left: the copies themselves need the rest.
      return await ledger.recall(keys, this.signalFor(deadline, 1 / 3));
    } catch {
      // Unreadable ledger: send everything again (at least once) rather than lose a copy.
      return EMPTY;
    }
  }

  /** The copies a failing event did secure, kept for its retry (earlier attempts' included). */
  private async rememberUnsecured(
    items: readonly DeliveryItem[],
    byItem: readonly Job[][],
    results: readonly DeliveryOutcome[],
    deadline: number | undefined,
  ): Promise<void> {
    const ledger = this.options.ledger;
    if (ledger === undefined) return;
    const writes: Promise<void>[] = [];
    results.forEach((result, index) => {
      if (result.secured) return;
      const record = new Map<string, LedgerEntry>();
      for (const job of byItem[index] as Job[]) {
        if (job.result !== undefined)
          record.set(job.copy, { target: job.result.target, status: job.result.status });
      }
      if (record.size === 0) return;
      const key = ledgerKeyOf((items[index] as DeliveryItem).event);
      // A failed or late write only costs duplicates on the retry (at least once), never a lost
      // copy; it never holds the invocation past its deadline.
      writes.push(ledger.remember(key, record, this.signalFor(deadline, 1)).catch(() => undefined));
    });
    await Promise.all(writes);
  }

  /** An abort signal at `share` of the time left before the deadline (none without a deadline). */
  private signalFor(deadline: number | undefined, share: number): AbortSignal | undefined {
    if (deadline === undefined) return undefined;
    return AbortSignal.timeout(Math.max(1, Math.floor((deadline - this.now()) * share)));
  }

  /** Moves failed copies to the park queue (onFailure: park) or the DLQ; returns those kept nowhere. */
  private async secure(failed: readonly Job[], deadline: number | undefined): Promise<Map<Job, string>> {
    const unsecured = new Map<Job, string>();
    if (failed.length === 0) return unsecured;

    const toPark = failed.filter((job) => parkQueueFor(job) !== undefined);
    // Half the time left for the holding queue: a hung one must leave the DLQ time to take the copy.
    const parkDeadline = deadline === undefined ? undefined : this.now() + (deadline - this.now()) / 2;
    const parkOutcomes = await this.sendAll(
      toPark.map((job) => ({
        target: parkQueueFor(job) as TargetRef,
        message: fallbackMessage(job),
        keeping: true,
      })),
      parkDeadline,
    );
    const toDeadLetter = failed.filter((job) => parkQueueFor(job) === undefined);
    toPark.forEach((job, i) => {
      const outcome = parkOutcomes[i] as SendOutcome;
      if (outcome.ok) job.result = { ...failedResult(job), status: 'parked' };
      else toDeadLetter.push(job);
    });

    const dlq = this.options.deadLetterQueue;
    if (dlq === undefined) {
      for (const job of toDeadLetter) unsecured.set(job, 'no dead-letter queue is configured');
      return unsecured;
    }
    const dlqOutcomes = await this.sendAll(
      toDeadLetter.map((job) => ({
        target: { arn: dlq, kind: 'sqs' },
        message: fallbackMessage(job),
        keeping: true,
      })),
      deadline,
    );
    toDeadLetter.forEach((job, i) => {
      const outcome = dlqOutcomes[i] as SendOutcome;
      if (outcome.ok) job.result = { ...failedResult(job), status: 'dead-lettered' };
      else unsecured.set(job, outcome.error.message);
    });
    return unsecured;
  }

  /** Sends every copy, grouped by target so each forwarder can batch; outcomes in input order. */
  private async sendAll(sends: readonly Send[], deadline: number | undefined): Promise<SendOutcome[]> {
    const groups = new Map<string, { target: TargetRef; indexes: number[]; keeping: boolean }>();
    sends.forEach((send, index) => {
      // Two routes may name the same ARN with different settings (EventBridge detail type and
      // source, FIFO groupBy): only copies with identical settings share a call.
      const { arn, detailType, source, groupBy } = send.target;
      const plain =
        detailType === undefined && source === undefined && groupBy === undefined
          ? arn
          : `${arn}\n${detailType}\n${source}\n${groupBy}`;
      const key = send.keeping === true ? `${plain}\nkeeping` : plain;
      const group = groups.get(key);
      if (group === undefined)
        groups.set(key, { target: send.target, indexes: [index], keeping: send.keeping === true });
      else group.indexes.push(index);
    });
    const outcomes = new Array<SendOutcome>(sends.length);
    // Lambda targets are invoked RequestResponse: the router must see a function's error to park
    // or dead-letter the event instead of losing it to an unobserved async failure.
    const sendOptions = deadline === undefined ? { sync: true } : { sync: true, deadline };
    await Promise.all(
      [...groups.values()].map(async ({ target, indexes, keeping }) => {
        const messages = indexes.map((i) => (sends[i] as Send).message);
        let results: SendOutcome[];
        try {
          results = await this.options
            .forwarders(target.kind)
            .send(target, messages, keeping ? { ...sendOptions, keeping } : sendOptions);
        } catch (err) {
          // A forwarder must not throw; if one does, each copy fails rather than the whole batch.
          const error = err instanceof Error ? err : new Error(String(err));
          results = messages.map(() => ({ ok: false, error }));
        }
        indexes.forEach((sendIndex, i) => {
          outcomes[sendIndex] = results[i] ?? {
            ok: false,
            error: new Error('forwarder returned no outcome'),
          };
        });
      }),
    );
    return outcomes;
  }

  private outcomeOf(item: DeliveryItem, mine: readonly Job[], unsecured: Map<Job, string>): DeliveryOutcome {
    const lost: { target: string; error: string }[] = [];
    const deliveries: DeliveryResult[] = [];
    for (const job of mine) {
      const reason = unsecured.get(job);
      if (reason !== undefined) lost.push({ target: job.planned.target.arn, error: reason });
      if (job.result !== undefined) deliveries.push(job.result);
    }
    const only = mine.length === 1 ? mine[0] : undefined;
    const passthrough =
      item.passthrough &&
      only !== undefined &&
      only.planned.role === 'split' &&
      only.planned.target.kind === 'lambda' &&
      only.outcome?.ok === true;
    const report = {
      psarn: item.event.psarn,
      routeVersion: item.routeVersion,
      traceId: item.event.traceId,
      deliveries,
    };
    return {
      report,
      secured: lost.length === 0,
      unsecured: lost,
      ...(passthrough && only.outcome?.ok === true ? { response: only.outcome.response } : {}),
    };
  }
}

const EMPTY: ReadonlyMap<string, LedgerRecord> = new Map();

/**
 * Where a failed copy is parked, if its route parks failures and it was not already a park. A copy
 * held back unsent (target unhealthy, circuit open) is parked whenever the route has a queue,
 * whatever `onFailure` says: its target never failed it, and drain brings it back once healthy.
 */
function parkQueueFor(job: Job): TargetRef | undefined {
  const { planned } = job;
  if (planned.role === 'park' || planned.route.park === undefined) return undefined;
  if (planned.route.onFailure !== 'park' && !heldBack(job)) return undefined;
  return parkTarget(planned.route.park);
}

function heldBack(job: Job): boolean {
  const outcome = job.outcome;
  if (outcome === undefined || outcome.ok) return false;
  const reason = errorKind(outcome.error).reason;
  return reason === 'unhealthy' || reason === 'circuit-open';
}

function errorOf(job: Job): { code: string; message: string; reason: string } {
  const outcome = job.outcome;
  return outcome !== undefined && !outcome.ok
    ? describeFailure(outcome.error)
    : { code: 'UNKNOWN', message: 'unknown', reason: 'transient' };
}

function failedResult(job: Job): DeliveryResult {
  return {
    target: job.planned.target.arn,
    role: job.planned.role,
    status: 'dead-lettered',
    error: errorOf(job),
  };
}

/** The copy that goes to a park queue or the DLQ: the original body, plus what failed and why. */
function fallbackMessage(job: Job): OutgoingMessage {
  const error = errorOf(job);
  // A copy that failed on its way to a parked route's queue is still a parked event: drain
  // re-plans it whole. A copy whose own target failed (or ran out of time) goes back to that
  // target only.
  // A copy held back unsent (circuit open, target unhealthy) says so, so auto-drain can take back
  // exactly those once the target recovers; drain treats both like target-failed (that copy only).
  const failure = job.outcome !== undefined && !job.outcome.ok ? errorKind(job.outcome.error).reason : undefined;
  const reason =
    job.planned.role === 'park'
      ? (job.message.metadata[Meta.reason] ?? KeptReason.routeParked)
      : failure === 'deadline'
        ? KeptReason.deadline
        : failure === 'circuit-open'
          ? KeptReason.circuitOpen
          : failure === 'unhealthy'
            ? KeptReason.unhealthy
            : KeptReason.targetFailed;
  return {
    event: job.message.event,
    body: job.message.body,
    copy: job.copy,
    metadata: keptCopyMetadata(job.message.metadata, {
      target: job.planned.target.arn,
      copy: job.copy,
      route: job.planned.route.psarn,
      error: `${error.code}: ${error.message}`,
      reason,
    }),
  };
}
