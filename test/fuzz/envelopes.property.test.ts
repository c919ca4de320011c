import fc from 'fast-check';
import {
  DLQ,
  ROUTES,
  createHarness,
  commonViolations,
  isErrorAnswer,
  isObject,
  KNOWN_CODES,
  type Harness,
  type Invocation,
} from './router-harness';
import { isPsarn } from '../../src/psarn/psarn';
import { directEnvelope, httpEnvelope, plain, psarn, sqsEnvelope } from './envelope-arbitraries';
import { ServiceForwarders, sqsDeliverable } from './service-forwarders';

/**
 * The router's promise under hostile input (issue "Nothing lost under faults", fuzzing part):
 * bad input gets a typed error (PsarnError with a code from ErrorCode) before anything is sent;
 * never a crash or an untyped error. Envelopes of all three forms, valid and hostile, run through
 * parseEnvelope + respond + Router exactly as src/router/handler.ts runs them, over an in-memory
 * route table (split, fanout, park, alias, FIFO with groupBy, EventBridge).
 *
 * Default: 10,000 envelopes over the three forms (+ 3,000 against service rules, + 500 malformed
 * psARNs). FUZZ_RUNS=<n>
 * multiplies every numRuns by n (FUZZ_RUNS=10 for a long run); FUZZ_SEED=<seed> replays a run.
 */
const SCALE = Math.max(1, Number(process.env['FUZZ_RUNS'] ?? '1') || 1);
const runs = (n: number): number => Math.round(n * SCALE);
/** Jest's 60 s default is too tight for a loaded CI machine or a scaled-up run. */
const FUZZ_TIMEOUT_MS = 600_000 * SCALE;
// A fixed seed by default, so `npm test` is the same run every time (CI never fails on a new draw);
// FUZZ_SEED=<seed> replays another, FUZZ_SEED=random explores new inputs.
const seedText = process.env['FUZZ_SEED'] ?? '20261201';
const seed = seedText === 'random' ? {} : { seed: Number(seedText) };
export const NUM_RUNS = {
  direct: runs(4000),
  http: runs(3500),
  sqs: runs(2500),
  services: runs(1000),
  psarns: runs(500),
};

async function check(harness: Harness, envelope: unknown, extra: (inv: Invocation) => string[] = () => []) {
  const inv = await harness.invoke(envelope);
  const problems = [...commonViolations(inv), ...extra(inv)];
  expect(problems).toEqual([]);
}

/** direct: `{error: {code, message}}` with a known code, or a report / Lambda response. */
function directAnswer(inv: Invocation): string[] {
  if (!('returned' in inv.result)) return [];
  const answer = inv.result.returned;
  if (isObject(answer) && 'error' in answer) return errorShape(answer['error']);
  return [];
}

/** The handler answers in HTTP form whenever the event has a `requestContext` key. */
const answerOf = (envelope: unknown) =>
  isObject(envelope) && 'requestContext' in envelope ? httpAnswer : directAnswer;

function httpAnswer(inv: Invocation): string[] {
  if (!('returned' in inv.result)) return [];
  const answer = inv.result.returned;
  if (!isObject(answer) || typeof answer['statusCode'] !== 'number' || typeof answer['body'] !== 'string')
    return [`HTTP answer is not {statusCode, headers, body}: ${JSON.stringify(answer)?.slice(0, 200)}`];
  if (answer['statusCode'] === 200) return [];
  let body: unknown;
  try {
    body = JSON.parse(answer['body']);
  } catch {
    return ['HTTP error answer body is not JSON'];
  }
  return isObject(body) ? errorShape(body['error']) : ['HTTP error answer body is not an object'];
}

function errorShape(error: unknown): string[] {
  if (!isObject(error) || typeof error['code'] !== 'string' || !KNOWN_CODES.has(error['code']))
    return [`rejection without a known code: ${JSON.stringify(error)?.slice(0, 200)}`];
  return typeof error['message'] === 'string' ? [] : ['rejection without a message'];
}

/** SQS: only messageIds of the batch are answered; every record is accepted, dead-lettered or failed. */
function sqsAnswer(envelope: unknown) {
  return (inv: Invocation): string[] => {
    if (!('returned' in inv.result)) return [];
    const answer = inv.result.returned;
    const records = (envelope as { Records: { messageId: string }[] }).Records;
    const ids = new Set(records.map((r) => r.messageId));
    if (!isObject(answer) || !Array.isArray(answer['batchItemFailures']))
      return ['SQS answer has no batchItemFailures'];
    const failures = answer['batchItemFailures'] as { itemIdentifier?: unknown }[];
    const problems = failures
      .filter((f) => typeof f.itemIdentifier !== 'string' || !ids.has(f.itemIdentifier))
      .map(
        (f) => `batchItemFailures names ${JSON.stringify(f.itemIdentifier)}, not a messageId of the batch`,
      );
    // Nothing lost: a record neither failed back to SQS nor delivered must be in the DLQ.
    const failed = new Set(failures.map((f) => f.itemIdentifier));
    const deadLettered = inv.sent.filter(
      (s) => s.message.metadata['psarn-park-reason'] === 'rejected',
    ).length;
    const rejectedRecords = records.length - inv.delivered.length;
    const kept = deadLettered + [...failed].length;
    if (kept < rejectedRecords && failures.length < records.length)
      problems.push(
        `${rejectedRecords} records rejected, ${deadLettered} dead-lettered, ${failed.size} failed back to SQS`,
      );
    return problems;
  };
}

const options = (numRuns: number) => ({ numRuns, ...seed });

describe('router envelopes under fuzzing (property)', () => {
  it(
    `direct invokes: typed answers, nothing sent for a rejection, a status per planned target (${NUM_RUNS.direct} runs)`,
    async () => {
      const harness = await createHarness();
      await expect(
        fc.assert(
          fc.asyncProperty(directEnvelope.map(plain), (e) => check(harness, e, directAnswer)),
          options(NUM_RUNS.direct),
        ),
      ).resolves.toBeUndefined();
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    `HTTP events: JSON answers with a status, typed rejections, nothing sent for them (${NUM_RUNS.http} runs)`,
    async () => {
      const harness = await createHarness();
      await expect(
        fc.assert(
          fc.asyncProperty(httpEnvelope.map(plain), (e) => check(harness, e, answerOf(e))),
          options(NUM_RUNS.http),
        ),
      ).resolves.toBeUndefined();
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    `SQS batches: only the batch's messageIds answered, rejected records kept, nothing sent for them (${NUM_RUNS.sqs} runs)`,
    async () => {
      const harness = await createHarness();
      await expect(
        fc.assert(
          fc.asyncProperty(sqsEnvelope.map(plain), (e) => check(harness, e, sqsAnswer(e))),
          options(NUM_RUNS.sqs),
        ),
      ).resolves.toBeUndefined();
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    `an accepted event is never refused by a target service for what it is (${NUM_RUNS.services} runs per form)`,
    async () => {
      // Forwarders that refuse what SQS, SNS and EventBridge refuse (size with attributes,
      // characters, a non-object Detail): such input must be rejected before anything is sent.
      const harness = await createHarness(new ServiceForwarders(true));
      const refusedNothing = (inv: Invocation): string[] =>
        inv.refused.map((r) => `${r.target} refused a copy of an accepted event: ${r.reason}`);
      const property = (arb: fc.Arbitrary<unknown>, extra: (e: unknown) => (inv: Invocation) => string[]) =>
        expect(
          fc.assert(
            fc.asyncProperty(arb, (e) =>
              check(harness, e, (inv) => [...refusedNothing(inv), ...extra(e)(inv)]),
            ),
            options(NUM_RUNS.services),
          ),
        ).resolves.toBeUndefined();
      await property(directEnvelope.map(plain), () => directAnswer);
      await property(httpEnvelope.map(plain), answerOf);
      // SQS checked the characters of an ingress record when the producer sent it.
      await property(sqsEnvelope.map(plain).map(sqsDeliverable), sqsAnswer);
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    `a psARN that is not well-formed is rejected as INVALID_PSARN without reading the route table (${NUM_RUNS.psarns} runs)`,
    async () => {
      // docs/routes.md: "A malformed psARN is rejected with an InvalidPsarnError (code INVALID_PSARN)".
      // Looking it up instead answers ROUTE_NOT_FOUND, and against DynamoDB a key over 2,048 bytes
      // (a 3 KB psARN) is a ValidationException, which the store reports as STORE_UNAVAILABLE:
      // retried by Lambda and by SQS forever instead of rejected.
      const harness = await createHarness();
      await expect(
        fc.assert(
          fc.asyncProperty(
            psarn.filter((p) => p !== '' && !isPsarn(p)),
            fc.constantFrom('direct', 'http', 'sqs'),
            async (p, form) => {
              const before = harness.store.reads;
              const inv = await harness.invoke(envelopeFor(form, p));
              const codes = [
                ...inv.prepared.flatMap((r) => (r.ok ? ['accepted'] : [r.error.code])),
                ...inv.rejectedCodes,
              ];
              expect({ storeReads: harness.store.reads - before, codes }).toEqual({
                storeReads: 0,
                codes: codes.map(() => 'INVALID_PSARN'),
              });
            },
          ),
          options(NUM_RUNS.psarns),
        ),
      ).resolves.toBeUndefined();
    },
    FUZZ_TIMEOUT_MS,
  );
});

function envelopeFor(form: 'direct' | 'http' | 'sqs', p: string, body = '{"userId":"u1"}'): unknown {
  if (form === 'direct') return { headers: { psarn: p }, payload: JSON.parse(body) };
  if (form === 'http')
    return { requestContext: { http: { method: 'POST' } }, headers: { 'x-psarn': p }, body };
  return {
    Records: [
      { messageId: 'm1', eventSource: 'aws:sqs', body, messageAttributes: { psarn: { stringValue: p } } },
    ],
  };
}

/**
 * The smallest inputs the properties above found, one per finding, so each can be fixed and
 * checked on its own. All are in the router's envelope handling (src/router/*).
 */
describe('router envelopes: found by fuzzing', () => {
  const typedAndNothingSent = async (envelope: unknown, services = false) => {
    const harness = await createHarness(new ServiceForwarders(services));
    const inv = await harness.invoke(envelope);
    return {
      problems: commonViolations(inv),
      refused: inv.refused.map((r) => `${r.target}: ${r.reason}`),
      rejected: 'thrown' in inv.result || isErrorAnswer(inv.result.returned),
      sent: inv.sent.map((s) => s.target),
    };
  };
  const rejectedBeforeSending = { problems: [], refused: [], rejected: true, sent: [] };
  const deep = (levels: number): unknown => {
    let v: unknown = 1;
    for (let i = 0; i < levels; i++) v = { a: v };
    return v;
  };

  it('a direct payload nested 5,000 levels deep (JSON.parse reads it) is a typed rejection, not a RangeError', async () => {
    // Router.prepare: JSON.stringify(inbound.payload) overflows the stack; prepare rethrows it.
    await expect(
      typedAndNothingSent({ headers: { psarn: ROUTES.split.psarn }, payload: deep(5000) }),
    ).resolves.toEqual(rejectedBeforeSending);
  });

  it.each([
    ['direct', { headers: { psarn: ROUTES.bus.psarn }, payload: [1] }],
    ['direct', { headers: { psarn: ROUTES.bus.psarn }, payload: 'text' }],
    [
      'HTTP',
      {
        requestContext: { http: { method: 'POST' } },
        headers: { 'x-psarn': ROUTES.bus.psarn },
        body: 'true',
      },
    ],
    ['SQS', envelopeFor('sqs', ROUTES.bus.psarn, 'null')],
  ])(
    '%s: a payload that is not a JSON object for an EventBridge target is rejected before sending (%j)',
    async (_form, envelope) => {
      // PutEvents refuses a Detail that is not a JSON object (MalformedDetail).
      const result = await typedAndNothingSent(envelope, true);
      if ('Records' in (envelope as object)) {
        // An ingress record is kept in the router DLQ with its error, not sent to the bus.
        expect(result.refused).toEqual([]);
        expect(result.sent).toEqual([DLQ]);
      } else expect(result).toEqual(rejectedBeforeSending);
    },
  );

  it.each([
    ['a NUL in psarn-trace-id', { 'psarn-trace-id': '\u0000' }],
    ['U+FFFE in psarn-trace-id', { 'psarn-trace-id': '\ufffe' }],
    ['a lone surrogate in psarn-trace-id', { 'psarn-trace-id': '\ud800' }],
    ['U+FFFF in a producer header (psarn-headers)', { 'x-tenant': '\uffff' }],
  ])('direct: %s is rejected before anything is sent, not half-delivered', async (_what, headers) => {
    // SQS refuses these characters in a message attribute, so the FIFO copy, its park queue and
    // the DLQ all refuse it after the Lambda copy went out; the invoke then fails
    // (DeliveryIncompleteError) and a retry sends the Lambda copy again.
    await expect(
      typedAndNothingSent(
        { headers: { psarn: ROUTES.fifo.psarn, ...headers }, payload: { customerId: 'c1' } },
        true,
      ),
    ).resolves.toEqual(rejectedBeforeSending);
  });

  it('HTTP: U+FFFE in a JSON body (valid JSON, refused by SQS) is rejected before anything is sent', async () => {
    await expect(
      typedAndNothingSent(
        {
          requestContext: { http: { method: 'POST' } },
          headers: { 'x-psarn': ROUTES.fifo.psarn },
          body: '{"customerId":"c1","note":"\ufffe"}',
        },
        true,
      ),
    ).resolves.toEqual(rejectedBeforeSending);
  });

  it('producer headers count against the size limit: a payload that fits but whose headers do not is rejected before sending', async () => {
    // assertFits keeps METADATA_RESERVE_BYTES (4 KiB) for attributes whatever the headers weigh:
    // 3 KB of payload passes, 5.5 KB of headers in psarn-headers then overflow every SQS/SNS copy,
    // the DLQ included, after the Lambda copy went out.
    await expect(
      typedAndNothingSent(
        { headers: { psarn: ROUTES.fanout.psarn, 'x-big': 'h'.repeat(5500) }, payload: 'x'.repeat(3000) },
        true,
      ),
    ).resolves.toEqual(rejectedBeforeSending);
  });

  it.each([
    ['a 3 KB path', 'arn:aws:psarns:us-east-1:000000000000:/' + 'a'.repeat(3000)],
    ['#control', '#control'],
    ['an SQS queue ARN', DLQ],
    ['a near miss in upper case', ROUTES.split.psarn.toUpperCase()],
  ])('direct: %s as the psARN is INVALID_PSARN, not looked up', async (_what, p) => {
    // Against DynamoDB a partition key over 2,048 bytes is a ValidationException, which
    // DynamoRouteStore reports as STORE_UNAVAILABLE: a direct invoke throws (and is retried),
    // an SQS record is failed back to its queue again and again instead of dead-lettered.
    const harness = await createHarness();
    const inv = await harness.invoke({ headers: { psarn: p }, payload: {} });
    expect(harness.store.reads).toBe(0);
    expect('returned' in inv.result && inv.result.returned).toMatchObject({
      error: { code: 'INVALID_PSARN' },
    });
  });
});
