import { InvalidEventPathError } from '../errors';
import type { RoutedEvent } from './plan';

/**
 * Reads one value out of an event by a dotted path, as route files name them for `stickyBy` and
 * FIFO `groupBy`:
 *
 * - `payload` is the whole payload; `payload.a.b` walks into it (array items by index:
 *   `payload.items.0.id`). Only own properties are read, so `payload.constructor` is missing,
 *   not `Object`.
 * - `psarn` is the psARN the event was addressed to.
 * - `headers.<name>` is one producer header. An exact match wins; otherwise the name is matched
 *   in lower case, because HTTP ingress (API Gateway v2, Function URLs) lower-cases header names
 *   and a route author writing `headers.X-Tenant` means the same header.
 *
 * A path is parsed once (per route, not per event) into a reader; reading allocates nothing.
 */
export type EventPathReader = (event: RoutedEvent) => unknown;

// A module binding, not a global lookup per read (see hash.ts).
const hasOwn = Object.hasOwn;

const readers = new Map<string, EventPathReader>();

/**
 * Parse a dotted event path into a reader. Readers are memoised by path text, so the router and
 * the forwarders share one per distinct path.
 *
 * @throws InvalidEventPathError when the path does not start with `payload` or `headers.<name>`,
 *   or has an empty segment.
 *
 * @example
 * const tenant = compileEventPath('payload.tenant.id');
 * tenant({ psarn, payload: { tenant: { id: 't1' } }, headers: {}, traceId }); // 't1'
 */
export function compileEventPath(path: string): EventPathReader {
  const known = readers.get(path);
  if (known !== undefined) return known;
  const reader = buildReader(path);
  readers.set(path, reader);
  return reader;
}

/**
 * Read a value from an event by dotted path; `undefined` when any step is missing.
 *
 * @example
 * readEventPath({ psarn, payload: { userId: 42 }, headers: {}, traceId }, 'payload.userId'); // 42
 */
export function readEventPath(event: RoutedEvent, path: string): unknown {
  return compileEventPath(path)(event);
}

function buildReader(path: string): EventPathReader {
  const segments = path.split('.');
  if (segments.some((s) => s.length === 0)) {
    throw new InvalidEventPathError(path, 'has an empty segment (two dots, or a dot at either end)');
  }
  const [root, ...rest] = segments;
  if (root === 'payload') {
    if (rest.length === 0) return (event) => event.payload;
    return (event) => walk(event.payload, rest);
  }
  if (root === 'headers') {
    const [name, ...extra] = rest;
    if (name === undefined || extra.length > 0) {
      throw new InvalidEventPathError(path, 'names one header: headers.<name>');
    }
    const lower = name.toLowerCase();
    return (event) => {
      const headers = event.headers;
      if (hasOwn(headers, name)) return headers[name];
      return hasOwn(headers, lower) ? headers[lower] : undefined;
    };
  }
  // The event's own psARN: the default group of a FIFO holding queue (one ordered group per route).
  if (root === 'psarn' && rest.length === 0) return (event) => event.psarn;
  throw new InvalidEventPathError(path, 'starts with "payload" or "headers", or is "psarn"');
}

function walk(start: unknown, segments: readonly string[]): unknown {
  let value = start;
  for (const segment of segments) {
    if (typeof value !== 'object' || value === null || !hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/**
 * A copy of `event` with `value` placed at `path`, creating objects along the way. For tools that
 * build a sample event from a key (`psarn resolve --key`), not for the hot path.
 *
 * @example
 * withEventPath(event, 'payload.user.id', 'u1').payload; // { user: { id: 'u1' } }
 */
export function withEventPath(event: RoutedEvent, path: string, value: unknown): RoutedEvent {
  compileEventPath(path); // validates
  const [root, ...rest] = path.split('.');
  if (root === 'headers') {
    return { ...event, headers: { ...event.headers, [rest[0] as string]: String(value) } };
  }
  return { ...event, payload: setIn(event.payload, rest, value) };
}

function setIn(base: unknown, segments: readonly string[], value: unknown): unknown {
  const [head, ...rest] = segments;
  if (head === undefined) return value;
  const object: Record<string, unknown> =
    typeof base === 'object' && base !== null && !Array.isArray(base)
      ? { ...(base as Record<string, unknown>) }
      : {};
  object[head] = setIn(object[head], rest, value);
  return object;
}
