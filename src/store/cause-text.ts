import { describeError } from '../errors';

/** "ResourceNotFoundException: Requested resource not found": the SDK's error, named, for messages. */
export function causeText(err: unknown): string {
  const { code, message } = describeError(err);
  return `${code}: ${message}`;
}
