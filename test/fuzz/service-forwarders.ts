import { TargetFailedError } from '../../src/errors';
import type { TargetKind } from '../../src/psarn/target-arn';
import type { TargetRef } from '../../src/routes/model';
import { messageBytes, toStringAttributes } from '../../src/targets/attributes';
import type { Forwarder, OutgoingMessage, SendOutcome } from '../../src/targets/forwarder';

/** Same as test/support/recording-forwarders.ts: 8 KiB, so size limits are cheap to reach. */
export const FUZZ_MAX_PAYLOAD_BYTES = 8192;

export interface SentCopy {
  readonly target: string;
  readonly ref: TargetRef;
  readonly message: OutgoingMessage;
}
export interface RefusedCopy extends SentCopy {
  readonly reason: string;
}

/**
 * Forwarders that record every copy and, when `services` is on, refuse a copy the way the real
 * service would refuse it for what it is (not for an outage), as the real forwarders then report
 * it: a failed outcome.
 *
 * - SQS and SNS: body plus message attributes over the size limit (src/targets/attributes.ts
 *   counts them like the services), more than 10 attributes.
 * - SQS: characters outside what SQS accepts in a body or attribute value
 *   (#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF; AWS SendMessage docs).
 * - EventBridge: a Detail that is not a JSON object (PutEvents answers MalformedDetail).
 *
 * With `services` off they take everything, like RecordingForwarders.
 */
export class ServiceForwarders {
  readonly sent: SentCopy[] = [];
  readonly refused: RefusedCopy[] = [];

  constructor(private readonly services = false) {}

  reset(): void {
    this.sent.length = 0;
    this.refused.length = 0;
  }

  readonly lookup = (kind: TargetKind): Forwarder => ({
    kind,
    maxPayloadBytes: FUZZ_MAX_PAYLOAD_BYTES,
    send: async (ref: TargetRef, messages: readonly OutgoingMessage[]): Promise<SendOutcome[]> =>
      messages.map((message) => {
        const reason = this.services ? refusal(kind, message) : undefined;
        if (reason !== undefined) {
          this.refused.push({ target: ref.arn, ref, message, reason });
          return { ok: false, error: new TargetFailedError(ref.arn, reason) };
        }
        this.sent.push({ target: ref.arn, ref, message });
        return { ok: true, response: { from: ref.arn } };
      }),
  });
}

// Anything SQS does not accept: C0 controls but tab/LF/CR, lone surrogates, U+FFFE and U+FFFF.
const SQS_INVALID_SOURCE =
  '[\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\ufffe\\uffff]|[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]';
const SQS_INVALID = new RegExp(SQS_INVALID_SOURCE);

/**
 * A copy of an SQS event with every string made of characters SQS accepts: SQS itself refused
 * anything else when the producer sent the message, so an ingress record cannot carry them.
 */
export function sqsDeliverable(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(new RegExp(SQS_INVALID_SOURCE, 'g'), '?');
  if (Array.isArray(value)) return value.map(sqsDeliverable);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [sqsDeliverable(k), sqsDeliverable(v)]));
  return value;
}

/** Why the service would refuse this copy, or undefined when it would take it. */
export function refusal(kind: TargetKind, message: OutgoingMessage): string | undefined {
  if (kind === 'sqs' || kind === 'sns') {
    const attributes = toStringAttributes(message.metadata);
    if (attributes instanceof Error) return attributes.message;
    const bytes = messageBytes(message.body, attributes);
    if (bytes > FUZZ_MAX_PAYLOAD_BYTES)
      return `message of ${bytes} bytes (body + attributes) exceeds ${FUZZ_MAX_PAYLOAD_BYTES}`;
    if (kind === 'sqs') {
      if (SQS_INVALID.test(message.body))
        return 'InvalidMessageContents: the body has characters SQS refuses';
      for (const [name, value] of Object.entries(message.metadata)) {
        if (SQS_INVALID.test(value))
          return `InvalidMessageContents: attribute ${name} has characters SQS refuses`;
      }
    }
  }
  if (kind === 'events') {
    let detail: unknown;
    try {
      detail = JSON.parse(message.body);
    } catch {
      return 'MalformedDetail: Detail is not JSON';
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail))
      return 'MalformedDetail: Detail must be a JSON object';
  }
  return undefined;
}
