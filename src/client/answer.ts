import { ERROR_KINDS, PsarnError, type ErrorCode } from '../errors';
import type { DeliveryReport } from '../delivery/report';

/**
 * True when a send's answer is a delivery report (and not a single Lambda target's own response,
 * which a synchronous send to exactly one function returns unchanged).
 */
export function isDeliveryReport(answer: unknown): answer is DeliveryReport {
  if (typeof answer !== 'object' || answer === null) return false;
  const a = answer as Partial<Record<keyof DeliveryReport, unknown>>;
  return typeof a.psarn === 'string' && typeof a.routeVersion === 'number' && Array.isArray(a.deliveries);
}

/**
 * The router's answer to a direct envelope, the same in both modes: a rejection
 * (`{ psarn, error: { code, message } }` for the psARN sent, nothing was sent) becomes the typed
 * PsarnError the router rejected the event with; anything else is returned as it is.
 */
export function acceptedAnswer(answer: unknown, sent: string): unknown {
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) return answer;
  // Exactly the router's shape, for the psARN sent, with a known code: a single Lambda target's
  // own response that merely has an `error` field is an answer of a delivered event, and must not
  // read as a rejection (its producer would "fix and resend" what the target already had).
  const keys = Object.keys(answer);
  if (keys.length !== 2 || !keys.includes('psarn') || !keys.includes('error')) return answer;
  const { psarn, error } = answer as { psarn?: unknown; error?: unknown };
  if (psarn !== sent || typeof error !== 'object' || error === null) return answer;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (Object.keys(error).length !== 2 || typeof message !== 'string') return answer;
  if (typeof code !== 'string' || !Object.hasOwn(ERROR_KINDS, code)) return answer;
  throw new PsarnError(code as ErrorCode, message, { psarn });
}
