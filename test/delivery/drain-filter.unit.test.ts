/**
 * Auto-drain's additions to drain: the copy filter (pure: readKept of one message) and the time
 * budget. The budget is a matter of the clock, not of the queue: a fake SQS client that counts
 * receives shows the drain asks for nothing once the budget is spent.
 */
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { drainQueue } from '../../src/delivery/drain';
import { readKept, SkipReason } from '../../src/delivery/drain-message';
import { DeliveryEngine } from '../../src/delivery/engine';
import { planDelivery } from '../../src/routing/planner';
import { RecordingForwarders } from '../support/recording-forwarders';
import { lambdaArn, psarnOf, route, split, sqsArn } from '../support/routes';

const mine = psarnOf('/filter/mine');
const A = lambdaArn('a');
const B = lambdaArn('b');
const only = { target: A, reasons: ['circuit-open', 'unhealthy'] };

function message(attributes: Record<string, string>): Message {
  return {
    MessageId: 'm1',
    Body: '{"n":1}',
    MessageAttributes: Object.fromEntries(
      Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
    ),
  };
}
const copy = (target: string, reason?: string) =>
  message({
    psarn: mine,
    'psarn-target': target,
    'psarn-role': 'split',
    ...(reason === undefined ? {} : { 'psarn-park-reason': reason }),
  });

describe('drain copy filter (onlyCopies)', () => {
  it("takes a copy kept for the filter's target with one of its reasons", () => {
    for (const reason of ['circuit-open', 'unhealthy']) {
      const kept = readKept(copy(A, reason), { psarn: mine, onlyCopies: only });
      expect(typeof kept === 'string' ? kept : kept.target).toBe(A);
    }
  });

  it('skips copies for another target, with another reason or none, and invocation records', () => {
    const skip = (m: Message) => readKept(m, { psarn: mine, onlyCopies: only });
    expect(skip(copy(B, 'circuit-open'))).toBe(SkipReason.otherCopy);
    expect(skip(copy(A, 'target-failed'))).toBe(SkipReason.otherCopy);
    expect(skip(copy(A, 'route-parked'))).toBe(SkipReason.otherCopy);
    expect(skip(copy(A))).toBe(SkipReason.otherCopy);
    expect(skip({ MessageId: 'r', Body: '{"requestContext":{}}' })).toBe(SkipReason.otherCopy);
  });

  it('changes nothing without a filter', () => {
    const kept = readKept(copy(B, 'target-failed'), { psarn: mine });
    expect(typeof kept === 'string' ? kept : kept.target).toBe(B);
  });
});

describe('drain time budget (stopAt)', () => {
  it('receives nothing once the budget is spent, and says why it stopped', async () => {
    let receives = 0;
    const sqs = {
      send: async (command: { constructor: { name: string } }) => {
        if (command.constructor.name === 'GetQueueAttributesCommand')
          return { Attributes: { ApproximateNumberOfMessages: '3' } };
        if (command.constructor.name === 'ReceiveMessageCommand') receives++;
        return {};
      },
    } as unknown as SQSClient;
    const fw = new RecordingForwarders();
    const summary = await drainQueue({
      sqs,
      queueUrl: 'http://q',
      queue: { arn: sqsArn('holding'), kind: 'sqs' },
      fifo: false,
      route: route('/filter/mine', { targets: [split(A, 1)] }),
      routeVersion: 1,
      lookup: () => undefined,
      engine: new DeliveryEngine({ forwarders: fw.lookup, secureFailures: false }),
      forwarders: fw.lookup,
      plan: planDelivery,
      now: () => 1_000,
      stopAt: 1_000,
    });
    expect(receives).toBe(0);
    expect(summary).toMatchObject({ total: 3, done: 0 });
    expect(summary.stoppedBecause).toContain('time budget');
  });
});
