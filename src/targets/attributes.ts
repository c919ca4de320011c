import { utf8Bytes } from './limits';

/** SQS and SNS both accept at most 10 message attributes per message. */
export const MAX_MESSAGE_ATTRIBUTES = 10;

/** The shape both SQS and SNS take for a String attribute. */
export interface StringAttribute {
  readonly DataType: 'String';
  readonly StringValue: string;
}

export type StringAttributes = Record<string, StringAttribute>;

/**
 * Routing metadata as SQS/SNS String message attributes. Empty values are skipped (both services
 * reject an empty String attribute). More than 10 non-empty keys is an error: metadata keys are few by
 * design, and silently dropping one would lose routing information.
 *
 * @example
 * toStringAttributes({ psarn: 'arn:aws:psarns:…', 'psarn-headers': '' })
 * // { psarn: { DataType: 'String', StringValue: 'arn:aws:psarns:…' } }
 */
export function toStringAttributes(metadata: Readonly<Record<string, string>>): StringAttributes | Error {
  const attributes: StringAttributes = {};
  let count = 0;
  for (const [name, value] of Object.entries(metadata)) {
    if (value.length === 0) continue;
    attributes[name] = { DataType: 'String', StringValue: value };
    count += 1;
  }
  if (count > MAX_MESSAGE_ATTRIBUTES) {
    return new Error(
      `${count} metadata attributes (${Object.keys(attributes).join(', ')}); SQS and SNS allow ${MAX_MESSAGE_ATTRIBUTES}`,
    );
  }
  return attributes;
}

/** Bytes the services count for a message: body plus each attribute's name, data type and value. */
export function messageBytes(body: string, attributes: StringAttributes): number {
  let bytes = utf8Bytes(body);
  for (const [name, attribute] of Object.entries(attributes)) {
    bytes += utf8Bytes(name) + utf8Bytes(attribute.DataType) + utf8Bytes(attribute.StringValue);
  }
  return bytes;
}

/** Characters SQS refuses in bodies and attribute values (it allows #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF). */
const SQS_REFUSED = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
/** A quick pre-check without the `u` flag: matches any surrogate too, so a hit is confirmed above. */
const MAYBE_REFUSED = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD]/;
/** ANSI escape sequences (colours, cursor moves) that targets' error texts often carry. */
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b[@-_]/g;

/**
 * The first character SQS would refuse in `text` and where, or undefined when SQS takes it all
 * (lone surrogates count as refused: UTF-8 cannot carry them).
 *
 * @example
 * sqsRefusedCharacter('ok\uFFFF') // { index: 2, codePoint: 0xffff }
 */
export function sqsRefusedCharacter(text: string): { index: number; codePoint: number } | undefined {
  if (!MAYBE_REFUSED.test(text)) return undefined;
  const match = SQS_REFUSED.exec(text);
  if (match === null) return undefined;
  return { index: match.index, codePoint: match[0].codePointAt(0) ?? 0 };
}

/**
 * Text any service takes as an attribute value: ANSI escapes removed, characters SQS refuses
 * replaced by U+FFFD, cut to at most `maxBytes` UTF-8 bytes on a code point boundary (never inside
 * a surrogate pair), with "…" when cut.
 *
 * @example
 * sanitizeAttribute('\u001b[31mboom\u001b[0m\u0000', 1024) // 'boom\uFFFD'
 */
export function sanitizeAttribute(text: string, maxBytes: number): string {
  let clean = text.replace(ANSI, '');
  if (MAYBE_REFUSED.test(clean)) clean = clean.replace(new RegExp(SQS_REFUSED.source, 'gu'), '\uFFFD');
  if (utf8Bytes(clean) <= maxBytes) return clean;
  const ellipsis = '…';
  let budget = maxBytes - utf8Bytes(ellipsis);
  let out = '';
  for (const ch of clean) {
    const size = utf8Bytes(ch);
    if (size > budget) break;
    out += ch;
    budget -= size;
  }
  return out + ellipsis;
}
