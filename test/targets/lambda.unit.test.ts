import type { LambdaClient } from '@aws-sdk/client-lambda';
import { LambdaClient as RealClient } from '@aws-sdk/client-lambda';
import { PayloadTooLargeError, TargetFailedError } from '../../src/errors';
import { LambdaForwarder } from '../../src/targets/lambda';
import { fakeClient, sdkError } from './fake-client';
import { message } from './messages';

// Failures the Lambda emulator cannot produce: throttling, a service 5xx.
const fn = { arn: 'arn:aws:lambda:eu-west-1:000000000000:function:signup:live', kind: 'lambda' as const };
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const ok = (payload: string) => (): unknown => ({ StatusCode: 200, Payload: bytes(payload) });

describe('LambdaForwarder (fake client)', () => {
  it('invokes RequestResponse by ARN (qualifier kept) and returns the decoded response', async () => {
    const { client, sent } = fakeClient<LambdaClient>(ok('{"ok":true}'));
    const outcomes = await new LambdaForwarder(client).send(fn, [message({ a: 1 })], { sync: true });
    expect(outcomes).toEqual([{ ok: true, response: { ok: true } }]);
    expect(sent[0]?.input).toMatchObject({
      FunctionName: fn.arn,
      InvocationType: 'RequestResponse',
      Payload: '{"a":1}',
    });
  });

  it('invokes Event when not sync, with no response', async () => {
    // What the SDK gives for a 202 with no body: Payload null.
    const { client, sent } = fakeClient<LambdaClient>(() => ({ StatusCode: 202, Payload: null }));
    const outcomes = await new LambdaForwarder(client).send(fn, [message(1)], { sync: false });
    expect(outcomes).toEqual([{ ok: true }]);
    expect(sent[0]?.input['InvocationType']).toBe('Event');
    expect(sent[0]?.input['ClientContext']).toBeUndefined();
  });

  // Defect: any custom endpoint (a VPC endpoint, a proxy) was taken for serverless-offline, so
  // `:live` and `:canary` were both invoked by bare name and ran $LATEST.
  it('invokes by ARN, qualifier kept, even against a custom endpoint that is no emulator', async () => {
    const real = new RealClient({
      region: 'eu-west-1',
      endpoint: 'https://vpce-1.lambda.eu-west-1.vpce.amazonaws.com',
    });
    const { client, sent } = fakeClient<LambdaClient>(ok('null'));
    Object.assign(client, { config: real.config });
    await new LambdaForwarder(client).send(fn, [message(1)], { sync: true });
    expect(sent[0]?.input['FunctionName']).toBe(fn.arn);
  });

  it('invokes by bare name, without qualifier, only when told to (the local stack)', async () => {
    const { client, sent } = fakeClient<LambdaClient>(ok('null'));
    await new LambdaForwarder(client, { invokeBy: 'name' }).send(fn, [message(1)], { sync: true });
    expect(sent[0]?.input['FunctionName']).toBe('signup');
    expect(sent[0]?.input['Qualifier']).toBeUndefined();
  });

  it('counts a response over the 6 MB limit as delivered: the function ran', async () => {
    const { client } = fakeClient<LambdaClient>(() => ({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: new TextEncoder().encode(
        JSON.stringify({
          errorType: 'Function.ResponseSizeTooLarge',
          errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
        }),
      ),
    }));
    const [outcome] = await new LambdaForwarder(client).send(fn, [message(1)], { sync: true });
    expect(outcome?.ok).toBe(true);
  });

  it('passes routing metadata as ClientContext.custom on a sync invoke', async () => {
    const { client, sent } = fakeClient<LambdaClient>(ok('null'));
    const m = message(1);
    await new LambdaForwarder(client).send(fn, [m], { sync: true });
    const encoded = sent[0]?.input['ClientContext'] as string;
    expect(JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'))).toEqual({ custom: m.metadata });
  });

  it('leaves ClientContext out when the metadata would pass its 3,583-byte limit', async () => {
    const { client, sent } = fakeClient<LambdaClient>(ok('null'));
    const m = { ...message(1), metadata: { 'psarn-headers': 'h'.repeat(3000) } };
    const outcomes = await new LambdaForwarder(client).send(fn, [m], { sync: true });
    expect(outcomes[0]?.ok).toBe(true);
    expect(sent[0]?.input['ClientContext']).toBeUndefined();
  });

  it("reports a function error as a failed outcome with the function's message", async () => {
    const { client } = fakeClient<LambdaClient>(() => ({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: bytes('{"errorType":"Error","errorMessage":"boom"}'),
    }));
    const [outcome] = await new LambdaForwarder(client).send(fn, [message(1)], { sync: true });
    expect(outcome?.ok === false && outcome.error).toBeInstanceOf(TargetFailedError);
    expect(outcome?.ok === false && outcome.error.message).toBe(
      `delivery to ${fn.arn} failed: function error (Unhandled) Error: boom`,
    );
  });

  it('turns throttling and 5xx into failed outcomes for those messages only', async () => {
    const { client } = fakeClient<LambdaClient>((c) => {
      const payload = c.input['Payload'] as string;
      if (payload === '1') throw sdkError('TooManyRequestsException', 'Rate Exceeded.', 429);
      if (payload === '2') throw sdkError('ServiceException', 'internal', 500);
      return { StatusCode: 200, Payload: bytes('"fine"') };
    });
    const outcomes = await new LambdaForwarder(client).send(fn, [message(0), message(1), message(2)], {
      sync: true,
    });
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, false]);
    expect(outcomes[0]).toEqual({ ok: true, response: 'fine' });
    expect(outcomes[1]?.ok === false && outcomes[1].error.message).toContain(
      'TooManyRequestsException (HTTP 429',
    );
    expect(outcomes[2]?.ok === false && outcomes[2].error.message).toContain('ServiceException (HTTP 500');
  });

  it('applies the async limit to Event and the sync limit to RequestResponse', async () => {
    const { client, sent } = fakeClient<LambdaClient>(ok('null'));
    const big = message('x'.repeat(2_000_000));
    const lambda = new LambdaForwarder(client);
    const [asyncOutcome] = await lambda.send(fn, [big], { sync: false });
    expect(asyncOutcome?.ok === false && asyncOutcome.error).toBeInstanceOf(PayloadTooLargeError);
    expect(sent).toHaveLength(0);
    const [syncOutcome] = await lambda.send(fn, [big], { sync: true });
    expect(syncOutcome?.ok).toBe(true);
  });

  it('keeps at most `concurrency` invocations in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const { client } = fakeClient<LambdaClient>(async () => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      return { StatusCode: 202 };
    });
    const outcomes = await new LambdaForwarder(client, { concurrency: 3 }).send(
      fn,
      Array.from({ length: 12 }, (_, i) => message(i)),
      { sync: false },
    );
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(peak).toBe(3);
  });
});
