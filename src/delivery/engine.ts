import { describeError } from '../errors';
import type { TargetKind } from '../psarn/target-arn';
import type { TargetRef } from '../routes/model';
import type { DeliveryPlan, PlannedDelivery, RoutedEvent } from '../routing/plan';
import { parkTarget } from '../routing/compiled-route';
import type { Forwarder, OutgoingMessage, SendOutcome } from '../targets/forwarder';
import { eventMetadata, Meta } from './metadata';
import type { DeliveryOutcome, DeliveryResult } from './report';

/** Finds the forwarder of a target kind (the registry in src/targets/). */
export type ForwarderLookup = (kind: TargetKind) => Forwarder;

export interface DeliveryEngineOptions {
  readonly forwarders: ForwarderLookup;
  /** ARN of the router's dead-letter queue: the last place an event can be kept. */
  readonly deadLetterQueue?: string;
  /**
   * Park or dead-letter failed copies (default true). `psarn drain` turns it off: a message it
   * re-drives stays in its queue until delivered, rather than being parked once more.
   */
  readonly secureFailures?: boolean;
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
}

/** One copy on its way: which item it belongs to and what became of it. */
interface Job {
  readonly item: number;
  readonly planned: PlannedDelivery;
  readonly message: OutgoingMessage;
  outcome?: SendOutcome;
  result?: DeliveryResult;
}

interface Send {
  readonly target: TargetRef;
  readonly message: OutgoingMessage;
}

/**
 * Runs delivery plans through the forwarders and keeps the nothing-lost promise: every copy ends
 * delivered, parked in its route's holding queue, or dead-lettered with the error; a copy that
 * cannot even be dead-lettered marks its event unsecured so the caller fails and AWS retries.
 *
 * Copies bound for the same target across all items go out together, so a batch of SQS ingress
 * events becomes SendMessageBatch / PublishBatch / PutEvents calls of 10. A failed copy is never
 * re-sent to targets that already took it: only that copy moves on to park or the DLQ.
 *
 * @example
 * const engine = new DeliveryEngine({ forwarders: registry.forwarderFor, deadLetterQueue: dlqArn });
 * const [outcome] = await engine.deliver([{ event, plan, routeVersion: 7, passthrough: false }]);
 */
export class DeliveryEngine {
  constructor(private readonly options: DeliveryEngineOptions) {}

  async deliver(items: readonly DeliveryItem[]): Promise<DeliveryOutcome[]> {
    const jobs: Job[] = [];
    items.forEach((item, index) => {
      const body = item.body;
      const metadata = eventMetadata(item.event, item.routeVersion);
      for (const planned of item.plan.deliveries) {
        const parkedByRoute = planned.role === 'park';
        jobs.push({
          item: index,
          planned,
          message: {
            event: item.event,
            body,
            metadata: parkedByRoute
              ? { ...metadata, [Meta.reason]: 'route-parked', [Meta.route]: planned.route.psarn }
              : metadata,
          },
        });
      }
    });

    const outcomes = await this.sendAll(
      jobs.map((job) => ({ target: job.planned.target, message: job.message })),
    );
    const failed: Job[] = [];
    jobs.forEach((job, i) => {
      const outcome = outcomes[i] as SendOutcome;
      job.outcome = outcome;
      if (outcome.ok) {
        job.result = {
          target: job.planned.target.arn,
          role: job.planned.role,
          status: job.planned.role === 'park' ? 'parked' : 'delivered',
        };
      } else {
        failed.push(job);
      }
    });

    const unsecured =
      this.options.secureFailures === false
        ? new Map(failed.map((job) => [job, errorOf(job).message] as const))
        : await this.secure(failed);
    // One pass buckets the jobs per item, rather than a filter per item over all jobs.
    const byItem: Job[][] = items.map(() => []);
    for (const job of jobs) (byItem[job.item] as Job[]).push(job);
    return items.map((item, index) => this.outcomeOf(item, byItem[index] as Job[], unsecured));
  }

  /**
   * Dead-letters events the router rejected after taking them off a queue (an SQS ingress record
   * with an unknown psARN or a malformed envelope): retrying them cannot help, dropping them would
   * lose them. Returns, per event, whether the DLQ took it.
   */
  async deadLetter(
    rejected: readonly { event: RoutedEvent; body: string; error: unknown }[],
  ): Promise<boolean[]> {
    const dlq = this.options.deadLetterQueue;
    if (dlq === undefined) return rejected.map(() => false);
    const outcomes = await this.sendAll(
      rejected.map(({ event, body, error }) => {
        const { code, message } = describeError(error);
        return {
          target: { arn: dlq, kind: 'sqs' } as const,
          message: {
            event,
            body,
            metadata: {
              ...eventMetadata(event, 0),
              [Meta.error]: `${code}: ${message}`.slice(0, 1024),
              [Meta.reason]: 'rejected',
            },
          },
        };
      }),
    );
    return outcomes.map((outcome) => outcome.ok);
  }

  /** Moves failed copies to the park queue (onFailure: park) or the DLQ; returns those kept nowhere. */
  private async secure(failed: readonly Job[]): Promise<Map<Job, string>> {
    const unsecured = new Map<Job, string>();
    if (failed.length === 0) return unsecured;

    const toPark = failed.filter((job) => parkQueueFor(job.planned) !== undefined);
    const parkOutcomes = await this.sendAll(
      toPark.map((job) => ({
        target: parkQueueFor(job.planned) as TargetRef,
        message: fallbackMessage(job),
      })),
    );
    const toDeadLetter = failed.filter((job) => parkQueueFor(job.planned) === undefined);
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
      toDeadLetter.map((job) => ({ target: { arn: dlq, kind: 'sqs' }, message: fallbackMessage(job) })),
    );
    toDeadLetter.forEach((job, i) => {
      const outcome = dlqOutcomes[i] as SendOutcome;
      if (outcome.ok) job.result = { ...failedResult(job), status: 'dead-lettered' };
      else unsecured.set(job, outcome.error.message);
    });
    return unsecured;
  }

  /** Sends every copy, grouped by target so each forwarder can batch; outcomes in input order. */
  private async sendAll(sends: readonly Send[]): Promise<SendOutcome[]> {
    const groups = new Map<string, { target: TargetRef; indexes: number[] }>();
    sends.forEach((send, index) => {
      // Two routes may name the same ARN with different settings (EventBridge detail type and
      // source, FIFO groupBy): only copies with identical settings share a call.
      const { arn, detailType, source, groupBy } = send.target;
      const key =
        detailType === undefined && source === undefined && groupBy === undefined
          ? arn
          : `${arn}\n${detailType}\n${source}\n${groupBy}`;
      const group = groups.get(key);
      if (group === undefined) groups.set(key, { target: send.target, indexes: [index] });
      else group.indexes.push(index);
    });
    const outcomes = new Array<SendOutcome>(sends.length);
    await Promise.all(
      [...groups.values()].map(async ({ target, indexes }) => {
        const messages = indexes.map((i) => (sends[i] as Send).message);
        let results: SendOutcome[];
        try {
          // Lambda targets are invoked RequestResponse: the router must see a function's error to
          // park or dead-letter the event instead of losing it to an unobserved async failure.
          results = await this.options.forwarders(target.kind).send(target, messages, { sync: true });
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

/** Where a failed copy is parked, if its route parks failures and it was not already a park. */
function parkQueueFor(planned: PlannedDelivery): TargetRef | undefined {
  if (planned.role === 'park' || planned.route.onFailure !== 'park' || planned.route.park === undefined)
    return undefined;
  return parkTarget(planned.route.park);
}

function errorOf(job: Job): { code: string; message: string } {
  const outcome = job.outcome;
  return outcome !== undefined && !outcome.ok
    ? describeError(outcome.error)
    : { code: 'UNKNOWN', message: 'unknown' };
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
  // re-plans it whole. A copy whose own target failed goes back to that target only.
  const reason = job.planned.role === 'park' ? 'route-parked' : 'target-failed';
  return {
    event: job.message.event,
    body: job.message.body,
    metadata: {
      ...job.message.metadata,
      [Meta.target]: job.planned.target.arn,
      [Meta.error]: `${error.code}: ${error.message}`.slice(0, 1024),
      [Meta.reason]: reason,
      [Meta.role]: job.planned.role,
      [Meta.route]: job.planned.route.psarn,
    },
  };
}
