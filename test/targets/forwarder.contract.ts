import { randomUUID } from 'node:crypto';
import { PayloadTooLargeError } from '../../src/errors';
import type { TargetRef } from '../../src/routes/model';
import type { Forwarder, OutgoingMessage, SendOutcome } from '../../src/targets/forwarder';
import { payloadLimit } from '../../src/targets/limits';
import { message } from './messages';
import { pollUntil, type Arrivals } from './read-back';

/**
 * What every forwarder must do against its real local emulator (the Hono `common.case.test.ts`
 * idea): each adapter's test file describes its target and how to read back what arrived, then
 * calls `forwarderContract`.
 */
export interface ContractSubject {
  readonly target: TargetRef;
  readonly forwarder: Forwarder;
  readonly sync: boolean;
  /** Everything that reached the target so far, by marker; may be called repeatedly. */
  readonly read: () => Promise<Arrivals>;
  /** The service has message attributes, so the routing metadata must arrive with the body. */
  readonly carriesMetadata: boolean;
  /** A message the real service itself rejects (not the forwarder), when the emulator can produce one. */
  readonly poison?: (marker: string) => OutgoingMessage;
  /** Payload fields a FIFO target groups by. */
  readonly payloadExtras?: Readonly<Record<string, unknown>>;
}

/** A payload exercising JSON escapes and non-ASCII text (BMP only: see sqs.test.ts for astral characters). */
function payload(id: string, extras: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  return {
    id,
    text: 'héllo wörld ✓ 日本語 "quoted" back\\slash tab\t newline\n',
    numbers: [0, -1, 2.5, 1e21, -3e-7],
    nested: { nil: null, yes: true, list: [{ a: 1 }, []] },
    ...extras,
  };
}

function marker(label: string): string {
  return `${label}-${randomUUID()}`;
}

function failed(outcome: SendOutcome | undefined): Error | undefined {
  return outcome !== undefined && !outcome.ok ? outcome.error : undefined;
}

/**
 * Define the contract's tests for one forwarder. `hasPoison` must match whether the subject has a
 * `poison` (known before `beforeAll`, since jest collects tests first).
 */
export function forwarderContract(
  name: string,
  subjectOf: () => ContractSubject,
  options: { readonly hasPoison: boolean },
): void {
  const { hasPoison } = options;
  describe(`${name}: forwarder contract`, () => {
    let subject: ContractSubject;
    beforeAll(() => {
      subject = subjectOf();
    });

    const send = (messages: readonly OutgoingMessage[]): Promise<SendOutcome[]> =>
      subject.forwarder.send(subject.target, messages, { sync: subject.sync });
    const arrived = (markers: readonly string[]) =>
      pollUntil(subject.read, (arrivals) => markers.every((m) => arrivals.has(m)));

    it('delivers the body byte-for-byte', async () => {
      const id = marker('exact');
      const m = message(payload(id, subject.payloadExtras));
      const outcomes = await send([m]);
      expect(failed(outcomes[0])).toBeUndefined();
      const arrivals = await arrived([id]);
      expect(arrivals.get(id)?.map((r) => r.body)).toEqual([m.body]);
    });

    it('carries the routing metadata as message attributes where the service has them', async () => {
      const id = marker('meta');
      const m = message(payload(id, subject.payloadExtras), { headers: { tenant: 'acme' } });
      const metadata = { ...m.metadata, 'psarn-headers': JSON.stringify({ tenant: 'acme' }) };
      const outcomes = await send([{ ...m, metadata }]);
      expect(failed(outcomes[0])).toBeUndefined();
      const [copy] = (await arrived([id])).get(id) ?? [];
      // Where the service has no attributes (Lambda payload, EventBridge Detail), none of the
      // metadata may leak into the body: it stays exactly what the producer sent.
      expect(copy?.body).toBe(m.body);
      expect(copy?.metadata).toEqual(subject.carriesMetadata ? metadata : undefined);
    });

    it('refuses an oversize payload before sending, and fails only that message of the batch', async () => {
      const [before, big, after] = [marker('before'), marker('big'), marker('after')];
      const limit = payloadLimit(subject.target.kind, { sync: subject.sync }) as number;
      const oversize = message(payload(big, { ...subject.payloadExtras, pad: 'x'.repeat(limit) }));
      const outcomes = await send([
        message(payload(before, subject.payloadExtras)),
        oversize,
        message(payload(after, subject.payloadExtras)),
      ]);
      expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
      expect(failed(outcomes[1])).toBeInstanceOf(PayloadTooLargeError);
      const arrivals = await arrived([before, after]);
      expect(arrivals.has(before) && arrivals.has(after)).toBe(true);
      expect(arrivals.has(big)).toBe(false);
    });

    // Only kinds whose emulator can reject a single entry; the others prove it in *.unit.test.ts.
    if (hasPoison) {
      it('reports a message the service rejects as failed, and delivers the others of its batch', async () => {
        const poison = subject.poison as (marker: string) => OutgoingMessage;
        const [first, bad, last] = [marker('first'), marker('poison'), marker('last')];
        const outcomes = await send([
          message(payload(first, subject.payloadExtras)),
          poison(bad),
          message(payload(last, subject.payloadExtras)),
        ]);
        expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
        expect(failed(outcomes[1])?.message).toContain(subject.target.arn);
        const arrivals = await arrived([first, last]);
        expect(arrivals.has(first) && arrivals.has(last)).toBe(true);
      });
    }

    it('delivers every message of a batch of 25', async () => {
      const ids = Array.from({ length: 25 }, (_, i) => marker(`b${i}`));
      const messages = ids.map((id) => message(payload(id, subject.payloadExtras)));
      const outcomes = await send(messages);
      expect(outcomes.filter((o) => !o.ok).map(failed)).toEqual([]);
      const arrivals = await arrived(ids);
      expect(ids.filter((id) => arrivals.get(id)?.length !== 1)).toEqual([]);
      expect(ids.map((id) => arrivals.get(id)?.[0]?.body)).toEqual(messages.map((m) => m.body));
    });
  });
}
