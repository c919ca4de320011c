import { randomUUID } from 'node:crypto';
import { PayloadTooLargeError, TargetFailedError } from '../../src/errors';
import { createAwsClients } from '../../src/targets/clients';
import { LambdaForwarder } from '../../src/targets/lambda';
import { PayloadLimits } from '../../src/targets/limits';
import { forwarderContract } from './forwarder.contract';
import { message } from './messages';
import { pollUntil, recordReader } from './read-back';

// Against serverless-offline (the suite's local stack): psarn-local-signupV1 records every event
// it receives to ${PSARN_RECORD_DIR}/psarn-local-signupV1.jsonl and returns { ok, function, received }.
const clients = createAwsClients();
const region = process.env.AWS_REGION ?? 'us-east-1';
const account = process.env.PSARN_ACCOUNT ?? '000000000000';
const fn = (name: string, qualifier?: string) => ({
  arn: `arn:aws:lambda:${region}:${account}:function:${name}${qualifier === undefined ? '' : `:${qualifier}`}`,
  kind: 'lambda' as const,
});
// A qualified ARN: serverless-offline knows no aliases, so the forwarder must drop it locally.
const recorder = fn('psarn-local-signupV1', 'live');

/** Not JSON: serverless-offline fails the Invoke (AWS answers InvalidRequestContentException). */
const poison = (marker: string) => ({ ...message({ id: marker }), body: `{"id":"${marker}", not json` });

// First, while the emulator is least loaded: a cold worker under load can pass the 6 s timeout.
describe('Lambda on serverless-offline', () => {
  it("returns the function's response, unchanged, on a sync invoke", async () => {
    const payload = { id: `sync-${randomUUID()}`, n: 1 };
    const [outcome] = await new LambdaForwarder(clients.lambda, { invokeBy: 'name' }).send(
      recorder,
      [message(payload)],
      {
        sync: true,
      },
    );
    expect(outcome).toEqual({
      ok: true,
      response: { ok: true, function: 'psarn-local-signupV1', received: payload },
    });
  });

  it("reports a function that throws as a failed outcome with the function's error message", async () => {
    const failing = fn('psarn-local-alwaysFails');
    const [outcome] = await new LambdaForwarder(clients.lambda, { invokeBy: 'name' }).send(
      failing,
      [message({ id: 'x' })],
      {
        sync: true,
      },
    );
    expect(outcome?.ok === false && outcome.error).toBeInstanceOf(TargetFailedError);
    expect(outcome?.ok === false && outcome.error.message).toBe(
      `delivery to ${failing.arn} failed: function error (Unhandled) Error: psarn-local-alwaysFails always fails`,
    );
  });

  it('reports an unknown function as a failed outcome, not a throw', async () => {
    const missing = fn(`psarn-local-missing${randomUUID().slice(0, 8)}`);
    const [outcome] = await new LambdaForwarder(clients.lambda, { invokeBy: 'name' }).send(
      missing,
      [message({ id: 'x' })],
      {
        sync: true,
      },
    );
    expect(outcome?.ok).toBe(false);
    expect(outcome?.ok === false && outcome.error.message).toContain(missing.arn);
  });

  it('cannot be reached by ARN: serverless-offline routes by function name only', async () => {
    const id = `by-arn-${randomUUID()}`;
    const [outcome] = await new LambdaForwarder(clients.lambda, { invokeBy: 'arn' }).send(
      fn('psarn-local-signupV1'),
      [message({ id })],
      { sync: true },
    );
    expect(outcome?.ok).toBe(false);
    const arrivals = await pollUntil(
      recordReader('psarn-local-signupV1', (e) => e),
      (a) => a.has(id),
      500,
    );
    expect(arrivals.has(id)).toBe(false);
  });
});

forwarderContract(
  'Lambda RequestResponse',
  () => ({
    target: recorder,
    // Two in flight, not the default ten: serverless-offline starts a worker thread per concurrent
    // invoke, and on a busy 2-core machine ten cold workers can pass the 6 s function timeout.
    forwarder: new LambdaForwarder(clients.lambda, { concurrency: 2, invokeBy: 'name' }),
    sync: true,
    read: recordReader('psarn-local-signupV1', (event) => event),
    carriesMetadata: false,
    poison,
  }),
  { hasPoison: true },
);

/*
 * Event (asynchronous) invokes: not the full contract. serverless-offline runs an Event invoke
 * detached and does not catch its failure, so one that throws or passes the function timeout (easy
 * with 25 cold workers on a 2-core machine) crashes the whole emulator (Lambda and EventBridge) for
 * every suite. The router itself invokes RequestResponse, which the contract above covers in full;
 * here: the Event path delivers exactly, and the async limit (1 MiB, not 6 MiB) is applied before
 * sending. Batching is the same code path as RequestResponse (one Invoke per message).
 */
describe('Lambda Event on serverless-offline', () => {
  const read = recordReader('psarn-local-signupV1', (event) => event);

  it('delivers the body byte-for-byte', async () => {
    const m = message({ id: `event-${randomUUID()}`, text: 'héllo ✓ "q"\n', n: [1, 2.5] });
    const [outcome] = await new LambdaForwarder(clients.lambda, { invokeBy: 'name' }).send(recorder, [m], {
      sync: false,
    });
    expect(outcome).toEqual({ ok: true });
    const id = (m.event.payload as { id: string }).id;
    const arrivals = await pollUntil(read, (a) => a.has(id));
    expect(arrivals.get(id)?.map((r) => r.body)).toEqual([m.body]);
  });

  it('refuses a payload over the 1 MiB async limit before sending, though a sync invoke would take it', async () => {
    const [small, big] = [`small-${randomUUID()}`, `big-${randomUUID()}`];
    const oversize = message({ id: big, pad: 'x'.repeat(PayloadLimits.lambda.async) });
    const outcomes = await new LambdaForwarder(clients.lambda, { invokeBy: 'name' }).send(
      recorder,
      [oversize, message({ id: small })],
      {
        sync: false,
      },
    );
    expect(outcomes.map((o) => o.ok)).toEqual([false, true]);
    expect(outcomes[0]?.ok === false && outcomes[0].error).toBeInstanceOf(PayloadTooLargeError);
    const arrivals = await pollUntil(read, (a) => a.has(small));
    expect(arrivals.has(small)).toBe(true);
    expect(arrivals.has(big)).toBe(false);
  });

  it('reports a payload the service rejects as failed', async () => {
    const [outcome] = await new LambdaForwarder(clients.lambda, { invokeBy: 'name' }).send(
      recorder,
      [poison(`bad-${randomUUID()}`)],
      {
        sync: false,
      },
    );
    expect(outcome?.ok === false && outcome.error.message).toContain(recorder.arn);
  });
});
