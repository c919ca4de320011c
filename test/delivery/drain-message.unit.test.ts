/**
 * How drain reads one message: a kept copy (attributes) or a Lambda invocation record (JSON body),
 * and why it skips the rest. Pure functions of the message, so no queue is needed.
 */
import type { Message } from '@aws-sdk/client-sqs';
import { readKept, SkipReason, type KeptEvent } from '../../src/delivery/drain-message';
import { psarnOf } from '../support/routes';

const mine = psarnOf('/read/mine');
const other = psarnOf('/read/other');

function message(body: string, attributes: Record<string, string> = {}, id = 'mid-1'): Message {
  return {
    MessageId: id,
    Body: body,
    MessageAttributes: Object.fromEntries(
      Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
    ),
  };
}

function record(requestContext: Record<string, unknown>, requestPayload?: unknown): string {
  return JSON.stringify({
    version: '1.0',
    timestamp: '2026-12-01T20:00:00.000Z',
    requestContext: {
      requestId: 'req-1',
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:router:$LATEST',
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
      ...requestContext,
    },
    ...(requestPayload === undefined ? {} : { requestPayload }),
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorMessage: 'boom' },
  });
}

const kept = (m: Message, onlyPsarn?: string): KeptEvent => {
  const out = readKept(m, { psarn: mine, ...(onlyPsarn === undefined ? {} : { onlyPsarn }) });
  if (typeof out === 'string') throw new Error(`skipped: ${out}`);
  return out;
};

describe('readKept', () => {
  it('carries the event id: psarn-event-id, else the trace id, else the SQS message id', () => {
    expect(
      kept(message('{}', { psarn: mine, 'psarn-event-id': 'e1', 'psarn-trace-id': 't1' })).event,
    ).toMatchObject({
      eventId: 'e1',
      traceId: 't1',
    });
    expect(kept(message('{}', { psarn: mine, 'psarn-trace-id': 't1' })).event).toMatchObject({
      eventId: 't1',
    });
    expect(kept(message('{}', { psarn: mine }, 'mid-9')).event).toMatchObject({
      eventId: 'mid-9',
      traceId: 'mid-9',
    });
  });

  it('re-plans parked, rejected and reason-less copies whole, and every other reason as one missing copy', () => {
    for (const reason of ['route-parked', 'rejected', 'payload-invalid', undefined])
      expect(
        kept(message('{}', { psarn: mine, ...(reason === undefined ? {} : { 'psarn-park-reason': reason }) }))
          .whole,
      ).toBe(true);
    for (const reason of ['target-failed', 'deadline', 'anything-new'])
      expect(kept(message('{}', { psarn: mine, 'psarn-park-reason': reason })).whole).toBe(false);
  });

  it('keeps the routing attributes a narrowed copy must carry, and only those', () => {
    const m = message('{}', {
      psarn: mine,
      'psarn-route-version': '4',
      'psarn-trace-id': 't',
      'psarn-headers': '{"a":"b"}',
      'psarn-event-id': 'e',
      'psarn-error': 'X: y',
      'psarn-park-reason': 'route-parked',
    });
    expect(kept(m).carried).toEqual({
      psarn: mine,
      'psarn-route-version': '4',
      'psarn-trace-id': 't',
      'psarn-headers': '{"a":"b"}',
      'psarn-event-id': 'e',
    });
  });

  it('reads an invocation record: psARN and headers from the envelope, request id as event id (and default trace id)', () => {
    const out = kept(
      message(
        record({}, { headers: { psarn: mine, 'psarn-trace-id': 'tr', tenant: 't1' }, payload: { n: 1 } }),
      ),
      mine,
    );
    expect(out).toMatchObject({
      event: { psarn: mine, payload: { n: 1 }, headers: { tenant: 't1' }, traceId: 'tr', eventId: 'req-1' },
      body: '{"n":1}',
      whole: true,
    });
    expect(kept(message(record({}, { headers: { psarn: mine }, payload: 'x' })), mine).event.traceId).toBe(
      'req-1',
    );
  });

  it('says why it skips a message', () => {
    const read = (m: Message, onlyPsarn?: string) =>
      readKept(m, { psarn: mine, ...(onlyPsarn === undefined ? {} : { onlyPsarn }) });
    expect(read(message('{}', { psarn: other }), mine)).toBe(SkipReason.otherPsarn);
    expect(read(message('{}', { psarn: other, 'psarn-route': other }))).toBe(SkipReason.otherRoute);
    expect(read(message('not json', { psarn: mine }))).toBe(SkipReason.notJson);
    expect(read(message('{"n":1}'), mine)).toBe(SkipReason.noPsarn);
    expect(read(message(record({}, { headers: { psarn: other }, payload: 1 })), mine)).toBe(
      SkipReason.otherPsarn,
    );
    expect(
      read(message(record({ condition: 'Success' }, { headers: { psarn: mine }, payload: 1 })), mine),
    ).toBe(SkipReason.succeededInvocation);
    expect(read(message(record({}, { headers: { psarn: mine } })), mine)).toBe(SkipReason.noRequestPayload);
    expect(read(message(record({})), mine)).toBe(SkipReason.noPsarn);
  });
});

describe('a re-drive starts a new chain', () => {
  it('drops the hop count of a kept copy (an event dead-lettered for LOOP_DETECTED is not stopped again)', () => {
    const event = kept(
      message('{"a":1}', {
        psarn: mine,
        'psarn-headers': '{"psarn-hops":"10","tenant":"acme"}',
        'psarn-park-reason': 'rejected',
        'psarn-error': 'LOOP_DETECTED: …',
      }),
    ).event;
    expect(event.headers).toEqual({ tenant: 'acme' });
  });

  it('drops it from a failed invocation record too', () => {
    const out = readKept(
      message(
        record({}, { headers: { psarn: mine, 'psarn-hops': '10', tenant: 'acme' }, payload: { a: 1 } }),
      ),
      { psarn: mine },
    );
    expect(typeof out).not.toBe('string');
    expect((out as KeptEvent).event.headers).toEqual({ tenant: 'acme' });
  });
});
