import type { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { PutEventsCommand } from '../chunks/sdk-eventbridge';
import { PayloadTooLargeError, TargetFailedError } from '../errors';
import type { RoutedEvent } from '../routing/plan';
import { parseTargetArn } from '../psarn/target-arn';
import type { TargetRef } from '../routes/model';
import type { Forwarder, OutgoingMessage, SendOptions, SendOutcome } from './forwarder';
import { MAX_BATCH_ENTRIES, PayloadLimits, utf8Bytes } from './limits';
import { entryFailure, sdkFailure } from './sdk-failure';
import { sendPrepared, type Prepared } from './send-prepared';

/** Source of the put events when the target names none. */
export const DEFAULT_EVENT_SOURCE = 'psarn';

export interface EventBridgeForwarderOptions {
  /**
   * How to name the bus in `EventBusName`. `'arn'` (AWS): the bus ARN, which also reaches buses in
   * other accounts. `'name'`: the bus name, because serverless-offline-aws-eventbridge matches a
   * subscription when its `eventBus` (as written in serverless.yml) *contains* the entry's
   * EventBusName: a name matches both a name and an ARN there, an ARN matches only an ARN.
   * Default `'arn'`; only the local stack asks for `'name'`, explicitly (`PSARN_TARGETS_BY_NAME`).
   */
  readonly busBy?: 'arn' | 'name';
  /** Limit of one entry and of a whole PutEvents request (Source + DetailType + Detail). Default 1 MiB. */
  readonly maxPayloadBytes?: number;
}

/**
 * Puts events on EventBridge buses with PutEvents, 10 entries per request and within the request size
 * limit. Detail is the body unchanged; DetailType is the target's `detailType` or else the psARN's path
 * (`/event/newUser`); Source is the target's `source` or else "psarn". EventBridge has no message
 * attributes, so routing metadata does not travel. Entries EventBridge reports with an ErrorCode fail;
 * the rest are delivered.
 *
 * @example
 * const events = new EventBridgeForwarder(new EventBridgeClient({}));
 * await events.send({ arn: 'arn:aws:events:eu-west-1:123456789012:event-bus/orders', kind: 'events' }, messages, { sync: false });
 */
export class EventBridgeForwarder implements Forwarder {
  readonly kind = 'events' as const;
  readonly maxPayloadBytes: number;

  /** The SDK client, built on first use (the registry passes a provider). */
  private readonly clientOf: () => EventBridgeClient;

  constructor(
    client: EventBridgeClient | (() => EventBridgeClient),
    private readonly options: EventBridgeForwarderOptions = {},
  ) {
    this.clientOf = typeof client === 'function' ? client : () => client;
    this.maxPayloadBytes = options.maxPayloadBytes ?? PayloadLimits.events.message;
  }

  /** How EventBridge sizes an entry: UTF-8 bytes of Source, DetailType and Detail. */
  measure(target: TargetRef, message: OutgoingMessage): number {
    return (
      utf8Bytes(target.source ?? DEFAULT_EVENT_SOURCE) +
      utf8Bytes(target.detailType ?? psarnPath(message.event.psarn)) +
      utf8Bytes(message.body)
    );
  }

  /** PutEvents takes a Detail that is a JSON object only: any other payload can never be put. */
  refuses(_target: TargetRef, event: RoutedEvent): string | undefined {
    const payload = event.payload;
    if (typeof payload === 'object' && payload !== null && !Array.isArray(payload)) return undefined;
    const shape = payload === null ? 'null' : Array.isArray(payload) ? 'an array' : `a ${typeof payload}`;
    return `EventBridge takes a JSON object as Detail, and this payload is ${shape}`;
  }

  async send(
    target: TargetRef,
    messages: readonly OutgoingMessage[],
    options: SendOptions,
  ): Promise<SendOutcome[]> {
    let bus: string;
    try {
      bus = this.busName(target);
    } catch (err) {
      const error = new TargetFailedError(target.arn, 'not an EventBridge bus ARN', err);
      return messages.map(() => ({ ok: false, error }));
    }
    return sendPrepared(messages, (message, index) => this.prepare(target, bus, message, index), {
      target: target.arn,
      maxEntries: MAX_BATCH_ENTRIES,
      maxBytes: this.maxPayloadBytes,
      inOrder: false,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.onOutcome === undefined ? {} : { onOutcome: options.onOutcome }),
      sendBatch: (batch) => this.sendBatch(target, batch, options.signal),
    });
  }

  private prepare(
    target: TargetRef,
    bus: string,
    message: OutgoingMessage,
    index: number,
  ): Prepared<PutEventsRequestEntry> | Error {
    const entry = {
      EventBusName: bus,
      Source: target.source ?? DEFAULT_EVENT_SOURCE,
      DetailType: target.detailType ?? psarnPath(message.event.psarn),
      Detail: message.body,
    };
    // How EventBridge sizes an entry: UTF-8 bytes of Source, DetailType and Detail (no Time, no Resources).
    const bytes = utf8Bytes(entry.Source) + utf8Bytes(entry.DetailType) + utf8Bytes(entry.Detail);
    if (bytes > this.maxPayloadBytes)
      return new PayloadTooLargeError(target.arn, bytes, this.maxPayloadBytes);
    return { id: String(index), entry, bytes };
  }

  private async sendBatch(
    target: TargetRef,
    batch: readonly Prepared<PutEventsRequestEntry>[],
    signal: AbortSignal | undefined,
  ): Promise<Map<string, Error | undefined>> {
    const results = new Map<string, Error | undefined>();
    try {
      const output = await this.clientOf().send(
        new PutEventsCommand({ Entries: batch.map((p) => p.entry) }),
        signal === undefined ? {} : { abortSignal: signal },
      );
      // Result entries are positional: entry i of the response is entry i of the request.
      const entries = output.Entries ?? [];
      batch.forEach((p, i) => {
        const result = entries[i];
        if (result?.ErrorCode !== undefined) {
          results.set(p.id, entryFailure(target.arn, result.ErrorCode, result.ErrorMessage));
        } else if (result?.EventId !== undefined || (output.FailedEntryCount ?? 0) === 0) {
          results.set(p.id, undefined);
        }
        // Otherwise: no result although some failed; left out, so it counts as failed.
      });
    } catch (err) {
      const error = sdkFailure(target.arn, err);
      for (const p of batch) results.set(p.id, error);
    }
    return results;
  }

  private busName(target: TargetRef): string {
    const parsed = parseTargetArn(target.arn);
    return this.options.busBy === 'name' ? parsed.name : target.arn;
  }
}

/** `arn:aws:psarns:eu-west-1:123456789012:/event/newUser` → `/event/newUser`. */
function psarnPath(psarn: string): string {
  return psarn.split(':').slice(5).join(':') || psarn;
}
