import { InvalidPsarnError } from '../errors';

/**
 * The grammar of a pseudo-ARN (psARN), the address producers send events to:
 *
 *     arn:aws:psarns:<region>:<account>:/<segment>[/<segment>...]
 *
 * The path is deliberately narrower than what AWS allows in resource names: it becomes a
 * DynamoDB key, a Mermaid/dot node label, a log field and part of URLs, so it keeps to characters
 * that need no escaping anywhere. docs/routes.md documents the same limits for users.
 */
export const PSARN_PARTITION = 'aws';
export const PSARN_SERVICE = 'psarns';
/** At most this many `/`-separated segments in a path. */
export const MAX_PATH_SEGMENTS = 16;
/** At most this many characters in one segment. */
export const MAX_SEGMENT_LENGTH = 64;
/** At most this many characters in the whole path, leading `/` included. */
export const MAX_PATH_LENGTH = 256;

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const ACCOUNT = /^\d{12}$/;
const SEGMENT_CHAR = /[A-Za-z0-9._-]/;
const ALLOWED_CHARS = 'letters, digits, ".", "_" and "-"';

/** A psARN taken apart. `segments` are the path's parts without slashes. */
export interface PsarnParts {
  readonly arn: string;
  readonly region: string;
  readonly account: string;
  /** The path with its leading slash: `/event/newUser`. */
  readonly path: string;
  readonly segments: readonly string[];
}

/** What is wrong with a would-be psARN: the part (`region`, `path segment 2`, …) and why. */
export interface PsarnProblem {
  readonly part: string;
  readonly reason: string;
}

/**
 * Say what is wrong with `text` as a psARN, or `undefined` when it is valid. The first problem
 * from left to right wins, so a message always points at one part.
 *
 * @example
 * psarnProblem('arn:aws:psarns:eu-west-1:123:/x') // { part: 'account', reason: '"123" is not 12 digits' }
 */
export function psarnProblem(text: string): PsarnProblem | undefined {
  const parts = text.split(':');
  if (parts[0] !== 'arn') {
    return { part: 'prefix', reason: 'must start with "arn:"' };
  }
  const [, partition, service, region, account] = parts;
  if (partition !== PSARN_PARTITION) {
    return { part: 'partition', reason: `${quote(partition)} must be "${PSARN_PARTITION}"` };
  }
  if (service !== PSARN_SERVICE) {
    return { part: 'service', reason: `${quote(service)} must be "${PSARN_SERVICE}"` };
  }
  if (region === undefined || !REGION.test(region)) {
    return { part: 'region', reason: `${quote(region)} is not a region like eu-west-1` };
  }
  if (account === undefined || !ACCOUNT.test(account)) {
    return { part: 'account', reason: `${quote(account)} is not 12 digits` };
  }
  return pathProblem(parts.length > 5 ? parts.slice(5).join(':') : undefined);
}

function pathProblem(path: string | undefined): PsarnProblem | undefined {
  if (path === undefined || path === '') {
    return { part: 'path', reason: 'is missing: expected /<segment>[/<segment>...] after the account' };
  }
  if (!path.startsWith('/')) return { part: 'path', reason: `${quote(path)} must start with "/"` };
  if (path.length > MAX_PATH_LENGTH) {
    return { part: 'path', reason: `is ${path.length} characters long, more than ${MAX_PATH_LENGTH}` };
  }
  if (path.length > 1 && path.endsWith('/')) {
    return { part: 'path', reason: `${quote(path)} must not end with "/"` };
  }
  const segments = path.slice(1).split('/');
  if (segments.length > MAX_PATH_SEGMENTS) {
    return { part: 'path', reason: `has ${segments.length} segments, more than ${MAX_PATH_SEGMENTS}` };
  }
  for (const [index, segment] of segments.entries()) {
    const part = `path segment ${index + 1}`;
    if (segment === '') {
      return {
        part,
        reason: segments.length === 1 ? 'is empty: a path needs at least one segment' : 'is empty ("//")',
      };
    }
    if (segment.length > MAX_SEGMENT_LENGTH) {
      return {
        part,
        reason: `${quote(segment)} is ${segment.length} characters long, more than ${MAX_SEGMENT_LENGTH}`,
      };
    }
    const bad = [...segment].find((char) => !SEGMENT_CHAR.test(char));
    if (bad !== undefined) {
      return { part, reason: `${quote(segment)} contains ${quote(bad)}: only ${ALLOWED_CHARS} are allowed` };
    }
    if (segment === '.' || segment === '..') {
      return { part, reason: `${quote(segment)} is not allowed: it reads as a relative path` };
    }
  }
  return undefined;
}

function quote(value: string | undefined): string {
  return value === undefined ? '(missing)' : JSON.stringify(value);
}

/**
 * Parse a psARN. Throws {@link InvalidPsarnError} naming the first wrong part.
 *
 * @example
 * parsePsarn('arn:aws:psarns:eu-west-1:123456789012:/event/newUser').segments // ['event', 'newUser']
 */
export function parsePsarn(text: string): PsarnParts {
  const problem = psarnProblem(text);
  if (problem) throw new InvalidPsarnError(text, problem.part, problem.reason);
  const [, , , region = '', account = ''] = text.split(':');
  const path = text.split(':').slice(5).join(':');
  return { arn: text, region, account, path, segments: path.slice(1).split('/') };
}

/**
 * Build a psARN from its parts; the result is validated, so a bad part throws
 * {@link InvalidPsarnError} exactly as parsing would.
 *
 * @example
 * formatPsarn({ region: 'eu-west-1', account: '123456789012', segments: ['event', 'newUser'] })
 * // 'arn:aws:psarns:eu-west-1:123456789012:/event/newUser'
 */
export function formatPsarn(
  parts:
    | { readonly region: string; readonly account: string; readonly path: string }
    | { readonly region: string; readonly account: string; readonly segments: readonly string[] },
): string {
  const path = 'path' in parts ? parts.path : `/${parts.segments.join('/')}`;
  return parsePsarn(`arn:${PSARN_PARTITION}:${PSARN_SERVICE}:${parts.region}:${parts.account}:${path}`).arn;
}

/**
 * True when `text` is a well-formed psARN.
 *
 * @example
 * isPsarn('arn:aws:psarns:eu-west-1:123456789012:/event/newUser') // true
 * isPsarn('arn:aws:sqs:eu-west-1:123456789012:orders') // false
 */
export function isPsarn(text: unknown): text is string {
  return typeof text === 'string' && psarnProblem(text) === undefined;
}
