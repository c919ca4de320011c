import { randomUUID } from 'node:crypto';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { LOCAL_BUS } from '../../src/local/demo-resources';
import { eventBridgeClient, stackVar, waitForRecords } from '../support/stack';

const busArn = (): string =>
  `arn:aws:events:${stackVar('AWS_REGION')}:${stackVar('PSARN_ACCOUNT')}:event-bus/${LOCAL_BUS}`;

describe('the local stack bus (serverless-offline-aws-eventbridge)', () => {
  it.each([
    ['name', LOCAL_BUS],
    ['ARN', 'arn'],
  ])('delivers PutEvents to psarn-local-bus (bus given by %s) to busListener', async (_form, bus) => {
    const detail = { id: randomUUID(), nested: { a: [1, 2] } };
    const out = await eventBridgeClient().send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: bus === 'arn' ? busArn() : bus,
            Source: 'psarn',
            DetailType: 'NewUser',
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(0);
    const [record] = await waitForRecords('busListener', (r) => JSON.stringify(r.event).includes(detail.id));
    expect(record?.event).toMatchObject({
      source: 'psarn',
      'detail-type': 'NewUser',
      detail,
      account: stackVar('PSARN_ACCOUNT'),
      region: stackVar('AWS_REGION'),
    });
  });

  it('does not deliver events of another source to busListener', async () => {
    const id = randomUUID();
    const entry = (source: string) => ({
      EventBusName: LOCAL_BUS,
      Source: source,
      DetailType: 'X',
      Detail: JSON.stringify({ id, source }),
    });
    await eventBridgeClient().send(new PutEventsCommand({ Entries: [entry('other'), entry('psarn')] }));
    // The psarn event arriving proves the batch was processed; the other one must not be there.
    const records = await waitForRecords('busListener', (r) => JSON.stringify(r.event).includes(id));
    expect(records.map((r) => (r.event as { source: string }).source)).toEqual(['psarn']);
  });
});
