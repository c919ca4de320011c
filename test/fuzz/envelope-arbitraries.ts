import fc from 'fast-check';
import { ROUTE_PSARNS } from './router-harness';
import { lambdaArn, sqsArn } from '../support/routes';

/**
 * Envelopes for the router, valid and hostile. Everything generated is a JSON value (what
 * Lambda's runtime can hand the handler), except where noted; the big ones (3 KB psARNs,
 * 5,000-level nesting, huge header sets) are built once and picked as constants, so a run stays
 * quick.
 */

/** Characters that break naive handling: controls, non-characters, lone surrogates, astral. */
const NASTY_CHARS = [
  '\u0000',
  '\u0001',
  '\u001f',
  '\u007f',
  '\t',
  '\n',
  '\r',
  '\ufffe',
  '\uffff',
  '\ud800',
  '\udfff',
  '\u2028',
  '\u00e9',
  '\u{1f600}',
  '"',
  '\\',
  '/',
  '.',
  ':',
  '#',
  '$',
  '{',
  '}',
];

export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 3, arbitrary: fc.string({ unit: fc.constantFrom(...NASTY_CHARS), maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '\ufffe',
      '\uffff',
      '\ud800',
      'x'.repeat(3000),
      '\u00e9'.repeat(2050),
    ),
  },
);

const deep = (depth: number, leaf: unknown, wrap: (v: unknown) => unknown): unknown => {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = wrap(v);
  return v;
};
/** A short name for fast-check's reports, which would overflow the stack printing 5,000 levels. */
const named = <T extends object>(value: T, name: string): T =>
  Object.defineProperty(value, fc.toStringMethod, { value: () => name, enumerable: false });
/** ~5,000 levels: JSON.parse reads it, a recursive walk may not. */
export const DEEP_OBJECT = named(deep(5000, 1, (v) => ({ a: v })) as object, '<{"a": … 5,000 levels}>');
export const DEEP_ARRAY = named(deep(5000, [], (v) => [v]) as object, '<[[… 5,000 levels]]>');
export const DEEP_TEXT = '['.repeat(5000) + ']'.repeat(5000);
export const DEEP_OBJECT_TEXT = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);

/** The fuzz forwarders take 8 KiB, less 4 KiB kept for metadata: payloads around 4,096 bytes. */
const nearLimit: fc.Arbitrary<unknown> = fc
  .tuple(fc.integer({ min: 4080, max: 4100 }), fc.constantFrom('x', '\u00e9', '\u{1f600}', '\u0001'))
  .map(([n, c]) => c.repeat(Math.ceil(n / Buffer.byteLength(c))));

export const payload: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  {
    weight: 4,
    arbitrary: fc.record(
      {
        userId: fc.oneof(nastyString, fc.jsonValue({ maxDepth: 1 })),
        customerId: fc.oneof(
          nastyString,
          fc.integer(),
          fc.boolean(),
          fc.constant(null),
          fc.jsonValue({ maxDepth: 1 }),
        ),
        data: fc.jsonValue({ maxDepth: 2 }),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: nearLimit },
  { weight: 1, arbitrary: nearLimit.map((data) => ({ customerId: 'c1', data })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(DEEP_OBJECT, DEEP_ARRAY, null, 0, '', [], {}, 'x'.repeat(9000)),
  },
);

const validPsarn = fc.constantFrom(...ROUTE_PSARNS);
export const psarn: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: validPsarn },
  // Near misses: one edit away from a real route.
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        validPsarn,
        fc.constantFrom('upper', 'slash', 'space', 'segment', 'region', 'nul', 'fffe', 'surrogate', 'dotdot'),
      )
      .map(
        ([p, how]) =>
          ({
            upper: p.toUpperCase(),
            slash: `${p}/`,
            space: ` ${p}`,
            segment: `${p}/x`,
            region: p.replace('us-east-1', 'eu-west-1'),
            nul: `${p}\u0000`,
            fffe: `${p}\ufffe`,
            surrogate: `${p}\ud800`,
            dotdot: p.replace('/fuzz/', '/fuzz/../'),
          })[how] as string,
      ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '#control',
      '',
      'arn:aws:psarns:us-east-1:000000000000:/' + 'a'.repeat(3000),
      'arn:aws:psarns:us-east-1:000000000000:/' + Array.from({ length: 40 }, () => 'seg').join('/'),
      sqsArn('router-dlq'),
      sqsArn('holding'),
      lambdaArn('v1'),
      'arn:aws:psarns:us-east-1:000000000000',
      'arn:aws:psarns:::/',
      '__proto__',
      'constructor',
    ),
  },
  { weight: 2, arbitrary: nastyString },
);

const HEADER_NAMES = [
  'psarn-trace-id',
  'x-tenant',
  'X-Tenant',
  'content-type',
  'host',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'psarn-headers',
  'psarn-route-version',
  'PSARN',
  'x-psarn',
  '',
];
const headerName = fc.oneof(fc.constantFrom(...HEADER_NAMES), nastyString);
const headerValue = nastyString;
const HUGE_HEADERS: Record<string, string> = named(
  Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`x-h${i}`, `value-${i}`])),
  '<600 headers x-h0..x-h599>',
);
const LONG_HEADER: Record<string, string> = named({ 'x-big': 'h'.repeat(7000) }, "<{'x-big': 7,000 × h}>");
export const extraHeaders: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { weight: 6, arbitrary: fc.dictionary(headerName, headerValue, { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom(HUGE_HEADERS, LONG_HEADER) },
);
export const traceId: fc.Arbitrary<string | undefined> = fc.option(nastyString, { nil: undefined });

/** Any JSON value, for fields of the wrong type. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom<unknown>(null, 0, -1, 1e308, true, '', 'x', [], {}, [1], { psarn: 1 }),
);

/** Replace, delete or add one field of an object (a near-miss envelope). */
function mutate<T extends Record<string, unknown>>(
  base: fc.Arbitrary<T>,
  keys: readonly string[],
): fc.Arbitrary<unknown> {
  return fc
    .tuple(base, fc.constantFrom(...keys, 'extra'), fc.constantFrom('delete', 'replace'), junk)
    .map(([value, key, how, replacement]) => {
      const copy: Record<string, unknown> = { ...value };
      if (key === 'extra') copy['unexpected'] = replacement;
      else if (how === 'delete') delete copy[key];
      else copy[key] = replacement;
      return copy;
    });
}

// ---- direct invoke: {headers: {psarn, ...}, payload}

const directValid = fc
  .record({ psarn, headers: extraHeaders, trace: traceId, payload })
  .map(({ psarn: p, headers, trace, payload: body }) => ({
    headers: { ...headers, psarn: p, ...(trace === undefined ? {} : { 'psarn-trace-id': trace }) },
    payload: body,
  }));
export const directEnvelope: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: directValid },
  { weight: 2, arbitrary: mutate(directValid, ['headers', 'payload']) },
  {
    weight: 1,
    arbitrary: fc.record({ psarn, payload }).map(({ psarn: p, payload: body }) => ({
      headers: { psarn: p, 'x-n': 1, 'x-o': { a: 1 }, 'x-null': null },
      payload: body,
    })),
  },
  { weight: 1, arbitrary: junk },
);

// ---- HTTP: API Gateway v2 / Function URL, header x-psarn, body = payload

const bodyText: fc.Arbitrary<{ body: string | null | undefined; isBase64Encoded?: unknown }> = fc.oneof(
  { weight: 5, arbitrary: payload.map((p) => ({ body: safeStringify(p) })) },
  {
    weight: 2,
    arbitrary: payload.map((p) => ({
      body: Buffer.from(safeStringify(p)).toString('base64'),
      isBase64Encoded: true,
    })),
  },
  { weight: 2, arbitrary: nastyString.map((s) => ({ body: s })) },
  { weight: 1, arbitrary: nastyString.map((s) => ({ body: s, isBase64Encoded: true })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      { body: DEEP_TEXT },
      { body: DEEP_OBJECT_TEXT },
      { body: '"\ufffe\uffff"' },
      { body: '{"a":"\ud800"}' },
      { body: '"\\ud800"' },
      { body: null },
      { body: undefined },
      { body: '' },
      { body: '{"a":1}', isBase64Encoded: 'yes' },
      { body: '////', isBase64Encoded: true },
      { body: '{' },
      { body: `"${'\u00e9'.repeat(2100)}"` },
    ),
  },
);
const httpValid = fc
  .record({
    psarn,
    psarnHeader: fc.constantFrom('x-psarn', 'X-Psarn', 'X-PSARN', 'psarn'),
    headers: extraHeaders,
    trace: traceId,
    body: bodyText,
    method: fc.constantFrom('POST', 'GET', 'PUT', ''),
  })
  .map(({ psarn: p, psarnHeader, headers, trace, body, method }) => ({
    requestContext: { http: { method } },
    headers: { ...headers, [psarnHeader]: p, ...(trace === undefined ? {} : { 'psarn-trace-id': trace }) },
    ...withoutUndefined(body),
  }));
export const httpEnvelope: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: httpValid },
  { weight: 2, arbitrary: mutate(httpValid, ['headers', 'body', 'isBase64Encoded', 'requestContext']) },
  {
    weight: 1,
    arbitrary: fc.tuple(httpValid, junk).map(([e, j]) => ({ ...e, requestContext: { http: j } })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(httpValid, junk)
      .map(([e, j]) => ({ ...e, headers: { ...(e.headers as object), 'x-odd': j } })),
  },
);

// ---- SQS ingress batches: message attribute psarn, body = payload

const attributes = fc
  .record({ psarn: fc.option(psarn, { nil: undefined }), headers: extraHeaders, trace: traceId })
  .map(({ psarn: p, headers, trace }) => {
    const all: Record<string, string> = { ...headers };
    if (p !== undefined) all['psarn'] = p;
    if (trace !== undefined) all['psarn-trace-id'] = trace;
    return Object.fromEntries(
      Object.entries(all).map(([k, v]) => [k, { stringValue: v, dataType: 'String' }]),
    );
  });
const recordValid = fc
  .record({
    messageId: fc.oneof(fc.uuid(), nastyString),
    body: fc.oneof(
      { weight: 5, arbitrary: payload.map(safeStringify) },
      { weight: 1, arbitrary: nastyString },
      { weight: 1, arbitrary: fc.constantFrom(DEEP_TEXT, '"\ufffe"', '') },
    ),
    messageAttributes: attributes,
  })
  .map((r) => ({ ...r, eventSource: 'aws:sqs' }));
const sqsRecord: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: recordValid },
  { weight: 1, arbitrary: mutate(recordValid, ['messageId', 'body', 'eventSource', 'messageAttributes']) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(recordValid, junk)
      .map(([r, j]) => ({ ...r, messageAttributes: { ...r.messageAttributes, psarn: j } })),
  },
);
export const sqsEnvelope: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.array(sqsRecord, { minLength: 1, maxLength: 10 }).map((Records) => ({ Records })),
  },
  // The same messageId twice in one batch.
  { weight: 1, arbitrary: recordValid.map((r) => ({ Records: [r, { ...r }] })) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.constant({ Records: [] }),
      junk.map((Records) => ({ Records: [Records] })),
    ),
  },
);

/**
 * A copy with ordinary prototypes, as JSON.parse builds (fast-check may build null-prototype
 * objects; an own `__proto__` key stays an own key). The 5,000-level constants are kept as is.
 */
export function plain(value: unknown): unknown {
  if (value === DEEP_OBJECT || value === DEEP_ARRAY) return value;
  if (value === HUGE_HEADERS || value === LONG_HEADER) return value;
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

/** JSON text of a generated payload; the 5,000-level ones cannot be stringified recursively. */
export function safeStringify(value: unknown): string {
  if (value === DEEP_OBJECT) return DEEP_OBJECT_TEXT;
  if (value === DEEP_ARRAY) return DEEP_TEXT;
  return JSON.stringify(value) ?? 'null';
}

function withoutUndefined<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
