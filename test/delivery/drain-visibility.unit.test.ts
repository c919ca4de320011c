/**
 * Visibility timeouts over a long drain. These failures need minutes of wall-clock time against a
 * real queue (fauxqs included: its timeouts are real seconds), so the queue here is a small model
 * of SQS visibility on a virtual clock: receive hides messages for VisibilityTimeout, a message
 * whose timeout lapsed is visible again (to anyone), ChangeMessageVisibility and deletes need the
 * newest receipt handle. The drain's clock, sleep and heartbeat scheduler run on the same clock.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { drainQueue } from '../../src/delivery/drain';
import type { Scheduler } from '../../src/delivery/drain-visibility';
import { DeliveryEngine } from '../../src/delivery/engine';
import { planDelivery } from '../../src/routing/planner';
import type { Forwarder } from '../../src/targets/forwarder';
import { RecordingForwarders } from '../support/recording-forwarders';
import { route, split, sqsArn } from '../support/routes';

class VirtualClock {
  time = 0;
  private timers: { every: number; next: number; tick: () => Promise<void> }[] = [];
  readonly now = (): number => this.time;
  readonly every: Scheduler = (ms, tick) => {
    const timer = { every: ms, next: this.time + ms, tick };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  };
  /** Advances time, running each timer that falls due on the way. */
  readonly sleep = async (ms: number): Promise<void> => {
    const until = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.next <= until).sort((a, b) => a.next - b.next)[0];
      if (due === undefined) break;
      this.time = Math.max(this.time, due.next);
      due.next += due.every;
      await due.tick();
    }
    this.time = until;
  };
}

interface Stored {
  readonly id: string;
  readonly body: string;
  readonly attributes: Record<string, string>;
  visibleAt: number;
  handle: string;
}

/** Standard-queue visibility semantics, enough for drainQueue's calls. */
class ModelQueue {
  readonly messages: Stored[] = [];
  /** Messages delivered by the drain after their visibility had lapsed (SQS may have re-sent them). */
  readonly lapsed: string[] = [];
  private handles = 0;
  constructor(private readonly clock: VirtualClock) {}

  add(body: string, attributes: Record<string, string> = {}): void {
    this.messages.push({ id: `m${this.messages.length}`, body, attributes, visibleAt: 0, handle: '' });
  }

  visibleAt(body: string): number | undefined {
    return this.messages.find((m) => m.body === body)?.visibleAt;
  }

  readonly client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const input = command.input;
      const now = this.clock.time;
      switch (command.constructor.name) {
        case 'GetQueueAttributesCommand':
          return {
            Attributes: {
              ApproximateNumberOfMessages: String(this.messages.filter((m) => m.visibleAt <= now).length),
              ApproximateNumberOfMessagesNotVisible: String(
                this.messages.filter((m) => m.visibleAt > now).length,
              ),
            },
          };
        case 'ReceiveMessageCommand': {
          const visible = this.messages
            .filter((m) => m.visibleAt <= now)
            .slice(0, input['MaxNumberOfMessages'] as number);
          if (visible.length === 0) {
            await this.clock.sleep(((input['WaitTimeSeconds'] as number) ?? 0) * 1000);
            return { Messages: [] };
          }
          const timeout = ((input['VisibilityTimeout'] as number | undefined) ?? 30) * 1000;
          return {
            Messages: visible.map((m) => {
              m.visibleAt = now + timeout;
              m.handle = `h${++this.handles}`;
              return {
                MessageId: m.id,
                ReceiptHandle: m.handle,
                Body: m.body,
                MessageAttributes: Object.fromEntries(
                  Object.entries(m.attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
                ),
              };
            }),
          };
        }
        case 'ChangeMessageVisibilityBatchCommand': {
          const entries = input['Entries'] as {
            Id: string;
            ReceiptHandle: string;
            VisibilityTimeout: number;
          }[];
          const failed: { Id: string }[] = [];
          for (const e of entries) {
            const m = this.messages.find((x) => x.handle === e.ReceiptHandle);
            if (m === undefined) failed.push({ Id: e.Id });
            else m.visibleAt = now + e.VisibilityTimeout * 1000;
          }
          return { Failed: failed };
        }
        case 'DeleteMessageBatchCommand': {
          const entries = input['Entries'] as { Id: string; ReceiptHandle: string }[];
          for (const e of entries) {
            const at = this.messages.findIndex((x) => x.handle === e.ReceiptHandle);
            if (at >= 0) this.messages.splice(at, 1);
          }
          return { Successful: entries.map((e) => ({ Id: e.Id })) };
        }
        default:
          return {};
      }
    },
  };
}

function setup(count: number, foreign = 0) {
  const clock = new VirtualClock();
  const queue = new ModelQueue(clock);
  const r = route('/drain/visibility', { targets: [split(sqsArn('dest'), 1)] });
  for (let i = 0; i < foreign; i++) {
    queue.add(JSON.stringify({ other: i }), {
      psarn: 'arn:aws:psarns:us-east-1:000000000000:/other',
      'psarn-route': 'arn:aws:psarns:us-east-1:000000000000:/other',
    });
  }
  for (let n = 0; n < count; n++) queue.add(JSON.stringify({ n }));
  const fw = new RecordingForwarders();
  // Every copy the engine sends must still be invisible: had its timeout lapsed, SQS could have
  // handed it to another consumer (or this drain's next receive) and it would go out twice.
  const lookup = (kind: Parameters<typeof fw.lookup>[0]): Forwarder => {
    const inner = fw.lookup(kind);
    return {
      ...inner,
      send: async (t, messages, o) => {
        for (const m of messages) {
          const visibleAt = queue.visibleAt(m.body);
          if (visibleAt === undefined || visibleAt <= clock.time) queue.lapsed.push(m.body);
        }
        return inner.send(t, messages, o);
      },
    };
  };
  const options = {
    sqs: queue.client as unknown as SQSClient,
    queueUrl: 'http://model',
    queue: { arn: sqsArn('holding'), kind: 'sqs' as const },
    fifo: false,
    route: r,
    routeVersion: 1,
    lookup: () => undefined,
    engine: new DeliveryEngine({ forwarders: lookup, secureFailures: false }),
    forwarders: lookup,
    plan: planDelivery,
    now: clock.now,
    sleep: clock.sleep,
    every: clock.every,
  };
  return { clock, queue, fw, options };
}

describe('drainQueue visibility over a long drain', () => {
  it('at --rate 0.1 delivers every message while it is still invisible, once each', async () => {
    const { queue, fw, options } = setup(12);
    const summary = await drainQueue({ ...options, ratePerSecond: 0.1 });
    expect(summary).toMatchObject({ total: 12, done: 12, delivered: 12, failed: 0 });
    expect(queue.lapsed).toEqual([]);
    expect(fw.to(sqsArn('dest'))).toHaveLength(12);
    expect(queue.messages).toEqual([]);
  });

  it('keeps skipped messages out of the way for a drain longer than any one timeout, and drains all of its own', async () => {
    // 10 other routes' messages at the head, then 40 of ours at 0.2/s: 200 s of draining.
    const { queue, fw, options } = setup(40, 10);
    const summary = await drainQueue({ ...options, ratePerSecond: 0.2 });
    expect(summary).toMatchObject({
      total: 50,
      done: 40,
      delivered: 40,
      skipped: 10,
      skippedBy: { 'other-route': 10 },
    });
    expect(summary.stoppedBecause).toBeUndefined();
    expect(queue.lapsed).toEqual([]);
    expect(new Set(fw.to(sqsArn('dest')).map((m) => m.body)).size).toBe(40);
    // The skipped ones were released at the end, visible at once for their own drain.
    expect(queue.messages).toHaveLength(10);
    expect(queue.messages.every((m) => m.visibleAt <= options.now())).toBe(true);
  });

  it('stops and says why, rather than finish with success, when messages of the queue stay out of reach', async () => {
    const { queue, clock, options } = setup(3);
    // Right after the drain counted the queue, another consumer takes the last message for ten minutes.
    const send = queue.client.send;
    let counts = 0;
    queue.client.send = async (command) => {
      const out = await send(command);
      if (command.constructor.name === 'GetQueueAttributesCommand' && ++counts === 1) {
        const last = queue.messages[2];
        if (last !== undefined) last.visibleAt = clock.time + 600_000;
      }
      return out;
    };
    const summary = await drainQueue(options);
    expect(summary).toMatchObject({ total: 3, done: 2, delivered: 2 });
    expect(summary.stoppedBecause).toMatch(
      /^1 message\(s\) in the queue did not reach this drain within 5 s/,
    );
  });

  it('counts messages in flight at the start (a crashed drain held them) and does not report the queue done without them', async () => {
    const { queue, clock, options } = setup(3);
    const held = queue.messages[0];
    if (held === undefined) throw new Error('setup');
    held.visibleAt = clock.time + 600_000;
    const summary = await drainQueue(options);
    expect(summary.stoppedBecause).toMatch(/^1 message\(s\) in the queue did not reach this drain/);
    expect(summary).toMatchObject({ total: 3, done: 2, delivered: 2 });
  });

  it('stops after --limit re-driven messages; skipped ones do not count towards it', async () => {
    const { queue, fw, options } = setup(5, 3);
    const summary = await drainQueue({ ...options, limit: 4 });
    expect(summary).toMatchObject({ total: 4, done: 4, delivered: 4, skipped: 3 });
    expect(summary.stoppedBecause).toBeUndefined();
    expect(fw.to(sqsArn('dest'))).toHaveLength(4);
    expect(queue.messages).toHaveLength(4);
  });

  // Whether another consumer gets a skipped FIFO message during this drain is a race between two
  // processes on the emulator; the order of this drain's own calls is what decides it, so a
  // recording client checks that order.
  it("lets another route's FIFO message go at once, before receiving again, so its group is not blocked", async () => {
    const calls: string[] = [];
    const other = 'arn:aws:psarns:us-east-1:000000000000:/other';
    const receives = [
      [
        {
          MessageId: 'x',
          ReceiptHandle: 'rx',
          Body: '{"for":"other"}',
          Attributes: { MessageGroupId: 'g' },
          MessageAttributes: {
            psarn: { DataType: 'String', StringValue: other },
            'psarn-route': { DataType: 'String', StringValue: other },
          },
        },
      ],
      [{ MessageId: 'm', ReceiptHandle: 'rm', Body: '{"for":"us"}', Attributes: { MessageGroupId: 'g' } }],
    ];
    const sqs = {
      send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        const name = command.constructor.name;
        if (name === 'ChangeMessageVisibilityBatchCommand') {
          const entries = command.input['Entries'] as { ReceiptHandle: string; VisibilityTimeout: number }[];
          calls.push(
            `visibility ${entries.map((e) => `${e.ReceiptHandle}=${e.VisibilityTimeout}`).join(',')}`,
          );
          return {};
        }
        calls.push(name.replace('Command', ''));
        if (name === 'GetQueueAttributesCommand') return { Attributes: { ApproximateNumberOfMessages: '2' } };
        if (name === 'ReceiveMessageCommand') return { Messages: receives.shift() ?? [] };
        return {};
      },
    };
    const fw = new RecordingForwarders();
    const clock = new VirtualClock();
    const summary = await drainQueue({
      sqs: sqs as unknown as SQSClient,
      queueUrl: 'http://fifo',
      queue: { arn: sqsArn('hold.fifo'), kind: 'sqs', groupBy: 'psarn' },
      fifo: true,
      route: route('/drain/fifo-skip', { targets: [split(sqsArn('dest'), 1)] }),
      routeVersion: 1,
      lookup: () => undefined,
      engine: new DeliveryEngine({ forwarders: fw.lookup, secureFailures: false }),
      forwarders: fw.lookup,
      plan: planDelivery,
      now: clock.now,
      sleep: clock.sleep,
      every: clock.every,
    });
    expect(calls.slice(0, 4)).toEqual([
      'GetQueueAttributes',
      'ReceiveMessage',
      'visibility rx=0',
      'ReceiveMessage',
    ]);
    expect(summary).toMatchObject({ delivered: 1, skipped: 1, skippedBy: { 'other-route': 1 } });
  });
});
