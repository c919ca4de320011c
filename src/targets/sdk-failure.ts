import { ErrorCode, TargetFailedError, type TargetFailureCode } from '../errors';

/** What an AWS SDK v3 error carries that helps an operator (all optional: anything may be thrown). */
interface SdkErrorShape {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly $fault?: string;
  readonly $retryable?: { readonly throttling?: boolean };
  readonly $metadata?: { readonly httpStatusCode?: number; readonly attempts?: number };
}

/** Error names AWS services use for throttling (the SDK's own list, plus the ones targets return). */
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'SlowDown',
  'KMSThrottlingException',
  // SQS's own names for KMS throttling a queue with server-side encryption (JSON and query protocol).
  'KmsThrottled',
  'KMS.ThrottlingException',
  'EC2ThrottledException',
  'ConcurrentInvocationLimitExceeded',
]);

/** Network-level failures: the request may never have reached the service. */
const TRANSIENT = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'InternalFailure',
  'InternalError',
  'InternalException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'KMSInternalException',
]);

/**
 * The failure code of whatever an SDK call threw: throttled, transient (network, timeout, a 5xx,
 * the service's fault) or rejected (access denied, a missing resource, a bad request: the same
 * call will fail again).
 */
export function sdkFailureCode(err: unknown): TargetFailureCode {
  const shape: SdkErrorShape = typeof err === 'object' && err !== null ? (err as SdkErrorShape) : {};
  const name = shape.name ?? '';
  if (THROTTLING.has(name) || shape.$retryable?.throttling === true) return ErrorCode.TARGET_THROTTLED;
  const status = shape.$metadata?.httpStatusCode;
  if (status === 429) return ErrorCode.TARGET_THROTTLED;
  if (
    TRANSIENT.has(name) ||
    TRANSIENT.has(shape.code ?? '') ||
    shape.$fault === 'server' ||
    (status !== undefined && status >= 500) ||
    (status === undefined && shape.$fault === undefined)
  )
    return ErrorCode.TARGET_UNAVAILABLE;
  return ErrorCode.TARGET_FAILED;
}

/**
 * Turn whatever a send threw (throttling, a 5xx after the SDK's own retries, a network error, a
 * missing resource) into the failed outcome's error, naming the target, the service's error name,
 * the HTTP status and how many attempts the SDK made; its code says which kind of failure it is.
 *
 * @example
 * sdkFailure('arn:aws:sqs:…:orders', err).message
 * // 'delivery to arn:aws:sqs:…:orders failed: ThrottlingException (HTTP 400, 3 attempts): Rate exceeded'
 */
export function sdkFailure(target: string, err: unknown): TargetFailedError {
  if (err instanceof TargetFailedError) return err;
  const shape: SdkErrorShape = typeof err === 'object' && err !== null ? (err as SdkErrorShape) : {};
  const details = [
    shape.$metadata?.httpStatusCode === undefined ? undefined : `HTTP ${shape.$metadata.httpStatusCode}`,
    shape.$metadata?.attempts === undefined ? undefined : `${shape.$metadata.attempts} attempts`,
  ].filter((d): d is string => d !== undefined);
  const name = shape.name ?? 'Error';
  const message = shape.message ?? String(err);
  return new TargetFailedError(
    target,
    `${name}${details.length > 0 ? ` (${details.join(', ')})` : ''}: ${message}`,
    err,
    {
      code: sdkFailureCode(err),
      attempts: shape.$metadata?.attempts ?? 1,
    },
  );
}

/** Per-entry error codes EventBridge reports that a later attempt can get past. */
const EVENTS_RETRYABLE = new Map<string, TargetFailureCode>([
  ['ThrottlingException', ErrorCode.TARGET_THROTTLED],
  ['InternalFailure', ErrorCode.TARGET_UNAVAILABLE],
  ['InternalException', ErrorCode.TARGET_UNAVAILABLE],
]);

/**
 * A batch entry the service reported as failed (SQS `Failed[]`, SNS `Failed[]`, EventBridge entries).
 * `senderFault` (SQS, SNS): false means the service failed on its side, so the entry may be retried;
 * EventBridge names its retryable entry errors instead. The SDK never retries a failed entry itself.
 */
export function entryFailure(
  target: string,
  code: string | undefined,
  message: string | undefined,
  senderFault?: boolean,
): TargetFailedError {
  const kind =
    senderFault === false
      ? code !== undefined && THROTTLING.has(code)
        ? ErrorCode.TARGET_THROTTLED
        : ErrorCode.TARGET_UNAVAILABLE
      : (EVENTS_RETRYABLE.get(code ?? '') ?? ErrorCode.TARGET_FAILED);
  return new TargetFailedError(
    target,
    `${code ?? 'EntryFailed'}: ${message ?? 'the service gave no reason'}`,
    undefined,
    {
      code: kind,
    },
  );
}
