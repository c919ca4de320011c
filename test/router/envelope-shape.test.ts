import fc from 'fast-check';
import { z } from 'zod';
import { checkDirect, checkHttp, checkSqs, type Shaped } from '../../src/router/envelope-shape';
import { directEnvelope, httpEnvelope, plain, sqsEnvelope } from '../fuzz/envelope-arbitraries';

/**
 * The router's envelope checks are hand-written so that zod stays out of the router bundle
 * (issue 11). Producers and tests rely on their answers and messages, so they are held here to
 * the zod schemas they replaced, verbatim below: the same accept/reject, the same first issue
 * (`path: message`), the same data, over the fuzzer's valid and hostile envelopes.
 */
const directSchema = z.object({
  headers: z.record(z.string(), z.string()),
  payload: z.unknown(),
});
const httpSchema = z.object({
  headers: z.record(z.string(), z.string().optional()).optional(),
  body: z.string().nullable().optional(),
  isBase64Encoded: z.boolean().optional(),
  requestContext: z.object({ http: z.object({ method: z.string() }) }),
});
const sqsRecordSchema = z.object({
  messageId: z.string(),
  body: z.string(),
  eventSource: z.literal('aws:sqs'),
  messageAttributes: z.record(z.string(), z.object({ stringValue: z.string().optional() })).optional(),
  attributes: z.object({ ApproximateReceiveCount: z.string().optional() }).optional(),
});
const sqsSchema = z.object({ Records: z.array(sqsRecordSchema).min(1) });

type Answer = { ok: true; data: unknown } | { ok: false; first: string };

function reference(schema: z.ZodType, input: unknown): Answer {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, data: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, first: `${issue?.path.join('.')}: ${issue?.message}` };
}

function ours(result: Shaped<unknown>): Answer {
  return result.ok
    ? { ok: true, data: result.data }
    : { ok: false, first: `${result.issue.path.join('.')}: ${result.issue.message}` };
}

const seed = { seed: 20261201 };

describe('hand-written envelope checks answer as the zod schemas did', () => {
  it('direct envelopes', () => {
    fc.assert(
      fc.property(directEnvelope, (raw) => {
        const input = plain(raw);
        expect(ours(checkDirect(input))).toEqual(reference(directSchema, input));
      }),
      { ...seed, numRuns: 500 },
    );
  });

  it('HTTP API v2 / Function URL events', () => {
    fc.assert(
      fc.property(httpEnvelope, (raw) => {
        const input = plain(raw);
        expect(ours(checkHttp(input))).toEqual(reference(httpSchema, input));
      }),
      { ...seed, numRuns: 500 },
    );
  });

  it('SQS ingress batches', () => {
    fc.assert(
      fc.property(sqsEnvelope, (raw) => {
        const input = plain(raw);
        expect(ours(checkSqs(input))).toEqual(reference(sqsSchema, input));
      }),
      { ...seed, numRuns: 500 },
    );
  });

  it('any JSON value in place of an envelope or of one of its fields', () => {
    const value = fc.jsonValue({ maxDepth: 2 });
    const shapes = fc.oneof(
      value,
      fc.record({ headers: value, payload: value }, { requiredKeys: [] }),
      fc.record(
        { headers: value, body: value, isBase64Encoded: value, requestContext: value },
        { requiredKeys: [] },
      ),
      fc.record({ requestContext: fc.record({ http: fc.record({ method: value }, { requiredKeys: [] }) }) }),
      fc.record({
        Records: fc.array(
          fc.record(
            {
              messageId: value,
              body: value,
              eventSource: value,
              messageAttributes: value,
              attributes: value,
            },
            { requiredKeys: [] },
          ),
          { maxLength: 3 },
        ),
      }),
    );
    fc.assert(
      fc.property(shapes, (raw) => {
        const input = plain(raw);
        expect(ours(checkDirect(input))).toEqual(reference(directSchema, input));
        expect(ours(checkHttp(input))).toEqual(reference(httpSchema, input));
        expect(ours(checkSqs(input))).toEqual(reference(sqsSchema, input));
      }),
      { ...seed, numRuns: 1000 },
    );
  });

  it('skips a record key named __proto__ as zod does, and words the first issue the same', () => {
    const input = JSON.parse('{"headers": {"__proto__": 5, "psarn": "p", "x": 1}, "payload": 1}') as unknown;
    expect(ours(checkDirect(input))).toEqual({
      ok: false,
      first: 'headers.x: Invalid input: expected string, received number',
    });
    expect(ours(checkDirect(input))).toEqual(reference(directSchema, input));
    expect(ours(checkSqs({ Records: [] }))).toEqual({
      ok: false,
      first: 'Records: Too small: expected array to have >=1 items',
    });
  });
});
