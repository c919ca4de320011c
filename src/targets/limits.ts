import type { TargetKind } from '../psarn/target-arn';
import { PayloadTooLargeError } from '../errors';

/**
 * Service limits the forwarders enforce before calling AWS, in bytes (UTF-8). Sources, checked
 * against the installed AWS SDK v3 (3.1169) model docs and AWS announcements; see docs/targets.md.
 *
 * - SQS: 1 MiB per message (body + attributes) and per SendMessageBatch request (raised from
 *   256 KiB in 2025).
 * - SNS: 256 KiB per message (body + attributes) and per PublishBatch request, unless the topic's
 *   `MaximumMessageSize` is raised (up to 1 MiB): pass `maxPayloadBytes` to the SNS forwarder then.
 * - EventBridge: the PutEvents entries together must stay under 1 MB (raised from 256 KB in 2026).
 * - Lambda: 1 MB asynchronous (`Event`, raised from 256 KB in 2025), 6 MB synchronous.
 */
export const PayloadLimits = {
  sqs: { message: 1_048_576, batch: 1_048_576 },
  sns: { message: 262_144, batch: 262_144 },
  events: { message: 1_048_576, batch: 1_048_576 },
  lambda: { async: 1_048_576, sync: 6_291_456 },
} as const;

/** Entries per SendMessageBatch, PublishBatch and PutEvents request. */
export const MAX_BATCH_ENTRIES = 10;

/** Bytes of a string as the services count them: UTF-8. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Body limit per kind, as data: the one place a kind's limit is looked up outside its forwarder. */
const bodyLimit: Readonly<Record<TargetKind, (sync: boolean) => number | undefined>> = {
  lambda: (sync) => (sync ? PayloadLimits.lambda.sync : PayloadLimits.lambda.async),
  sqs: () => PayloadLimits.sqs.message,
  sns: () => PayloadLimits.sns.message,
  events: () => PayloadLimits.events.message,
  // A psARN alias is resolved by the planner, never sent.
  psarn: () => undefined,
};

/**
 * The largest body a target kind accepts, or `undefined` for psARN aliases.
 *
 * @example
 * payloadLimit('lambda', { sync: true }) // 6_291_456
 */
export function payloadLimit(kind: TargetKind, options: { sync?: boolean } = {}): number | undefined {
  return bodyLimit[kind](options.sync === true);
}

/**
 * Up-front check for the router: the typed error a producer gets when its payload cannot reach a
 * target, or `undefined` when it fits. Counts the body only; a forwarder also counts the message
 * attributes it adds (SQS, SNS) and the DetailType and Source (EventBridge), so it stays the last word.
 *
 * @example
 * checkPayloadSize({ arn, kind: 'sns' }, JSON.stringify(payload)) // PayloadTooLargeError over 256 KiB
 */
export function checkPayloadSize(
  target: { readonly arn: string; readonly kind: TargetKind },
  body: string,
  options: { sync?: boolean } = {},
): PayloadTooLargeError | undefined {
  const limit = payloadLimit(target.kind, options);
  if (limit === undefined) return undefined;
  const bytes = utf8Bytes(body);
  return bytes > limit ? new PayloadTooLargeError(target.arn, bytes, limit) : undefined;
}
