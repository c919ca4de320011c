import { describeFailure } from '../errors';

/**
 * A failure as log fields. Powertools Logger drops an extra attribute named `message` (it is the
 * log line's own), so the reason travels as `errorMessage`, next to `errorCode` and `reason`.
 *
 * @example
 * logger.warn('event rejected', { psarn, ...failureFields(err) }) // { errorCode, errorMessage, reason }
 */
export function failureFields(error: unknown): { errorCode: string; errorMessage: string; reason: string } {
  if (isDescribed(error)) return { errorCode: error.code, errorMessage: error.message, reason: error.reason };
  const { code, message, reason } = describeFailure(error);
  return { errorCode: code, errorMessage: message, reason };
}

function isDescribed(value: unknown): value is { code: string; message: string; reason: string } {
  if (typeof value !== 'object' || value === null || value instanceof Error) return false;
  const v = value as Record<string, unknown>;
  return typeof v['code'] === 'string' && typeof v['message'] === 'string' && typeof v['reason'] === 'string';
}
