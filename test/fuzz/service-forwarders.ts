import { TargetFailedError } from '../../src/errors';
import type { TargetKind } from '../../src/psarn/target-arn';
import type { TargetRef } from '../../src/routes/model';
import { messageBytes, toStringAttributes } from '../../src/targets/attributes';
import { utf8Bytes } from '../../src/targets/limits';
import { EventBridgeForwarder } from '../../src/targets/eventbridge';
import type { Forwarder, OutgoingMessage, SendOutcome } from '../../src/targets/forwarder';
import { LambdaForwarder } from '../../src/targets/lambda';
import { SnsForwarder } from '../../src/targets/sns';
import { SqsForwarder } from '../../src/targets/sqs';

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
 * it: a failed outcome. `measure` and `refuses`, which the router asks before sending, are the
 * real forwarders' own, so the service rules below check them independently.
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
    // What the router asks before sending is the real forwarders' answer; only sending is faked.
    measure: (ref, message) => REAL[kind].measure(ref, message),
    refuses: (ref, event) => REAL[kind].refuses(ref, event),
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

const noClient = (): never => {
  throw new Error('the fuzz forwarders never call AWS');
};
const lambda = new LambdaForwarder(noClient);
/** Real forwarders, for `measure` and `refuses` only (neither touches a client). */
const REAL: Readonly<Record<TargetKind, Pick<Forwarder, 'measure' | 'refuses'>>> = {
  lambda,
  sqs: new SqsForwarder(noClient, { maxPayloadBytes: FUZZ_MAX_PAYLOAD_BYTES }),
  sns: new SnsForwarder(noClient, { maxPayloadBytes: FUZZ_MAX_PAYLOAD_BYTES }),
  events: new EventBridgeForwarder(noClient, { maxPayloadBytes: FUZZ_MAX_PAYLOAD_BYTES }),
  // A psARN is resolved by the planner, never sent: measured like a body, never refused.
  psarn: lambda,
};

// Anything SQS does not accept: C0 controls but tab/LF/CR, lone surrogates, U+FFFE and U+FFFF.
const SQS_INVALID_SOURCE =
  '[\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\ufffe\\uffff]|[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]';
const SQS_INVALID = new RegExp(SQS_INVALID_SOURCE);

/**
 * An SQS event as SQS could deliver it: every string made of characters SQS accepts (it refused
 * anything else when the producer sent the message), message ids of UUID size, and each record within the ingress queue's
 * size, taken as the fuzz limit less room for the attributes the router adds when it
 * dead-letters a record (a queue as large as the DLQ could hold a record the DLQ cannot take back
 * with its error attached: a deployment question, see the report of the fuzzing issue).
 */
/** psarn-error (cut to 1 KiB), psarn-park-reason, psarn-trace-id, psarn-route-version, names. */
const INGRESS_HEADROOM_BYTES = 2048;

export function sqsDeliverable(envelope: unknown): unknown {
  const clean = sqsCharacters(envelope);
  if (typeof clean !== 'object' || clean === null || !Array.isArray((clean as { Records?: unknown }).Records))
    return clean;
  const ingressLimit = FUZZ_MAX_PAYLOAD_BYTES - INGRESS_HEADROOM_BYTES;
  const records = (clean as { Records: unknown[] }).Records.map((record) => {
    if (typeof record !== 'object' || record === null) return record;
    const r = record as { messageId?: unknown; body?: unknown; messageAttributes?: unknown };
    // SQS message ids are UUIDs; the id is the trace id of a record that names none.
    if (typeof r.messageId === 'string' && r.messageId.length > 100)
      r.messageId = Array.from(r.messageId).slice(0, 100).join('');
    if (typeof r.body !== 'string') return record;
    const attributes =
      typeof r.messageAttributes === 'object' && r.messageAttributes !== null ? r.messageAttributes : {};
    let bytes = utf8Bytes(r.body);
    for (const [name, value] of Object.entries(attributes)) {
      const text = (value as { stringValue?: unknown } | null)?.stringValue;
      bytes += utf8Bytes(name) + 'String'.length + (typeof text === 'string' ? utf8Bytes(text) : 0);
    }
    return bytes <= ingressLimit ? record : { ...r, body: '{"trimmed":true}', messageAttributes: {} };
  });
  return { ...clean, Records: records };
}

function sqsCharacters(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(new RegExp(SQS_INVALID_SOURCE, 'g'), '?');
  if (Array.isArray(value)) return value.map(sqsCharacters);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [sqsCharacters(k), sqsCharacters(v)]));
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
