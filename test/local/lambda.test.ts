import { randomUUID } from 'node:crypto';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { RECORDER_FUNCTIONS, localName } from '../../src/local/demo-resources';
import { lambdaClient, waitForRecords } from '../support/stack';

const decode = (payload: Uint8Array | undefined): unknown =>
  JSON.parse(Buffer.from(payload ?? []).toString('utf8'));

describe('the local stack Lambda endpoint (serverless-offline)', () => {
  it('invokes signupV1 by name, returns the recorder response and writes its record', async () => {
    const event = { headers: { id: randomUUID() }, payload: { userId: 'u-1', name: 'Zoë' } };
    const out = await lambdaClient().send(
      new InvokeCommand({ FunctionName: localName('signupV1'), Payload: JSON.stringify(event) }),
    );
    expect(out.FunctionError).toBeUndefined();
    expect(decode(out.Payload)).toEqual({ ok: true, function: 'psarn-local-signupV1', received: event });
    const [record] = await waitForRecords(
      'signupV1',
      (r) => JSON.stringify(r.event) === JSON.stringify(event),
    );
    expect(record?.function).toBe('psarn-local-signupV1');
    expect(Date.parse(record?.receivedAt ?? '')).not.toBeNaN();
  });

  it.each(RECORDER_FUNCTIONS.filter((f) => f !== 'signupV1'))(
    'records an async (Event) invoke of %s',
    async (key) => {
      const event = { id: randomUUID() };
      const out = await lambdaClient().send(
        new InvokeCommand({
          FunctionName: localName(key),
          InvocationType: 'Event',
          Payload: JSON.stringify(event),
        }),
      );
      expect(out.StatusCode).toBe(202);
      await expect(
        waitForRecords(key, (r) => (r.event as { id?: string }).id === event.id),
      ).resolves.toHaveLength(1);
    },
  );

  it('returns a function error from alwaysFails', async () => {
    const out = await lambdaClient().send(
      new InvokeCommand({ FunctionName: localName('alwaysFails'), Payload: JSON.stringify({ x: 1 }) }),
    );
    expect(out.FunctionError).toBe('Unhandled');
    expect(decode(out.Payload)).toMatchObject({ errorMessage: 'psarn-local-alwaysFails always fails' });
  });

  it('answers an unknown function name with a not-found error', async () => {
    await expect(
      lambdaClient().send(new InvokeCommand({ FunctionName: localName('noSuchFunction'), Payload: '{}' })),
    ).rejects.toThrow(/not found|ResourceNotFound/i);
  });

  it('finds no function by ARN: serverless-offline knows functions by name only', async () => {
    const arn = `arn:aws:lambda:us-east-1:000000000000:function:${localName('signupV1')}`;
    await expect(
      lambdaClient().send(new InvokeCommand({ FunctionName: arn, Payload: '{}' })),
    ).rejects.toThrow(/not found|ResourceNotFound/i);
  });

  it('ignores a Qualifier: every alias or version reaches the one local function', async () => {
    const event = { id: randomUUID() };
    const out = await lambdaClient().send(
      new InvokeCommand({
        FunctionName: localName('signupV2'),
        Qualifier: 'canary',
        Payload: JSON.stringify(event),
      }),
    );
    expect(decode(out.Payload)).toEqual({ ok: true, function: 'psarn-local-signupV2', received: event });
  });
});
