import type { Forwarder, OutgoingMessage, SendOutcome } from '../../src/targets/forwarder';
import type { TargetRef } from '../../src/routes/model';
import type { TargetKind } from '../../src/psarn/target-arn';
import { TargetFailedError } from '../../src/errors';

/**
 * A forwarder of our own port that records what it was asked to send and fails the targets it
 * is told to: the engine's bookkeeping is pure logic, so its unit test needs no emulator (the
 * router's integration tests run the same engine against the real ones).
 */
export class RecordingForwarders {
  readonly sent: { target: string; ref: TargetRef; messages: OutgoingMessage[] }[] = [];
  readonly failing = new Set<string>();
  /** The text a failing target's error carries (default "boom"). */
  failureText = 'boom';
  throwing = false;
  readonly lookup = (kind: TargetKind): Forwarder => ({
    kind,
    maxPayloadBytes: 8192,
    measure: (_t: TargetRef, m: OutgoingMessage) => Buffer.byteLength(m.body),
    refuses: () => undefined,
    send: async (t: TargetRef, messages: readonly OutgoingMessage[]): Promise<SendOutcome[]> => {
      if (this.throwing) throw new Error('forwarder bug');
      this.sent.push({ target: t.arn, ref: t, messages: [...messages] });
      return messages.map(() =>
        this.failing.has(t.arn)
          ? { ok: false, error: new TargetFailedError(t.arn, this.failureText) }
          : { ok: true, response: { from: t.arn } },
      );
    },
  });
  to(arn: string): OutgoingMessage[] {
    return this.sent.filter((s) => s.target === arn).flatMap((s) => s.messages);
  }
}
