import {
  GetQueueUrlCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { TargetFailedError } from '../errors';
import { parseTargetArn, type TargetArn } from '../psarn/target-arn';
import type { TargetRef } from '../routes/model';
import { attributedEntry } from './attributed-entry';
import type { Forwarder, OutgoingMessage, SendOptions, SendOutcome } from './forwarder';
import { MAX_BATCH_ENTRIES, PayloadLimits } from './limits';
import { entryFailure, sdkFailure } from './sdk-failure';
import { sendPrepared, type Prepared } from './send-prepared';

export interface SqsForwarderOptions {
  /** Per-message limit (body + attributes). Default 1 MiB; lower it for a queue with a smaller `MaximumMessageSize`. */
  readonly maxPayloadBytes?: number;
  /** Per-request limit over all entries. Default 1 MiB. */
  readonly maxBatchBytes?: number;
}

/** Errors after which a cached queue URL may be stale (queue deleted, maybe recreated elsewhere). */
const STALE_QUEUE = new Set(['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue']);

/**
 * Forwards to SQS queues with SendMessageBatch: 10 entries per request and at most 1 MiB per request,
 * batches of a standard queue in parallel, of a FIFO queue in order. FIFO messages get MessageGroupId
 * from the target's `groupBy` and MessageDeduplicationId from the trace id and target (see `fifoFields`).
 * Metadata travels as String message attributes. The queue URL is resolved once per queue with
 * GetQueueUrl and cached. Only the entries SQS lists as failed fail.
 *
 * @example
 * const sqs = new SqsForwarder(new SQSClient({ useQueueUrlAsEndpoint: false }));
 * await sqs.send({ arn: 'arn:aws:sqs:eu-west-1:123456789012:orders', kind: 'sqs' }, messages, { sync: false });
 */
export class SqsForwarder implements Forwarder {
  readonly kind = 'sqs' as const;
  readonly maxPayloadBytes: number;
  private readonly maxBatchBytes: number;
  private readonly queueUrls = new Map<string, Promise<string>>();

  constructor(
    private readonly client: SQSClient,
    options: SqsForwarderOptions = {},
  ) {
    this.maxPayloadBytes = options.maxPayloadBytes ?? PayloadLimits.sqs.message;
    this.maxBatchBytes = options.maxBatchBytes ?? PayloadLimits.sqs.batch;
  }

  async send(
    target: TargetRef,
    messages: readonly OutgoingMessage[],
    _options: SendOptions,
  ): Promise<SendOutcome[]> {
    let queue: TargetArn;
    try {
      queue = parseTargetArn(target.arn);
    } catch (err) {
      const error = new TargetFailedError(target.arn, 'not an SQS queue ARN', err);
      return messages.map(() => ({ ok: false, error }));
    }
    return sendPrepared(messages, (message, index) => this.prepare(target, queue, message, index), {
      target: target.arn,
      maxEntries: MAX_BATCH_ENTRIES,
      maxBytes: this.maxBatchBytes,
      inOrder: queue.fifo,
      sendBatch: (batch) => this.sendBatch(target, queue, batch),
    });
  }

  private prepare(
    target: TargetRef,
    queue: TargetArn,
    message: OutgoingMessage,
    index: number,
  ): Prepared<SendMessageBatchRequestEntry> | Error {
    return attributedEntry(target, queue.fifo, message, index, this.maxPayloadBytes, (Id, body, fields) => ({
      Id,
      MessageBody: body,
      ...fields,
    }));
  }

  private async sendBatch(
    target: TargetRef,
    queue: TargetArn,
    batch: readonly Prepared<SendMessageBatchRequestEntry>[],
  ): Promise<Map<string, Error | undefined>> {
    const results = new Map<string, Error | undefined>();
    try {
      const QueueUrl = await this.queueUrl(queue);
      const output = await this.client.send(
        new SendMessageBatchCommand({ QueueUrl, Entries: batch.map((p) => p.entry) }),
      );
      for (const ok of output.Successful ?? []) results.set(ok.Id ?? '', undefined);
      for (const failed of output.Failed ?? []) {
        results.set(failed.Id ?? '', entryFailure(target.arn, failed.Code, failed.Message));
      }
    } catch (err) {
      if (STALE_QUEUE.has((err as { name?: string }).name ?? '')) this.queueUrls.delete(queue.arn);
      const error = sdkFailure(target.arn, err);
      for (const p of batch) results.set(p.id, error);
    }
    return results;
  }

  /** One GetQueueUrl per queue per process; a failed lookup is forgotten so the next send retries it. */
  private queueUrl(queue: TargetArn): Promise<string> {
    let url = this.queueUrls.get(queue.arn);
    if (url === undefined) {
      url = this.client
        .send(new GetQueueUrlCommand({ QueueName: queue.name, QueueOwnerAWSAccountId: queue.account }))
        .then((output) => {
          if (output.QueueUrl === undefined) throw new Error(`GetQueueUrl returned no URL for ${queue.name}`);
          return output.QueueUrl;
        });
      url.catch(() => this.queueUrls.delete(queue.arn));
      this.queueUrls.set(queue.arn, url);
    }
    return url;
  }
}
