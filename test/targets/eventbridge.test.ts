import { randomUUID } from 'node:crypto';
import { createAwsClients } from '../../src/targets/clients';
import { EventBridgeForwarder } from '../../src/targets/eventbridge';
import { forwarderContract } from './forwarder.contract';
import { message } from './messages';
import { pollUntil, recordReader } from './read-back';

// Against serverless-offline-aws-eventbridge: busListener is subscribed to psarn-local-bus with the
// pattern { source: ['psarn'] } and records each event it gets (the whole EventBridge event).
const clients = createAwsClients();
const region = process.env.AWS_REGION ?? 'us-east-1';
const account = process.env.PSARN_ACCOUNT ?? '000000000000';
const bus = { arn: `arn:aws:events:${region}:${account}:event-bus/psarn-local-bus`, kind: 'events' as const };
const listener = 'psarn-local-busListener';

forwarderContract(
  'EventBridge bus',
  () => ({
    target: bus,
    forwarder: new EventBridgeForwarder(clients.eventbridge, { busBy: 'name' }),
    sync: false,
    read: recordReader(listener, (event) => event['detail']),
    carriesMetadata: false,
  }),
  { hasPoison: false },
);

describe('EventBridge on serverless-offline-aws-eventbridge', () => {
  it('delivers with DetailType and Source from the target', async () => {
    const id = `typed-${randomUUID()}`;
    const [outcome] = await new EventBridgeForwarder(clients.eventbridge, { busBy: 'name' }).send(
      { ...bus, detailType: 'NewUser', source: 'psarn' },
      [message({ id })],
      { sync: false },
    );
    expect(outcome?.ok).toBe(true);
    const events = recordReader(listener, (event) => ({
      ...(event['detail'] as object),
      type: event['detail-type'],
    }));
    const arrivals = await pollUntil(events, (a) => a.has(id));
    expect(JSON.parse(arrivals.get(id)?.[0]?.body ?? '{}')).toEqual({ id, type: 'NewUser' });
  });

  it('defaults DetailType to the psARN path', async () => {
    const id = `default-type-${randomUUID()}`;
    const m = message({ id });
    await new EventBridgeForwarder(clients.eventbridge, { busBy: 'name' }).send(bus, [m], { sync: false });
    const events = recordReader(listener, (event) => ({
      ...(event['detail'] as object),
      type: event['detail-type'],
    }));
    const arrivals = await pollUntil(events, (a) => a.has(id));
    expect(JSON.parse(arrivals.get(id)?.[0]?.body ?? '{}')).toEqual({ id, type: '/event/contract' });
  });

  it('accepts every entry, even a malformed Detail AWS would reject: per-entry failures are unit-tested', async () => {
    // The emulator always answers FailedEntryCount 0, so eventbridge.unit.test.ts covers the
    // per-entry mapping with a fake client. If this starts failing, the emulator gained validation
    // and the contract's service-rejection clause can run here too.
    const [outcome] = await new EventBridgeForwarder(clients.eventbridge, { busBy: 'name' }).send(
      bus,
      [{ ...message({ id: 'malformed' }), body: '{not json' }],
      { sync: false },
    );
    expect(outcome).toEqual({ ok: true });
  });
});
