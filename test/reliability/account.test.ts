/**
 * The reliability account on its own: it must call a missing copy lost and an unexplained second
 * copy re-sent. That the fault proxy reports exactly the requests that landed without their answer
 * (the only thing that excuses a duplicate) is test/local/fault-proxy.test.ts.
 */
import { copyKey, settleAccount, uncertainKey, type Observed, type PlannedCopy } from './support/account';
import { requestKeys } from './support/soak-harness';

const Q = 'arn:aws:sqs:us-east-1:000000000000:q';
const planned = (eventId: string): PlannedCopy => ({
  eventId,
  target: Q,
  role: 'split',
  destination: 'q',
  holdingQueue: 'hold',
});

function observed(overrides: Partial<Observed> = {}): Observed {
  return {
    delivered: new Map(),
    parked: new Map(),
    deadLettered: new Map(),
    wholeEvent: new Map(),
    uncertain: new Map(),
    producerRetries: new Map(),
    refused: new Set(),
    rejected: new Set(),
    ...overrides,
  };
}

describe('the account', () => {
  it('calls a copy found nowhere lost, and one found once delivered, parked or dead-lettered', () => {
    const account = settleAccount(
      ['e1', 'e2', 'e3', 'e4', 'e5'].map(planned),
      observed({
        delivered: new Map([[copyKey(Q, 'e1'), 1]]),
        parked: new Map([[copyKey(Q, 'e2'), 1]]),
        deadLettered: new Map([[copyKey(Q, 'e3'), 1]]),
        wholeEvent: new Map([['e4', 1]]),
      }),
      'dlq',
    );
    expect(account.total).toMatchObject({ accepted: 5, delivered: 1, parked: 1, deadLettered: 2, lost: 1 });
    expect(account.examples.lost).toEqual([`e5 → ${Q}`]);
  });

  it('allows one duplicate per request that landed unanswered, and calls any other a re-send', () => {
    const account = settleAccount(
      ['e1', 'e2', 'e3'].map(planned),
      observed({
        delivered: new Map([
          [copyKey(Q, 'e1'), 2],
          [copyKey(Q, 'e2'), 3],
          [copyKey(Q, 'e3'), 1],
        ]),
        parked: new Map([[copyKey(Q, 'e3'), 1]]),
        uncertain: new Map([
          [uncertainKey('q', '', 'e1'), 1],
          [uncertainKey('q', '', 'e2'), 1],
          // e3 reached its target, then its park write landed unanswered: delivered and parked.
          [uncertainKey('hold', Q, 'e3'), 1],
        ]),
      }),
      'dlq',
    );
    expect(account.total).toMatchObject({ accepted: 3, delivered: 3, lost: 0, atLeastOnce: 3, resent: 1 });
  });

  it('counts an HTTP producer re-send apart, and a refused or rejected event as not accepted', () => {
    const account = settleAccount(
      ['e1', 'e2', 'e3'].map(planned),
      observed({
        delivered: new Map([[copyKey(Q, 'e1'), 2]]),
        producerRetries: new Map([['e1', 1]]),
        refused: new Set(['e2']),
        rejected: new Set(['e3']),
      }),
      'dlq',
    );
    expect(account.total).toMatchObject({ accepted: 1, refused: 1, lost: 0, producerRetry: 1, resent: 0 });
  });
});

describe('requestKeys', () => {
  const http = (head: string, body: string) => `${head}\r\n\r\n${body}`;

  it('names the queue, the psarn-target and the event of every SQS batch entry', () => {
    const body = JSON.stringify({
      QueueUrl: 'http://sqs.us-east-1.localhost:1/000000000000/hold',
      Entries: [
        { Id: 'm0', MessageBody: '{"id":"e1"}', MessageAttributes: { 'psarn-target': { StringValue: Q } } },
        { Id: 'm1', MessageBody: '{"id":"e2"}' },
      ],
    });
    expect(requestKeys(http('POST / HTTP/1.1\r\nx-amz-target: AmazonSQS.SendMessageBatch', body))).toEqual([
      uncertainKey('hold', Q, 'e1'),
      uncertainKey('hold', '', 'e2'),
    ]);
  });

  it('names the queue, the psarn-target and the event of a single SendMessage', () => {
    const body = JSON.stringify({
      QueueUrl: 'http://sqs.us-east-1.localhost:1/000000000000/hold',
      MessageBody: '{"id":"e1"}',
      MessageAttributes: { 'psarn-target': { DataType: 'String', StringValue: Q } },
    });
    expect(requestKeys(http('POST / HTTP/1.1\r\nx-amz-target: AmazonSQS.SendMessage', body))).toEqual([
      uncertainKey('hold', Q, 'e1'),
    ]);
  });

  it('reads a single SNS Publish (query protocol)', () => {
    const sns = new URLSearchParams({
      Action: 'Publish',
      TopicArn: 'arn:aws:sns:us-east-1:000000000000:topic',
      Message: '{"id":"e1"}',
      'MessageAttributes.entry.1.Name': 'psarn-event-id',
      'MessageAttributes.entry.1.Value.DataType': 'String',
      'MessageAttributes.entry.1.Value.StringValue': 'e1',
    }).toString();
    expect(
      requestKeys(http('POST / HTTP/1.1\r\ncontent-type: application/x-www-form-urlencoded', sns)),
    ).toEqual([uncertainKey('topic', '', 'e1')]);
  });

  it('reads SNS PublishBatch (query protocol), EventBridge PutEvents and Lambda Invoke', () => {
    const sns = new URLSearchParams({
      Action: 'PublishBatch',
      TopicArn: 'arn:aws:sns:us-east-1:000000000000:topic',
      'PublishBatchRequestEntries.member.1.Id': 'm0',
      'PublishBatchRequestEntries.member.1.Message': '{"id":"e1"}',
    }).toString();
    expect(
      requestKeys(http('POST / HTTP/1.1\r\ncontent-type: application/x-www-form-urlencoded', sns)),
    ).toEqual([uncertainKey('topic', '', 'e1')]);
    const events = JSON.stringify({ Entries: [{ EventBusName: 'bus', Detail: '{"id":"e2"}' }] });
    expect(requestKeys(http('POST / HTTP/1.1\r\nX-Amz-Target: AWSEvents.PutEvents', events))).toEqual([
      uncertainKey('bus', '', 'e2'),
    ]);
    expect(
      requestKeys(http('POST /2015-03-31/functions/psarn-local-flaky/invocations HTTP/1.1', '{"id":"e3"}')),
    ).toEqual([uncertainKey('psarn-local-flaky', '', 'e3')]);
  });
});
