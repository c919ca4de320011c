import { TargetFailedError } from '../errors';

/** What an AWS SDK v3 error carries that helps an operator (all optional: anything may be thrown). */
interface SdkErrorShape {
  readonly name?: string;
  readonly message?: string;
  readonly $fault?: string;
  readonly $metadata?: { readonly httpStatusCode?: number; readonly attempts?: number };
}

/**
 * Turn whatever a send threw (throttling, a 5xx after the SDK's own retries, a network error, a
 * missing resource) into the failed outcome's error, naming the target, the service's error name,
 * the HTTP status and how many attempts the SDK made.
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
  );
}

/** A batch entry the service reported as failed (SQS `Failed[]`, SNS `Failed[]`, EventBridge entries). */
export function entryFailure(
  target: string,
  code: string | undefined,
  message: string | undefined,
): TargetFailedError {
  return new TargetFailedError(
    target,
    `${code ?? 'EntryFailed'}: ${message ?? 'the service gave no reason'}`,
  );
}
