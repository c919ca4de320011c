import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { PsarnError, ErrorCode } from '../errors';
import type { Route, TargetRef } from '../routes/model';
import type { DeliveryPlan, Planner, Random, RouteLookup } from '../routing/plan';
import { readKept, SkipReason, type CopyFilter, type KeptEvent } from './drain-message';
import { keepMissingCopies } from './drain-narrow';
import { drainPacing, pace } from './drain-rate';
import { HeldMessages, type Scheduler } from './drain-visibility';
import type { DeliveryEngine, DeliveryItem, ForwarderLookup } from './engine';
import { Meta } from './metadata';
import { routeForCaller } from '../contracts/caller-variants';
import { callerIdentity, CALLER_HEADER } from '../router/caller';

export { SkipReason, type CopyFilter } from './drain-message';

export interface DrainOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  /**
   * The drained queue as a target: where the missing copies of a partly delivered message are
   * written back (a FIFO holding queue's `groupBy` comes from its route's `park.groupBy`).
   */
  readonly queue: TargetRef;
  /** FIFO queue: messages are re-driven one by one, and the drain stops at the first failure. */
  readonly fifo: boolean;
  /** The live route the events are re-driven through. */
  readonly route: Route;
  readonly routeVersion: number;
  readonly lookup: RouteLookup;
  /** Must not park or dead-letter failures: a failed message simply stays in its queue. */
  readonly engine: DeliveryEngine;
  /** The forwarders the engine uses; the SQS one writes kept copies back to the queue. */
  readonly forwarders: ForwarderLookup;
  readonly plan: Planner;
  readonly random?: Random;
  /** Only messages whose `psarn` attribute is this psARN (the router DLQ holds every route's). */
  readonly onlyPsarn?: string;
  /**
   * Only kept copies bound for one target and parked for one of some reasons (auto-drain takes
   * what an open circuit parked for a target that recovered); every other message is skipped.
   */
  readonly onlyCopies?: CopyFilter;
  /** At most this many messages per second. */
  readonly ratePerSecond?: number;
  /** Receive and plan, but deliver and delete nothing. */
  readonly dryRun?: boolean;
  /** Stop after this many messages (default: the queue's depth when the drain starts). */
  readonly limit?: number;
  readonly onProgress?: (progress: DrainProgress) => void;
  /**
   * Epoch ms (the `now` clock) after which no further batch is received: a time budget for a
   * drain inside a Lambda (auto-drain). What it holds is still delivered or released.
   */
  readonly stopAt?: number;
  /** Milliseconds clock and sleep, injected for tests of the rate limit. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Runs the visibility heartbeat (default setInterval); injected with the clock in tests. */
  readonly every?: Scheduler;
  /**
   * How long the drain keeps asking when the queue still holds messages it cannot receive (in
   * flight elsewhere, behind another route's message in a FIFO group) before it gives up and
   * says so. Default 5000 ms.
   */
  readonly settleMs?: number;
}

export interface DrainProgress {
  /** Messages in the queue when the drain started (the progress bar's 100 %). */
  readonly total: number;
  /** Messages re-driven (delivered or failed). */
  readonly done: number;
  readonly delivered: number;
  /** Messages some copy of which failed: they, or just their missing copies, stay in the queue. */
  readonly failed: number;
  readonly skipped: number;
  /** Why messages were skipped, per reason (another route's, not JSON, …). */
  readonly skippedBy: Readonly<Partial<Record<SkipReason, number>>>;
  /**
   * Failed messages that reached some targets: one kept copy per missing copy was written back
   * to the queue (`keptCopies` in all) and the original deleted, so the targets that had it never
   * get it again.
   */
  readonly partlyDelivered: number;
  readonly keptCopies: number;
  /** Partly delivered, but the kept copies could not be written: the original stays whole. */
  readonly notNarrowed: number;
  /** Delivered, but the delete failed: the message will come back (FIFO targets dedupe it). */
  readonly notDeleted: number;
  readonly elapsedMs: number;
}

export interface DrainSummary extends DrainProgress {
  /** Why the drain stopped before `total`, if it did (a FIFO failure, messages out of reach). */
  readonly stoppedBecause?: string;
  /** The first reason kept copies could not be written, when `notNarrowed` > 0. */
  readonly notNarrowedBecause?: string;
  /** Dry run: where each message would go. */
  readonly wouldSend?: readonly { readonly traceId: string; readonly targets: readonly string[] }[];
}

/** A message of this route, ready to re-drive. */
interface Mine {
  readonly message: Message;
  readonly kept: KeptEvent;
  readonly item: DeliveryItem;
}

/**
 * Re-drives a holding queue (or the router DLQ) through the route that is live now. A message is
 * deleted only after every copy it needs was delivered, or after the copies still missing were
 * written back as kept copies of their own; a copy that failed once because only its own target
 * failed goes back to that target alone (never to targets that already had it).
 *
 * Messages the drain holds (being delivered, skipped in a standard queue, failed) are kept
 * invisible by a heartbeat and released at the end; skipped FIFO messages are released at once,
 * so their group is not blocked for anyone. The drain ends when it has seen `total` messages or
 * the queue has nothing left it does not hold; if messages stay out of its reach, it stops and
 * says why (`stoppedBecause`).
 *
 * @example
 * const summary = await drainQueue({ sqs, queueUrl, queue, fifo: false, route, routeVersion, lookup, engine, forwarders, plan: planDelivery });
 */
export async function drainQueue(options: DrainOptions): Promise<DrainSummary> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const settleMs = options.settleMs ?? 5000;
  // A dry run refuses as the real drain would, saying so, instead of planning into the park queue.
  if (options.route.park?.enabled === true) throw stillParked(options.route, options.dryRun === true);
  const started = now();
  // In-flight messages count too: a crashed drain's, or one another consumer holds, come back
  // once their timeout lapses, and a drain that never saw them must not report the queue done.
  const depth = await queueDepth(options.sqs, options.queueUrl);
  const total = options.limit === undefined ? depth : Math.min(options.limit, depth);
  // --limit counts messages re-driven; skipped ones count only towards the depth seen.
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const pacing = drainPacing(options.ratePerSecond);
  const held = new HeldMessages(options.sqs, options.queueUrl, pacing.visibilitySeconds, options.every);
  let done = 0;
  let delivered = 0;
  let failed = 0;
  let partlyDelivered = 0;
  let keptCopies = 0;
  let keptCopiesSeen = 0;
  let notNarrowed = 0;
  let notNarrowedBecause: string | undefined;
  let notDeleted = 0;
  let stoppedBecause: string | undefined;
  const skippedBy: Partial<Record<SkipReason, number>> = {};
  const skippedIds = new Set<string>();
  const wouldSend: { traceId: string; targets: string[] }[] = [];
  const seen = new Set<string>();
  // Kept copies this drain wrote: they wait for the next drain (their target just failed).
  const written = new Set<string>();
  const progress = (): DrainProgress => ({
    total,
    done,
    delivered,
    failed,
    skipped: skippedIds.size,
    skippedBy: { ...skippedBy },
    partlyDelivered,
    keptCopies,
    notNarrowed,
    notDeleted,
    elapsedMs: now() - started,
  });
  let lastNews = now();

  held.start(pacing.heartbeatMs);
  try {
    while (done < limit && done + skippedIds.size < depth && stoppedBecause === undefined) {
      // Wait before receiving, not after: a message is held no longer than it takes to send it.
      if (!options.fifo) await pace(options.ratePerSecond, done, started, now, sleep);
      if (options.stopAt !== undefined && now() >= options.stopAt) {
        stoppedBecause = `the time budget ran out after ${done} message(s): the rest wait for the next drain`;
        break;
      }
      const received = await options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: Math.max(
            1,
            Math.min(pacing.batch, limit - done, depth - done - skippedIds.size),
          ),
          WaitTimeSeconds: 1,
          VisibilityTimeout: pacing.visibilitySeconds,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['MessageGroupId'],
        }),
      );
      const fresh: Message[] = [];
      const again: Message[] = [];
      for (const m of received.Messages ?? []) {
        const id = m.MessageId ?? '';
        if (!seen.has(id)) {
          seen.add(id);
          fresh.push(m);
        } else if (held.has(m)) held.refresh(m);
        else again.push(m);
      }
      // Seen before and not held: a skipped FIFO message back at the head of its group. Let it go
      // at once again, so the rest of the queue keeps moving.
      await held.release(again);

      if (fresh.length === 0) {
        // Nothing new. Done if the queue holds nothing but what this drain holds, skipped or
        // wrote; otherwise keep asking a while (messages in flight elsewhere come back), then stop
        // and say so rather than report a finished drain.
        const unseenKept = keptCopies - keptCopiesSeen;
        const skippedVisible = options.fifo ? skippedIds.size : 0;
        const outOfReach =
          (await queueDepth(options.sqs, options.queueUrl)) -
          held.size -
          skippedVisible -
          notDeleted -
          unseenKept;
        if (outOfReach <= 0) break;
        if (now() - lastNews >= settleMs) {
          stoppedBecause =
            options.dryRun === true && options.fifo
              ? `${outOfReach} message(s) wait behind the ones this dry run holds in their FIFO groups: ` +
                `a dry run sees only what SQS hands out before those are deleted`
              : `${outOfReach} message(s) in the queue did not reach this drain within ${Math.round(settleMs / 1000)} s ` +
                `(received by another consumer, or behind another route's message in a FIFO group): ` +
                `drain that route, or drain again`;
          break;
        }
        if ((received.Messages ?? []).length > 0) await sleep(250);
        continue;
      }
      lastNews = now();

      const mine: Mine[] = [];
      for (const message of fresh) {
        if (isWrittenByUs(message, written)) {
          keptCopiesSeen++;
          held.hold([message]);
          continue;
        }
        const kept = readKept(message, {
          psarn: options.route.psarn,
          ...(options.onlyPsarn === undefined ? {} : { onlyPsarn: options.onlyPsarn }),
          ...(options.onlyCopies === undefined ? {} : { onlyCopies: options.onlyCopies }),
        });
        const reason = typeof kept === 'string' ? kept : undefined;
        const item = reason === undefined ? toItem(kept as KeptEvent, options, random) : undefined;
        if (item === undefined) {
          const why = reason ?? SkipReason.nothingToSend;
          skippedBy[why] = (skippedBy[why] ?? 0) + 1;
          skippedIds.add(message.MessageId ?? '');
          // A skipped FIFO message would block its whole group while held: release it now. In a
          // standard queue it stays held, so later receives reach the rest of the queue.
          if (options.fifo) await held.release([message]);
          else held.hold([message]);
          continue;
        }
        held.hold([message]);
        mine.push({ message, kept: kept as KeptEvent, item });
      }

      if (options.dryRun === true) {
        for (const { item } of mine) {
          wouldSend.push({
            traceId: item.event.traceId,
            targets: item.plan.deliveries.map((d) => d.target.arn),
          });
        }
        done += mine.length;
      } else {
        // FIFO: one at a time, in order; a standard queue goes out as one batch per target.
        const groups = options.fifo ? mine.map((m) => [m]) : [mine];
        for (const group of groups) {
          if (stoppedBecause !== undefined || group.length === 0) continue;
          if (options.fifo) await pace(options.ratePerSecond, done, started, now, sleep);
          const outcomes = await options.engine.deliver(group.map((g) => g.item));
          const gone: Message[] = [];
          for (const [i, outcome] of outcomes.entries()) {
            const entry = group[i] as Mine;
            done++;
            if (outcome.secured) {
              delivered++;
              gone.push(entry.message);
              continue;
            }
            failed++;
            if (outcome.report.deliveries.length > 0) {
              // Some targets have it now: only the missing copies may stay in the queue.
              const result = await keepMissingCopies(entry.item, outcome, {
                forwarders: options.forwarders,
                queue: options.queue,
                ...groupOf(entry.message),
                carried: entry.kept.carried,
              });
              if (result.ok) {
                partlyDelivered++;
                keptCopies += result.copies;
                for (const u of outcome.unsecured)
                  written.add(writtenKey(entry.item.event.eventId, u.target));
                gone.push(entry.message);
              } else {
                notNarrowed++;
                notNarrowedBecause ??= result.error;
              }
            }
            if (options.fifo)
              stoppedBecause = `a message failed (${outcome.unsecured[0]?.error ?? 'unknown'}); stopped to keep the FIFO order`;
          }
          const refused = await deleteMessages(
            options.sqs,
            options.queueUrl,
            gone.map((m) => held.current(m)),
          );
          notDeleted += refused;
          held.forget(gone);
        }
      }
      options.onProgress?.(progress());
    }
  } finally {
    await held.releaseAll();
  }

  return {
    ...progress(),
    ...(stoppedBecause === undefined ? {} : { stoppedBecause }),
    ...(notNarrowedBecause === undefined ? {} : { notNarrowedBecause }),
    ...(options.dryRun === true ? { wouldSend } : {}),
  };
}

/** A FIFO message's group, which the kept copies replacing it must join. */
function groupOf(message: Message): { groupId?: string } {
  const groupId = message.Attributes?.MessageGroupId;
  return groupId === undefined ? {} : { groupId };
}

function writtenKey(eventId: string, target: string): string {
  return `${eventId}\n${target}`;
}

function isWrittenByUs(message: Message, written: ReadonlySet<string>): boolean {
  if (written.size === 0) return false;
  const attr = (name: string) => message.MessageAttributes?.[name]?.StringValue;
  // By the event's own id: many distinct events share a trace id.
  const id = attr(Meta.eventId) ?? attr(Meta.traceId);
  const target = attr(Meta.target);
  return id !== undefined && target !== undefined && written.has(writtenKey(id, target));
}

/** The event a kept message holds, planned on the live route; undefined when nothing is to send. */
function toItem(kept: KeptEvent, options: DrainOptions, random: Random): DeliveryItem | undefined {
  // A copy that failed inside an aliased route goes back through that route, not the alias's.
  const route =
    kept.owner !== undefined && kept.owner !== options.route.psarn
      ? (options.lookup(kept.owner) ?? options.route)
      : options.route;
  // The caller's override as on the first attempt (its `psarn-caller` header travels with the
  // copy), so the re-drawn split is the one the event first took.
  const caller = callerIdentity(kept.event.headers[CALLER_HEADER], undefined);
  const seen = caller instanceof PsarnError ? route : routeForCaller(route, caller);
  const full = options.plan(seen, kept.event, random, options.lookup);
  if (full.deliveries.some((d) => d.role === 'park')) throw stillParked(route, options.dryRun === true);
  const plan = kept.whole ? full : onlyWhatFailed(full, kept.role, kept.target, route.psarn);
  if (plan.deliveries.length === 0) return undefined;
  return {
    event: kept.event,
    plan,
    body: kept.body,
    routeVersion: options.routeVersion,
    passthrough: false,
    // Every drained event reads the ledger (drain is not the hot path): a message left whole or
    // not deleted by an earlier drain is sent only where it is still missing.
    retry: true,
    ...(kept.retry === true ? {} : { redrive: true }),
    ...(!kept.whole && kept.copy !== undefined && plan.deliveries.length === 1 ? { copy: kept.copy } : {}),
  };
}

function stillParked(route: Route, dryRun: boolean): PsarnError {
  return new PsarnError(
    ErrorCode.NOT_PARKABLE,
    `${dryRun ? 'dry run: the drain would refuse: ' : ''}` +
      `${route.psarn} is still parked: unpark it first (psarn unpark), or the drain would park its events again` +
      `${dryRun ? '; nothing was sent or deleted' : ''}`,
    { psarn: route.psarn },
  );
}

/**
 * A copy kept because its own target failed (or ran out of time) goes back only where it is still
 * missing: the live split (a split copy) or that same fanout target (a fanout copy).
 */
function onlyWhatFailed(
  plan: DeliveryPlan,
  role: string | undefined,
  target: string | undefined,
  owner: string,
): DeliveryPlan {
  const keep = (d: DeliveryPlan['deliveries'][number]) =>
    d.route.psarn === owner &&
    (role === 'split' ? d.role === 'split' : d.role === 'fanout' && d.target.arn === target);
  return { ...plan, deliveries: plan.deliveries.filter(keep) };
}

/** Messages in the queue, visible or in flight: a receive alone cannot tell an empty queue. */
async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(out.Attributes?.ApproximateNumberOfMessages ?? '0') +
    Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? '0')
  );
}

/** Deletes delivered messages; returns how many the queue refused to delete. */
async function deleteMessages(
  sqs: SQSClient,
  queueUrl: string,
  messages: readonly Message[],
): Promise<number> {
  let failed = 0;
  for (let i = 0; i < messages.length; i += 10) {
    const chunk = messages.slice(i, i + 10);
    const out = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
    failed += out.Failed?.length ?? 0;
  }
  return failed;
}
