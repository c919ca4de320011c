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
 * (`{ psarn, error: { code, message } }`, nothing was sent) becomes the typed PsarnError the
 * router rejected the event with; anything else is returned as it is.
 */
export function acceptedAnswer(answer: unknown): unknown {
  if (typeof answer !== 'object' || answer === null || !('error' in answer) || 'deliveries' in answer)
    return answer;
  const { psarn, error } = answer as { psarn?: unknown; error?: { code?: unknown; message?: unknown } };
  const code =
    typeof error?.code === 'string' && error.code in ERROR_KINDS ? (error.code as ErrorCode) : undefined;
  if (code === undefined || typeof error?.message !== 'string') return answer;
  throw new PsarnError(code, error.message, typeof psarn === 'string' ? { psarn } : {});
}
