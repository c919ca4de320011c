import { createHash } from 'node:crypto';
import { TargetFailedError } from '../errors';
import { compileEventPath } from '../routing/event-path';
import type { TargetRef } from '../routes/model';
import type { OutgoingMessage } from './forwarder';

/** What a FIFO queue or topic needs on every message. */
export interface FifoFields {
  readonly MessageGroupId: string;
  readonly MessageDeduplicationId: string;
}

/** A FIFO target's `groupBy` path gave no value: refusing beats grouping every event under a default. */
export class GroupKeyMissingError extends TargetFailedError {
  constructor(target: string, path: string | undefined) {
    super(
      target,
      path === undefined
        ? 'a FIFO target needs `groupBy` (the event path whose value becomes MessageGroupId)'
        : `groupBy ${path} has no string, number or boolean value in this event, so there is no MessageGroupId`,
    );
  }
}

// Both ids allow 1-128 characters of alphanumerics and ASCII punctuation.
const FIFO_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * MessageGroupId and MessageDeduplicationId for one message to a FIFO queue or topic.
 *
 * - Group id: the value at `target.groupBy` (`payload.tenant`, `headers.k`). A value the service
 *   would reject (too long, spaces, non-ASCII) is replaced by its SHA-256, which keeps "same key,
 *   same group" true. No value: a `GroupKeyMissingError`, never a default group.
 * - Dedup id: SHA-256 of the event's own id (`eventId`: an SQS record's messageId, the invocation's
 *   request id, the producer's `psarn-event-id`, else one the router makes), the target ARN and
 *   the copy (its role and alias path). Redelivering the same copy of the same event to the same
 *   target (drain, a Lambda or SQS retry) is deduplicated; distinct events that share a trace id,
 *   fanout copies to other targets and two alias paths to one queue are not. Never the trace id:
 *   many distinct events share one.
 *
 * @example
 * fifoFields({ arn, kind: 'sqs', groupBy: 'payload.tenant' }, message) // { MessageGroupId: 't1', ... }
 */
export function fifoFields(target: TargetRef, message: OutgoingMessage): FifoFields | TargetFailedError {
  if (target.groupBy === undefined) return new GroupKeyMissingError(target.arn, undefined);
  let value: unknown;
  try {
    // The planner's path reader (memoised per path): stickyBy and groupBy read events alike.
    value = compileEventPath(target.groupBy)(message.event);
  } catch (err) {
    return new TargetFailedError(target.arn, err instanceof Error ? err.message : String(err));
  }
  const key =
    typeof value === 'string'
      ? value
      : typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : '';
  if (key.length === 0) return new GroupKeyMissingError(target.arn, target.groupBy);
  return {
    MessageGroupId: FIFO_ID.test(key) ? key : sha256(key),
    // A kept copy names the target that failed: two failed copies of one event parked in the
    // same FIFO holding queue must not deduplicate each other away.
    MessageDeduplicationId: sha256(
      `${message.event.eventId}\n${target.arn}\n${message.copy ?? ''}\n${message.metadata['psarn-target'] ?? ''}`,
    ),
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
