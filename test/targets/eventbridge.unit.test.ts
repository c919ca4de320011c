import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventBridgeClient as RealClient } from '@aws-sdk/client-eventbridge';
import { PayloadTooLargeError } from '../../src/errors';
import { EventBridgeForwarder } from '../../src/targets/eventbridge';
import { fakeClient, sdkError, type SentCommand } from './fake-client';
import { message, PSARN } from './messages';

// Failures the EventBridge emulator cannot produce: it always answers FailedEntryCount 0.
const bus = { arn: 'arn:aws:events:eu-west-1:000000000000:event-bus/orders', kind: 'events' as const };
type Entry = { EventBusName: string; Source: string; DetailType: string; Detail: string };
const entriesOf = (c: SentCommand): Entry[] => c.input['Entries'] as Entry[];
const acceptAll = (c: SentCommand): unknown => ({
  FailedEntryCount: 0,
  Entries: entriesOf(c).map((_, i) => ({ EventId: `e${i}` })),
});

describe('EventBridgeForwarder (fake client)', () => {
  it('puts the body as Detail, with DetailType from the psARN path and Source "psarn" by default', async () => {
    const { client, sent } = fakeClient<EventBridgeClient>(acceptAll);
    await new EventBridgeForwarder(client).send(bus, [message({ a: 1 })], { sync: false });
    expect(entriesOf(sent[0] as SentCommand)).toEqual([
      { EventBusName: bus.arn, Source: 'psarn', DetailType: PSARN.split(':')[5], Detail: '{"a":1}' },
    ]);
  });

  it('uses the target detailType and source, and the bus name when told to', async () => {
    const { client, sent } = fakeClient<EventBridgeClient>(acceptAll);
    await new EventBridgeForwarder(client, { busBy: 'name' }).send(
      { ...bus, detailType: 'NewUser', source: 'shop' },
      [message(1)],
      { sync: false },
    );
    expect(entriesOf(sent[0] as SentCommand)[0]).toMatchObject({
      EventBusName: 'orders',
      DetailType: 'NewUser',
      Source: 'shop',
    });
  });

  it('names the bus by ARN even against a custom endpoint: only the local stack asks for names', async () => {
    const real = new RealClient({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:1' });
    const { client, sent } = fakeClient<EventBridgeClient>(acceptAll);
    Object.assign(client, { config: real.config });
    await new EventBridgeForwarder(client).send(bus, [message(1)], { sync: false });
    expect(entriesOf(sent[0] as SentCommand)[0]?.EventBusName).toBe(bus.arn);
  });

  it('turns FailedEntryCount into per-entry outcomes', async () => {
    const { client } = fakeClient<EventBridgeClient>((c) => ({
      FailedEntryCount: 1,
      Entries: entriesOf(c).map((_, i) =>
        i === 1 ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' } : { EventId: `e${i}` },
      ),
    }));
    const outcomes = await new EventBridgeForwarder(client).send(bus, [message(0), message(1), message(2)], {
      sync: false,
    });
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    expect(outcomes[1]?.ok === false && outcomes[1].error.message).toBe(
      `delivery to ${bus.arn} failed: ThrottlingException: Rate exceeded`,
    );
  });

  it('sends 25 events as 10, 10 and 5 and fails a whole 5xx request without throwing', async () => {
    const { client, sent } = fakeClient<EventBridgeClient>((c) => {
      if (entriesOf(c).length === 5) throw sdkError('InternalException', 'internal', 500);
      return acceptAll(c);
    });
    const outcomes = await new EventBridgeForwarder(client).send(
      bus,
      Array.from({ length: 25 }, (_, i) => message(i)),
      { sync: false },
    );
    expect(sent.map((c) => entriesOf(c).length)).toEqual([10, 10, 5]);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(20);
    expect(outcomes[24]?.ok === false && outcomes[24].error.message).toContain('InternalException (HTTP 500');
  });

  it('refuses an entry whose Source + DetailType + Detail is over the limit, without sending it', async () => {
    const { client, sent } = fakeClient<EventBridgeClient>(acceptAll);
    const outcomes = await new EventBridgeForwarder(client, { maxPayloadBytes: 100 }).send(
      { ...bus, detailType: 'D', source: 'S' },
      [message('x'.repeat(97)), message('x'.repeat(96))],
      { sync: false },
    );
    // '"' + 97 x + '"' = 99 bytes, + 'S' + 'D' = 101 > 100; the other is exactly 100.
    expect(outcomes.map((o) => o.ok)).toEqual([false, true]);
    expect(outcomes[0]?.ok === false && outcomes[0].error).toBeInstanceOf(PayloadTooLargeError);
    expect(sent).toHaveLength(1);
  });
});
