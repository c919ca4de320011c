/**
 * The router's envelope schemas, hand-written: zod (455 kB minified, most of the router bundle and
 * of its cold start) stays with the CLI's route files. The three checks below accept, reject and
 * word their first issue exactly as the zod schemas they replace did (`path: message`, zod 4's
 * "Invalid input: expected …, received …"), which test/router/envelope-shape.test.ts holds them to.
 * Each returns a fresh copy holding only the fields it knows, as zod's parse did, so a producer's
 * extra keys never travel on, and a key named `__proto__` in a record is skipped, never assigned.
 */

/** The first problem found, in field order: the path to it and what is wrong. */
export interface ShapeIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export type Shaped<T> =
  { readonly ok: true; readonly data: T } | { readonly ok: false; readonly issue: ShapeIssue };

export interface DirectShape {
  readonly headers: Record<string, string>;
  readonly payload: unknown;
}

export interface HttpShape {
  readonly headers?: Record<string, string | undefined>;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  readonly requestContext: { readonly http: { readonly method: string } };
}

export interface SqsRecordShape {
  readonly messageId: string;
  readonly body: string;
  readonly eventSource: 'aws:sqs';
  readonly messageAttributes?: Record<string, { readonly stringValue?: string }>;
  readonly attributes?: { readonly ApproximateReceiveCount?: string };
}

export interface SqsShape {
  readonly Records: SqsRecordShape[];
}

/** Thrown inside a check and caught at its top: the first issue ends the walk. */
class Stop {
  constructor(readonly issue: ShapeIssue) {}
}

type Path = readonly (string | number)[];

/** `{ headers: Record<string, string>, payload: unknown }`, payload present (may be null). */
export function checkDirect(input: unknown): Shaped<DirectShape> {
  return run(() => {
    const o = object(input, []);
    const headers = record(o['headers'], ['headers'], (v, p) => string(v, p));
    // zod's z.unknown() inside an object accepts any value, but not an absent key.
    if (!Object.hasOwn(o, 'payload')) throw new Stop(invalid(['payload'], 'nonoptional', undefined));
    return { headers, payload: o['payload'] };
  });
}

/** An HTTP API v2 / Function URL event: `requestContext.http.method` is what tells it apart. */
export function checkHttp(input: unknown): Shaped<HttpShape> {
  return run(() => {
    const o = object(input, []);
    const headers = optional(o['headers'], (v) =>
      record(v, ['headers'], (value, p) => optional(value, (s) => string(s, p))),
    );
    const body = optional(o['body'], (v) => (v === null ? null : string(v, ['body'])));
    const isBase64Encoded = optional(o['isBase64Encoded'], (v) => boolean(v, ['isBase64Encoded']));
    const context = object(o['requestContext'], ['requestContext']);
    const http = object(context['http'], ['requestContext', 'http']);
    const method = string(http['method'], ['requestContext', 'http', 'method']);
    return {
      ...(headers === undefined ? {} : { headers }),
      ...(body === undefined ? {} : { body }),
      ...(isBase64Encoded === undefined ? {} : { isBase64Encoded }),
      requestContext: { http: { method } },
    };
  });
}

/** An SQS event source batch: at least one record, each from `aws:sqs`. */
export function checkSqs(input: unknown): Shaped<SqsShape> {
  return run(() => {
    const o = object(input, []);
    const list = o['Records'];
    if (!Array.isArray(list)) throw new Stop(invalid(['Records'], 'array', list));
    const records = list.map((item: unknown, i) => sqsRecord(item, ['Records', i]));
    if (records.length < 1)
      throw new Stop({ path: ['Records'], message: 'Too small: expected array to have >=1 items' });
    return { Records: records };
  });
}

function sqsRecord(input: unknown, path: Path): SqsRecordShape {
  const o = object(input, path);
  const messageId = string(o['messageId'], [...path, 'messageId']);
  const body = string(o['body'], [...path, 'body']);
  if (o['eventSource'] !== 'aws:sqs')
    throw new Stop({ path: [...path, 'eventSource'], message: 'Invalid input: expected "aws:sqs"' });
  const messageAttributes = optional(o['messageAttributes'], (v) =>
    record(v, [...path, 'messageAttributes'], (value, p) => {
      const attribute = object(value, p);
      const stringValue = optional(attribute['stringValue'], (s) => string(s, [...p, 'stringValue']));
      return stringValue === undefined ? {} : { stringValue };
    }),
  );
  const attributes = optional(o['attributes'], (v) => {
    const a = object(v, [...path, 'attributes']);
    const count = optional(a['ApproximateReceiveCount'], (s) =>
      string(s, [...path, 'attributes', 'ApproximateReceiveCount']),
    );
    return count === undefined ? {} : { ApproximateReceiveCount: count };
  });
  return {
    messageId,
    body,
    eventSource: 'aws:sqs',
    ...(messageAttributes === undefined ? {} : { messageAttributes }),
    ...(attributes === undefined ? {} : { attributes }),
  };
}

function run<T>(check: () => T): Shaped<T> {
  try {
    return { ok: true, data: check() };
  } catch (err) {
    if (err instanceof Stop) return { ok: false, issue: err.issue };
    throw err;
  }
}

function optional<T>(value: unknown, check: (v: unknown) => T): T | undefined {
  return value === undefined ? undefined : check(value);
}

function string(value: unknown, path: Path): string {
  if (typeof value !== 'string') throw new Stop(invalid(path, 'string', value));
  return value;
}

function boolean(value: unknown, path: Path): boolean {
  if (typeof value !== 'boolean') throw new Stop(invalid(path, 'boolean', value));
  return value;
}

/** zod's z.object: any object that is not an array (a Date too); unknown keys are dropped. */
function object(value: unknown, path: Path): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Stop(invalid(path, 'object', value));
  return value as Record<string, unknown>;
}

/** zod's z.record with string keys: a plain object, every own enumerable string key but `__proto__`. */
function record<T>(value: unknown, path: Path, check: (v: unknown, path: Path) => T): Record<string, T> {
  if (!isPlainObject(value)) throw new Stop(invalid(path, 'record', value));
  const out: Record<string, T> = {};
  for (const key of Object.keys(value)) {
    if (key === '__proto__') continue;
    out[key] = check(value[key], [...path, key]);
  }
  return out;
}

/** zod 4's isPlainObject: what z.record accepts. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const ctor = (value as { constructor?: unknown }).constructor;
  if (ctor === undefined || typeof ctor !== 'function') return true;
  const prototype: unknown = (ctor as { prototype?: unknown }).prototype;
  if (typeof prototype !== 'object' || prototype === null || Array.isArray(prototype)) return false;
  return Object.hasOwn(prototype, 'isPrototypeOf');
}

function invalid(path: Path, expected: string, value: unknown): ShapeIssue {
  return { path, message: `Invalid input: expected ${expected}, received ${received(value)}` };
}

/** zod 4's name of what it received: `null`, `array`, `NaN`, a class name, else `typeof`. */
function received(value: unknown): string {
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : 'number';
  if (typeof value !== 'object') return typeof value;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const ctor = (value as { constructor?: unknown }).constructor;
  if (Object.getPrototypeOf(value) !== Object.prototype && typeof ctor === 'function' && ctor.name !== '')
    return ctor.name;
  return 'object';
}
