/**
 * A router that fails its invocation (route table unreachable, a copy it could keep nowhere, a
 * crash) reaches the producer as a typed, retryable error. The router in serverless-offline reads
 * the shared stack's table, which this file must not take down, so the failure is Lambda's answer
 * (FunctionError + Lambda's JSON error payload) produced by a middleware on a real LambdaClient:
 * an SDK-level fake for a failure the shared emulator cannot be made to produce safely.
 */
import { LambdaClient, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { createPsarnClient } from '../../src/client';
import { ERROR_KINDS } from '../../src/errors';

function failingLambda(payload: string): LambdaClient {
  const lambda = new LambdaClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  lambda.middlewareStack.add(
    () => async () => {
      const output: InvokeCommandOutput = {
        StatusCode: 200,
        FunctionError: 'Unhandled',
        Payload: Buffer.from(payload) as unknown as NonNullable<InvokeCommandOutput['Payload']>,
        $metadata: {},
      };
      return { output, response: {} };
    },
    { step: 'initialize', name: 'routerFails' },
  );
  return lambda;
}

const P = 'arn:aws:psarns:us-east-1:000000000000:/event/newUser';

describe('a router that fails its invocation', () => {
  it.each([
    // [the error class Lambda names, its message, the code the producer gets]
    ['StoreUnavailableError', 'route store unavailable: reading route … timed out', 'STORE_UNAVAILABLE'],
    [
      'DeliveryIncompleteError',
      'event t1 could be neither delivered, parked nor dead-lettered',
      'DELIVERY_INCOMPLETE',
    ],
    ['Error', 'Task timed out after 30.00 seconds', 'TARGET_UNAVAILABLE'],
  ])('%s (%s) becomes the retryable %s', async (errorType, errorMessage, code) => {
    const lambda = failingLambda(JSON.stringify({ errorType, errorMessage, trace: [] }));
    const client = createPsarnClient({ mode: 'router', stage: 'prod', clients: { lambda } });
    const sent = client.send(P, { userId: 'u1' }, { eventId: 'e1' });
    await expect(sent).rejects.toMatchObject({
      code,
      message: expect.stringContaining(
        `router function psarn-prod-router (stage prod) failed the invocation: ${errorMessage}. A retry can succeed`,
      ),
    });
    expect(ERROR_KINDS[code as keyof typeof ERROR_KINDS].retryable).toBe(true);
    lambda.destroy();
  });
});
