import type { PublishBatchRequestEntry, SNSClient } from '@aws-sdk/client-sns';
import { PublishBatchCommand, PublishCommand } from '../chunks/sdk-sns';
import { TargetFailedError } from '../errors';
import { parseTargetArn, type TargetArn } from '../psarn/target-arn';
import type { TargetRef } from '../routes/model';
import { attributedEntry, attributedBytes } from './attributed-entry';
import type { Forwarder, OutgoingMessage, SendOptions, SendOutcome } from './forwarder';
import type { RoutedEvent } from '../routing/plan';
import { MAX_BATCH_ENTRIES, PayloadLimits } from './limits';
import { entryFailure, sdkFailure } from './sdk-failure';
import { sendPrepared, type Prepared } from './send-prepared';
import { singleRequestFields } from './single-entry';

export interface SnsForwarderOptions {
  /**
   * The topic's `MaximumMessageSize` (body + attributes), which also caps a whole PublishBatch.
   * Default 256 KiB; a topic raised to 1 MiB can pass 1_048_576.
   */
  readonly maxPayloadBytes?: number;
}

/**
 * Publishes to SNS topics with PublishBatch: 10 entries per request, and a request no larger than the
 * topic's message size limit. The topic ARN is used as is. FIFO topics (`.fifo`) get MessageGroupId
 * and MessageDeduplicationId like SQS FIFO queues. A batch of one entry goes out as Publish instead
 * (one event to one topic, the common case: a smaller request), same fields, same outcome
 * mapping. Metadata travels as String message attributes (a raw-delivery SQS subscription
 * receives them as SQS attributes). Only entries SNS lists as failed fail.
 *
 * @example
 * const sns = new SnsForwarder(new SNSClient({}));
 * await sns.send({ arn: 'arn:aws:sns:eu-west-1:123456789012:audit', kind: 'sns' }, messages, { sync: false });
 */
export class SnsForwarder implements Forwarder {
  readonly kind = 'sns' as const;
  readonly maxPayloadBytes: number;

  /** The SDK client, built on first use (the registry passes a provider). */
  private readonly clientOf: () => SNSClient;

  constructor(client: SNSClient | (() => SNSClient), options: SnsForwarderOptions = {}) {
    this.clientOf = typeof client === 'function' ? client : () => client;
    this.maxPayloadBytes = options.maxPayloadBytes ?? PayloadLimits.sns.message;
  }

  measure(_target: TargetRef, message: OutgoingMessage): number {
    return attributedBytes(message);
  }

  refuses(_target: TargetRef, _event: RoutedEvent): string | undefined {
    return undefined;
  }

  async send(
    target: TargetRef,
    messages: readonly OutgoingMessage[],
    options: SendOptions,
  ): Promise<SendOutcome[]> {
    let topic: TargetArn;
    try {
      topic = parseTargetArn(target.arn);
    } catch (err) {
      const error = new TargetFailedError(target.arn, 'not an SNS topic ARN', err);
      return messages.map(() => ({ ok: false, error }));
    }
    return sendPrepared(messages, (message, index) => this.prepare(target, topic, message, index), {
      target: target.arn,
      maxEntries: MAX_BATCH_ENTRIES,
      maxBytes: this.maxPayloadBytes,
      inOrder: topic.fifo,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.onOutcome === undefined ? {} : { onOutcome: options.onOutcome }),
      sendBatch: (batch) => this.sendBatch(target, batch, options.signal),
    });
  }

  private prepare(
    target: TargetRef,
    topic: TargetArn,
    message: OutgoingMessage,
    index: number,
  ): Prepared<PublishBatchRequestEntry> | Error {
    return attributedEntry(target, topic.fifo, message, index, this.maxPayloadBytes, (Id, body, fields) => ({
      Id,
      Message: body,
      ...fields,
    }));
  }

  private async sendBatch(
    target: TargetRef,
    batch: readonly Prepared<PublishBatchRequestEntry>[],
    signal: AbortSignal | undefined,
  ): Promise<Map<string, Error | undefined>> {
    const results = new Map<string, Error | undefined>();
    try {
      const only = batch.length === 1 ? batch[0] : undefined;
      if (only !== undefined) {
        // Publish throws what a batch would list as a failed entry: the catch below maps it with
        // sdkFailure to the same kinds (throttled, transient, rejected) entryFailure gives.
        await this.clientOf().send(
          new PublishCommand({ TopicArn: target.arn, ...singleRequestFields(only.entry) }),
          signal === undefined ? {} : { abortSignal: signal },
        );
        results.set(only.id, undefined);
        return results;
      }
      const output = await this.clientOf().send(
        new PublishBatchCommand({
          TopicArn: target.arn,
          PublishBatchRequestEntries: batch.map((p) => p.entry),
        }),
        signal === undefined ? {} : { abortSignal: signal },
      );
      for (const ok of output.Successful ?? []) results.set(ok.Id ?? '', undefined);
      for (const failed of output.Failed ?? []) {
        results.set(
          failed.Id ?? '',
          entryFailure(target.arn, failed.Code, failed.Message, failed.SenderFault),
        );
      }
    } catch (err) {
      const error = sdkFailure(target.arn, err);
      for (const p of batch) results.set(p.id, error);
    }
    return results;
  }
}
