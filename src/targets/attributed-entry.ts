import { PayloadTooLargeError, TargetFailedError } from '../errors';
import type { TargetRef } from '../routes/model';
import { messageBytes, toStringAttributes, type StringAttributes } from './attributes';
import { fifoFields } from './fifo';
import type { OutgoingMessage } from './forwarder';
import type { Prepared } from './send-prepared';

/** The fields SQS SendMessageBatch and SNS PublishBatch entries have in common. */
export interface AttributedFields {
  MessageAttributes?: StringAttributes;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
}

/**
 * Bytes SQS and SNS count for a message: the body plus each attribute's name, data type and
 * value (what `attributedEntry` checks; the router measures copies with it before sending).
 */
export function attributedBytes(message: OutgoingMessage): number {
  const attributes = toStringAttributes(message.metadata);
  return messageBytes(message.body, attributes instanceof Error ? {} : attributes);
}

/**
 * One batch entry for SQS or SNS: the body under the service's own key, metadata as String
 * attributes, the size checked against the limit (attributes count), and FIFO group and dedup
 * ids for `.fifo` targets. An entry that cannot be sent is an Error for that message alone.
 *
 * @example
 * attributedEntry(target, true, message, 0, 1_048_576, (Id, body, fields) => ({ Id, MessageBody: body, ...fields }))
 */
export function attributedEntry<E>(
  target: TargetRef,
  fifo: boolean,
  message: OutgoingMessage,
  index: number,
  maxBytes: number,
  build: (id: string, body: string, fields: AttributedFields) => E,
): Prepared<E> | Error {
  const attributes = toStringAttributes(message.metadata);
  if (attributes instanceof Error) return new TargetFailedError(target.arn, attributes.message);
  const bytes = messageBytes(message.body, attributes);
  if (bytes > maxBytes)
    return new PayloadTooLargeError(target.arn, bytes, maxBytes, 'message with its attributes');
  const fields: AttributedFields = {};
  if (Object.keys(attributes).length > 0) fields.MessageAttributes = attributes;
  const id = `m${index}`;
  if (fifo) {
    const ids = fifoFields(target, message);
    if (ids instanceof Error) return ids;
    fields.MessageGroupId = ids.MessageGroupId;
    fields.MessageDeduplicationId = ids.MessageDeduplicationId;
    return { id, entry: build(id, message.body, fields), bytes, group: ids.MessageGroupId };
  }
  return { id, entry: build(id, message.body, fields), bytes };
}
