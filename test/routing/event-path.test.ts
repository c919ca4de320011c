import { ErrorCode, InvalidEventPathError } from '../../src/errors';
import { compileEventPath, readEventPath, withEventPath } from '../../src/routing/event-path';
import type { RoutedEvent } from '../../src/routing/plan';

const event = (payload: unknown, headers: Record<string, string> = {}): RoutedEvent => ({
  psarn: 'arn:aws:psarns:us-east-1:000000000000:/event/x',
  payload,
  headers,
  traceId: 't',
  eventId: 'e',
});

describe('readEventPath', () => {
  it('reads the whole payload, nested fields and array items', () => {
    const e = event({ user: { id: 'u1', tags: ['a', 'b'] }, n: 0 });
    expect(readEventPath(e, 'payload')).toBe(e.payload);
    expect(readEventPath(e, 'payload.user.id')).toBe('u1');
    expect(readEventPath(e, 'payload.user.tags.1')).toBe('b');
    expect(readEventPath(e, 'payload.n')).toBe(0);
  });

  it('gives undefined for any missing step, a scalar on the way, or an inherited property', () => {
    const e = event({ user: { id: 'u1' }, text: 'abc' });
    expect(readEventPath(e, 'payload.user.name')).toBeUndefined();
    expect(readEventPath(e, 'payload.nobody.id')).toBeUndefined();
    expect(readEventPath(e, 'payload.text.length')).toBeUndefined();
    expect(readEventPath(e, 'payload.constructor')).toBeUndefined();
    expect(readEventPath(e, 'payload.user.toString')).toBeUndefined();
    expect(readEventPath(event('plain'), 'payload.x')).toBeUndefined();
    expect(readEventPath(event(null), 'payload.x')).toBeUndefined();
  });

  it('reads a header by exact name, else by its lower-case name', () => {
    expect(readEventPath(event({}, { Tenant: 'exact' }), 'headers.Tenant')).toBe('exact');
    expect(readEventPath(event({}, { tenant: 'lower' }), 'headers.Tenant')).toBe('lower');
    expect(readEventPath(event({}, { tenant: 'lower', Tenant: 'exact' }), 'headers.Tenant')).toBe('exact');
    expect(readEventPath(event({}, {}), 'headers.tenant')).toBeUndefined();
    expect(readEventPath(event({}, {}), 'headers.hasOwnProperty')).toBeUndefined();
  });

  it.each([
    ['body.userId', 'starts with "payload" or "headers"'],
    ['payload..id', 'has an empty segment (two dots, or a dot at either end)'],
    ['payload.', 'has an empty segment (two dots, or a dot at either end)'],
    ['', 'has an empty segment (two dots, or a dot at either end)'],
    ['headers', 'names one header: headers.<name>'],
    ['headers.a.b', 'names one header: headers.<name>'],
  ])('rejects the path %p: it %s', (path, reason) => {
    const run = () => compileEventPath(path);
    expect(run).toThrow(InvalidEventPathError);
    expect(run).toThrow(`invalid event path ${JSON.stringify(path)}: it ${reason}`);
    expect(run).toThrow(expect.objectContaining({ code: ErrorCode.ROUTE_INVALID, context: { path } }));
  });

  it('compiles each path once and shares the reader', () => {
    expect(compileEventPath('payload.shared')).toBe(compileEventPath('payload.shared'));
  });
});

describe('withEventPath', () => {
  it('places a value at a payload path without touching the original event', () => {
    const original = event({ keep: 1, user: { name: 'n' } });
    const next = withEventPath(original, 'payload.user.id', 'u1');
    expect(next.payload).toEqual({ keep: 1, user: { name: 'n', id: 'u1' } });
    expect(original.payload).toEqual({ keep: 1, user: { name: 'n' } });
    expect(readEventPath(next, 'payload.user.id')).toBe('u1');
  });

  it('replaces the whole payload, or sets a header', () => {
    expect(withEventPath(event({ a: 1 }), 'payload', 'k').payload).toBe('k');
    expect(withEventPath(event({}, { a: 'b' }), 'headers.tenant', 't1').headers).toEqual({
      a: 'b',
      tenant: 't1',
    });
  });
});
