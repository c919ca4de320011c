import type { Context } from 'aws-lambda';

/**
 * A demo target that always fails: the way to exercise the router's park / DLQ paths with a real
 * function error (the Lambda Invoke answers with `FunctionError: Unhandled`).
 *
 * @example
 * // invoked as psarn-local-alwaysFails → FunctionError "Unhandled", errorMessage "psarn-local-alwaysFails always fails"
 */
export async function handler(_event: unknown, context: Context): Promise<never> {
  throw new Error(`${context.functionName} always fails`);
}
