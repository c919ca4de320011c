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
