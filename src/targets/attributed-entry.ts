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
  if (bytes > maxBytes) return new PayloadTooLargeError(target.arn, bytes, maxBytes);
  const fields: AttributedFields = {};
  if (Object.keys(attributes).length > 0) fields.MessageAttributes = attributes;
  if (fifo) {
    const ids = fifoFields(target, message);
    if (ids instanceof Error) return ids;
    fields.MessageGroupId = ids.MessageGroupId;
    fields.MessageDeduplicationId = ids.MessageDeduplicationId;
  }
  const id = `m${index}`;
  return { id, entry: build(id, message.body, fields), bytes };
}
