import { ChangeMessageVisibilityBatchCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';

/** Runs `tick` every `ms` until the returned function is called (injected for tests). */
export type Scheduler = (ms: number, tick: () => Promise<void>) => () => void;

/** setInterval that never keeps the process alive, and never runs two ticks at once. */
export const intervalScheduler: Scheduler = (ms, tick) => {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void tick()
      // A failed beat only lets a held message become visible early: it may be received and
      // delivered again (at least once), never lost; the next beat tries again.
      .catch(() => undefined)
      .finally(() => {
        running = false;
      });
  }, ms);
  timer.unref();
  return () => clearInterval(timer);
};

/**
 * The messages a drain holds invisible (received, not yet deleted or released), kept invisible by
 * a heartbeat rather than by one long visibility timeout: a message then comes back soon after a
 * drain dies, yet never while the drain still works on it or still needs it out of the way.
 * Keyed by MessageId; a message received again (its timeout lapsed after all) gets its new
 * receipt handle, since only the newest one deletes it for sure.
 *
 * @example
 * const held = new HeldMessages(sqs, queueUrl, 30);
 * held.start(10_000);
 * held.hold(messages);
 * await held.releaseAll();
 */
export class HeldMessages {
  private readonly messages = new Map<string, Message>();
  private stopBeat: (() => void) | undefined;
  private beating: Promise<void> | undefined;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly visibilitySeconds: number,
    private readonly every: Scheduler = intervalScheduler,
  ) {}

  get size(): number {
    return this.messages.size;
  }

  has(message: Message): boolean {
    return this.messages.has(message.MessageId ?? '');
  }

  start(heartbeatMs: number): void {
    this.stopBeat ??= this.every(heartbeatMs, () => this.extend());
  }

  hold(messages: readonly Message[]): void {
    for (const m of messages) this.messages.set(m.MessageId ?? '', m);
  }

  /** A held message received again: from now on its new receipt handle is the one to use. */
  refresh(message: Message): void {
    if (this.has(message)) this.messages.set(message.MessageId ?? '', message);
  }

  /** The held copy of a message (newest receipt handle), or the message itself. */
  current(message: Message): Message {
    return this.messages.get(message.MessageId ?? '') ?? message;
  }

  /** Deleted: nothing to extend or release any more. */
  forget(messages: readonly Message[]): void {
    for (const m of messages) this.messages.delete(m.MessageId ?? '');
  }

  /** Visible again now, for whoever reads the queue next. */
  async release(messages: readonly Message[]): Promise<void> {
    const current = messages.map((m) => this.current(m));
    this.forget(messages);
    // A beat already on its way would hide these again after the release: let it land first.
    // Its failure is the beat's own (see extend); the release below is what counts here.
    await this.beating?.catch(() => undefined);
    await this.changeVisibility(current, 0);
  }

  /** Stops the heartbeat and makes every held message visible again. */
  async releaseAll(): Promise<void> {
    this.stopBeat?.();
    this.stopBeat = undefined;
    await this.release([...this.messages.values()]);
  }

  /** One heartbeat: every held message invisible for another full timeout from now. */
  async extend(): Promise<void> {
    const beat = this.changeVisibility([...this.messages.values()], this.visibilitySeconds);
    this.beating = beat;
    try {
      await beat;
    } finally {
      if (this.beating === beat) this.beating = undefined;
    }
  }

  private async changeVisibility(messages: readonly Message[], seconds: number): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
      const chunk = messages.slice(i, i + 10);
      // An entry SQS refuses (a receipt handle gone stale) is left to come back: the drain has
      // seen it and will take its new receipt handle if it is received again.
      await this.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: chunk.map((m, j) => ({
            Id: String(j),
            ReceiptHandle: m.ReceiptHandle,
            VisibilityTimeout: seconds,
          })),
        }),
      );
    }
  }
}
