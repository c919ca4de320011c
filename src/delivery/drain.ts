import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { PsarnError, ErrorCode } from '../errors';
import type { Route } from '../routes/model';
import type { DeliveryPlan, Planner, Random, RouteLookup, RoutedEvent } from '../routing/plan';
import type { DeliveryEngine, DeliveryItem } from './engine';
import { Meta } from './metadata';

export interface DrainOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  /** FIFO queue: messages are re-driven one by one, and the drain stops at the first failure. */
  readonly fifo: boolean;
  /** The live route the events are re-driven through. */
  readonly route: Route;
  readonly routeVersion: number;
  readonly lookup: RouteLookup;
  /** Must not park or dead-letter failures: a failed message simply stays in its queue. */
  readonly engine: DeliveryEngine;
  readonly plan: Planner;
  readonly random?: Random;
  /** Only messages whose `psarn` attribute is this psARN (the router DLQ holds every route's). */
  readonly onlyPsarn?: string;
  /** At most this many messages per second. */
  readonly ratePerSecond?: number;
  /** Receive and plan, but deliver and delete nothing. */
  readonly dryRun?: boolean;
  /** Stop after this many messages (default: the queue's depth when the drain starts). */
  readonly limit?: number;
  readonly onProgress?: (progress: DrainProgress) => void;
  /** Milliseconds clock and sleep, injected for tests of the rate limit. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface DrainProgress {
  /** Messages in the queue when the drain started (the progress bar's 100 %). */
  readonly total: number;
  readonly done: number;
  readonly delivered: number;
  readonly failed: number;
  readonly skipped: number;
  /** Delivered, but the delete failed: the message will come back (FIFO targets dedupe it). */
  readonly notDeleted: number;
  readonly elapsedMs: number;
}

export interface DrainSummary extends DrainProgress {
  /** Why the drain stopped early, if it did (a FIFO failure keeps the rest in order). */
  readonly stoppedBecause?: string;
  /** Dry run: where each message would go. */
  readonly wouldSend?: readonly { readonly traceId: string; readonly targets: readonly string[] }[];
}

/**
 * Re-drives a holding queue (or the router DLQ) through the route that is live now. A message is
 * deleted only after every copy it needs was delivered; a copy that failed once because only its
 * own target failed goes back to that target alone (never to targets that already had it).
 *
 * @example
 * const summary = await drainQueue({ sqs, queueUrl, fifo: false, route, routeVersion, lookup, engine, plan: planDelivery });
 */
export async function drainQueue(options: DrainOptions): Promise<DrainSummary> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  if (options.route.park?.enabled === true && options.dryRun !== true) throw stillParked(options.route);
  const started = now();
  const total = options.limit ?? (await queueDepth(options.sqs, options.queueUrl));
  let done = 0;
  let delivered = 0;
  let failed = 0;
  let skipped = 0;
  let notDeleted = 0;
  let stoppedBecause: string | undefined;
  const wouldSend: { traceId: string; targets: string[] }[] = [];
  const seen = new Set<string>();
  // Messages this drain leaves in the queue (another route's, or a dry run's) stay invisible until
  // the end, so later receives reach the rest of the queue; then they are released at once.
  const release: Message[] = [];
  const progress = (): DrainProgress => ({
    total,
    done,
    delivered,
    failed,
    skipped,
    notDeleted,
    elapsedMs: now() - started,
  });

  while (done < total && stoppedBecause === undefined) {
    const received = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: Math.min(10, total - done),
        WaitTimeSeconds: 1,
        VisibilityTimeout: 60,
        MessageAttributeNames: ['All'],
      }),
    );
    const messages = (received.Messages ?? []).filter((m) => !seen.has(m.MessageId ?? ''));
    if (messages.length === 0) break; // empty, or only messages this drain already handled
    for (const m of messages) seen.add(m.MessageId ?? '');

    const mine: { message: Message; item: DeliveryItem }[] = [];
    for (const message of messages) {
      const item = toItem(message, options, random);
      if (item === undefined) {
        skipped++;
        release.push(message);
        continue;
      }
      mine.push({ message, item });
    }

    if (options.dryRun === true) {
      for (const { item } of mine) {
        wouldSend.push({
          traceId: item.event.traceId,
          targets: item.plan.deliveries.map((d) => d.target.arn),
        });
      }
      done += mine.length;
      release.push(...mine.map((m) => m.message));
    } else {
      // FIFO: one at a time, in order; a standard queue goes out as one batch per target.
      const groups = options.fifo ? mine.map((m) => [m]) : [mine];
      for (const group of groups) {
        if (stoppedBecause !== undefined) {
          release.push(...group.map((m) => m.message));
          continue;
        }
        await pace(options, done, started, now, sleep);
        const outcomes = await options.engine.deliver(group.map((g) => g.item));
        const ok: Message[] = [];
        outcomes.forEach((outcome, i) => {
          const entry = group[i] as { message: Message };
          done++;
          if (outcome.secured) {
            delivered++;
            ok.push(entry.message);
          } else {
            failed++;
            if (options.fifo)
              stoppedBecause = `a message failed (${outcome.unsecured[0]?.error ?? 'unknown'}); stopped to keep the FIFO order`;
          }
        });
        notDeleted += await deleteMessages(options.sqs, options.queueUrl, ok);
      }
    }
    options.onProgress?.(progress());
  }
  await makeVisible(options.sqs, options.queueUrl, release);

  return {
    ...progress(),
    ...(stoppedBecause === undefined ? {} : { stoppedBecause }),
    ...(options.dryRun === true ? { wouldSend } : {}),
  };
}

/** The event a kept message holds, planned on the live route; undefined when it is not ours. */
function toItem(message: Message, options: DrainOptions, random: Random): DeliveryItem | undefined {
  const attr = (name: string) => message.MessageAttributes?.[name]?.StringValue;
  if (options.onlyPsarn !== undefined && attr(Meta.psarn) !== options.onlyPsarn) return undefined;
  // The route whose park queue or target this copy belongs to (an alias's route, or another route
  // sharing the holding queue): a holding-queue drain leaves other routes' events where they are.
  const owner = attr(Meta.route);
  if (options.onlyPsarn === undefined && owner !== undefined && owner !== options.route.psarn)
    return undefined;
  const body = message.Body ?? '';
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return undefined;
  }
  let headers: Record<string, string> = {};
  const headerText = attr(Meta.headers);
  if (headerText !== undefined) {
    try {
      headers = JSON.parse(headerText) as Record<string, string>;
    } catch {
      headers = {};
    }
  }
  const event: RoutedEvent = {
    psarn: options.route.psarn,
    payload,
    headers,
    // The original trace id: a FIFO target's dedup id, so a re-drive never duplicates there.
    traceId: attr(Meta.traceId) ?? message.MessageId ?? '',
    eventId: attr(Meta.eventId) ?? attr(Meta.traceId) ?? message.MessageId ?? '',
  };
  // A copy that failed inside an aliased route goes back through that route, not the alias's.
  const route =
    owner !== undefined && owner !== options.route.psarn
      ? (options.lookup(owner) ?? options.route)
      : options.route;
  const full = options.plan(route, event, random, options.lookup);
  if (full.deliveries.some((d) => d.role === 'park') && options.dryRun !== true) throw stillParked(route);
  const plan = onlyWhatFailed(full, attr(Meta.reason), attr(Meta.role), attr(Meta.target), route.psarn);
  if (plan.deliveries.length === 0) return undefined;
  return { event, plan, body, routeVersion: options.routeVersion, passthrough: false };
}

function stillParked(route: Route): PsarnError {
  return new PsarnError(
    ErrorCode.NOT_PARKABLE,
    `${route.psarn} is still parked: unpark it first (psarn unpark), or the drain would park its events again`,
    { psarn: route.psarn },
  );
}

/**
 * A copy kept because its own target failed goes back only where it is still missing: the live
 * split (a split copy) or that same fanout target (a fanout copy). Parked events go everywhere.
 */
function onlyWhatFailed(
  plan: DeliveryPlan,
  reason: string | undefined,
  role: string | undefined,
  target: string | undefined,
  owner: string,
): DeliveryPlan {
  if (reason !== 'target-failed') return plan;
  const keep = (d: DeliveryPlan['deliveries'][number]) =>
    d.route.psarn === owner &&
    (role === 'split' ? d.role === 'split' : d.role === 'fanout' && d.target.arn === target);
  return { ...plan, deliveries: plan.deliveries.filter(keep) };
}

async function pace(
  options: DrainOptions,
  done: number,
  started: number,
  now: () => number,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  if (options.ratePerSecond === undefined || options.ratePerSecond <= 0) return;
  const due = started + (done / options.ratePerSecond) * 1000;
  const wait = due - now();
  if (wait > 0) await sleep(wait);
}

async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(out.Attributes?.ApproximateNumberOfMessages ?? '0');
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

async function makeVisible(sqs: SQSClient, queueUrl: string, messages: readonly Message[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    const chunk = messages.slice(i, i + 10);
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map((m, j) => ({
          Id: String(j),
          ReceiptHandle: m.ReceiptHandle,
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
}
