import fc from 'fast-check';
import { InvalidPsarnError } from '../../src/errors';
import {
  MAX_PATH_LENGTH,
  MAX_PATH_SEGMENTS,
  MAX_SEGMENT_LENGTH,
  formatPsarn,
  isPsarn,
  parsePsarn,
} from '../../src/psarn/psarn';

const VALID = 'arn:aws:psarns:eu-west-1:123456789012:/event/newUser';

function failure(text: string): { message: string; part: unknown } {
  try {
    parsePsarn(text);
  } catch (err) {
    if (err instanceof InvalidPsarnError) return { message: err.message, part: err.context['part'] };
    throw err;
  }
  throw new Error(`expected ${text} to be rejected`);
}

describe('parsePsarn', () => {
  it('takes a psARN apart into region, account, path and segments', () => {
    expect(parsePsarn(VALID)).toEqual({
      arn: VALID,
      region: 'eu-west-1',
      account: '123456789012',
      path: '/event/newUser',
      segments: ['event', 'newUser'],
    });
  });

  it('accepts a one-segment path and the allowed punctuation', () => {
    expect(parsePsarn('arn:aws:psarns:us-gov-west-1:000000000000:/a.b_c-D9').segments).toEqual(['a.b_c-D9']);
  });

  it('accepts the longest path, segment and segment count allowed', () => {
    const segment = 'a'.repeat(MAX_SEGMENT_LENGTH);
    expect(isPsarn(`arn:aws:psarns:eu-west-1:123456789012:/${segment}`)).toBe(true);
    const many = Array.from({ length: MAX_PATH_SEGMENTS }, () => 'x').join('/');
    expect(isPsarn(`arn:aws:psarns:eu-west-1:123456789012:/${many}`)).toBe(true);
    const long = `/${['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(63)].join('/')}`;
    expect(long).toHaveLength(MAX_PATH_LENGTH);
    expect(isPsarn(`arn:aws:psarns:eu-west-1:123456789012:${long}`)).toBe(true);
  });

  it.each([
    ['event/x', 'prefix', 'invalid psARN "event/x": prefix must start with "arn:"'],
    [
      'arn:aws-cn:psarns:eu-west-1:123456789012:/x',
      'partition',
      'invalid psARN "arn:aws-cn:psarns:eu-west-1:123456789012:/x": partition "aws-cn" must be "aws"',
    ],
    [
      'arn:aws:sqs:eu-west-1:123456789012:/x',
      'service',
      'invalid psARN "arn:aws:sqs:eu-west-1:123456789012:/x": service "sqs" must be "psarns"',
    ],
    ['arn:aws', 'service', 'invalid psARN "arn:aws": service (missing) must be "psarns"'],
    [
      'arn:aws:psarns:eu-west:123456789012:/x',
      'region',
      'invalid psARN "arn:aws:psarns:eu-west:123456789012:/x": region "eu-west" is not a region like eu-west-1',
    ],
    [
      'arn:aws:psarns:eu-west-1:12345:/x',
      'account',
      'invalid psARN "arn:aws:psarns:eu-west-1:12345:/x": account "12345" is not 12 digits',
    ],
    [
      'arn:aws:psarns:eu-west-1:/event/x',
      'account',
      'invalid psARN "arn:aws:psarns:eu-west-1:/event/x": account "/event/x" is not 12 digits',
    ],
    [
      'arn:aws:psarns:eu-west-1:123456789012',
      'path',
      'invalid psARN "arn:aws:psarns:eu-west-1:123456789012": path is missing: expected /<segment>[/<segment>...] after the account',
    ],
    [
      'arn:aws:psarns:eu-west-1:123456789012:event/x',
      'path',
      'invalid psARN "arn:aws:psarns:eu-west-1:123456789012:event/x": path "event/x" must start with "/"',
    ],
    [
      'arn:aws:psarns:eu-west-1:123456789012:/event/',
      'path',
      'invalid psARN "arn:aws:psarns:eu-west-1:123456789012:/event/": path "/event/" must not end with "/"',
    ],
    [
      'arn:aws:psarns:eu-west-1:123456789012:/',
      'path segment 1',
      'invalid psARN "arn:aws:psarns:eu-west-1:123456789012:/": path segment 1 is empty: a path needs at least one segment',
    ],
    [
      'arn:aws:psarns:eu-west-1:123456789012:/event//x',
      'path segment 2',
      'invalid psARN "arn:aws:psarns:eu-west-1:123456789012:/event//x": path segment 2 is empty ("//")',
    ],
    [
      'arn:aws:psarns:eu-west-1:123456789012:/event/new user',
      'path segment 2',
      'invalid psARN "arn:aws:psarns:eu-west-1:123456789012:/event/new user": path segment 2 "new user" contains " ": only letters, digits, ".", "_" and "-" are allowed',
    ],
    [
      'arn:aws:psarns:eu-west-1:123456789012:/a/b:c',
      'path segment 2',
      'invalid psARN "arn:aws:psarns:eu-west-1:123456789012:/a/b:c": path segment 2 "b:c" contains ":": only letters, digits, ".", "_" and "-" are allowed',
    ],
    [
      'arn:aws:psarns:eu-west-1:123456789012:/a/../b',
      'path segment 2',
      'invalid psARN "arn:aws:psarns:eu-west-1:123456789012:/a/../b": path segment 2 ".." is not allowed: it reads as a relative path',
    ],
  ])('rejects %s naming the %s', (text, part, message) => {
    expect(failure(text)).toEqual({ message, part });
  });

  it('rejects a segment longer than the limit', () => {
    const segment = 'a'.repeat(MAX_SEGMENT_LENGTH + 1);
    expect(failure(`arn:aws:psarns:eu-west-1:123456789012:/event/${segment}`)).toEqual({
      part: 'path segment 2',
      message: `invalid psARN "arn:aws:psarns:eu-west-1:123456789012:/event/${segment}": path segment 2 "${segment}" is 65 characters long, more than 64`,
    });
  });

  it('rejects too many segments and too long a path', () => {
    const many = Array.from({ length: MAX_PATH_SEGMENTS + 1 }, () => 'x').join('/');
    expect(failure(`arn:aws:psarns:eu-west-1:123456789012:/${many}`).message).toMatch(
      /: path has 17 segments, more than 16$/,
    );
    const long = `/${['a'.repeat(64), 'b'.repeat(64), 'c'.repeat(64), 'd'.repeat(62)].join('/')}`;
    expect(failure(`arn:aws:psarns:eu-west-1:123456789012:${long}`).message).toMatch(
      /: path is 258 characters long, more than 256$/,
    );
  });
});

describe('formatPsarn', () => {
  it('builds a psARN from a path or from segments', () => {
    expect(formatPsarn({ region: 'eu-west-1', account: '123456789012', path: '/event/newUser' })).toBe(VALID);
    expect(
      formatPsarn({ region: 'eu-west-1', account: '123456789012', segments: ['event', 'newUser'] }),
    ).toBe(VALID);
  });

  it('rejects bad parts exactly as parsing would', () => {
    expect(() => formatPsarn({ region: 'eu-west-1', account: '1', segments: ['x'] })).toThrow(
      'account "1" is not 12 digits',
    );
  });
});

describe('isPsarn', () => {
  it('tells psARNs from other ARNs and non-strings', () => {
    expect(isPsarn(VALID)).toBe(true);
    expect(isPsarn('arn:aws:sqs:eu-west-1:123456789012:orders')).toBe(false);
    expect(isPsarn(42)).toBe(false);
  });
});

describe('psARN round trip (property)', () => {
  const segmentChar = fc.constantFrom(
    ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-'.split(''),
  );
  const segment = fc
    .string({ unit: segmentChar, minLength: 1, maxLength: MAX_SEGMENT_LENGTH })
    .filter((s) => s !== '.' && s !== '..');
  const region = fc
    .tuple(
      fc.constantFrom('eu', 'us', 'ap', 'ca', 'me'),
      fc.constantFrom('west', 'east', 'gov-west', 'south', 'northeast'),
      fc.integer({ min: 1, max: 9 }),
    )
    .map(([a, b, n]) => `${a}-${b}-${n}`);
  const account = fc.string({
    unit: fc.constantFrom(...'0123456789'.split('')),
    minLength: 12,
    maxLength: 12,
  });
  const parts = fc
    .record({ region, account, segments: fc.array(segment, { minLength: 1, maxLength: MAX_PATH_SEGMENTS }) })
    .filter((p) => p.segments.join('/').length + 1 <= MAX_PATH_LENGTH);

  it('parse(format(parts)) gives the parts back, and format(parse(text)) the text', () => {
    fc.assert(
      fc.property(parts, (p) => {
        const text = formatPsarn(p);
        const parsed = parsePsarn(text);
        expect(parsed).toEqual({
          arn: text,
          region: p.region,
          account: p.account,
          path: `/${p.segments.join('/')}`,
          segments: p.segments,
        });
        expect(formatPsarn(parsed)).toBe(text);
      }),
    );
  });

  it('never throws anything but InvalidPsarnError on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        if (isPsarn(text)) expect(parsePsarn(text).arn).toBe(text);
        else expect(() => parsePsarn(text)).toThrow(InvalidPsarnError);
      }),
    );
  });
});
