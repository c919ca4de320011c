import { messageBytes, toStringAttributes } from '../../src/targets/attributes';

describe('toStringAttributes', () => {
  it('maps metadata to String attributes and skips empty values', () => {
    expect(toStringAttributes({ psarn: 'p', 'psarn-headers': '' })).toEqual({
      psarn: { DataType: 'String', StringValue: 'p' },
    });
  });

  it('refuses more than 10 attributes rather than dropping one', () => {
    const metadata = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v']));
    const result = toStringAttributes(metadata);
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).message).toContain('11 metadata attributes');
  });

  it('counts body, names, data types and values in UTF-8 bytes', () => {
    const attributes = toStringAttributes({ ab: 'é' });
    if (attributes instanceof Error) throw attributes;
    // 'xyz' 3 + 'ab' 2 + 'String' 6 + 'é' 2
    expect(messageBytes('xyz', attributes)).toBe(13);
  });
});
