import type { InvokeCommandInput, LambdaClient } from '@aws-sdk/client-lambda';
import { InvokeCommand } from '../chunks/sdk-lambda';
import { DeadlineExceededError, ErrorCode, PayloadTooLargeError, TargetFailedError } from '../errors';
import { parseTargetArn } from '../psarn/target-arn';
import type { TargetRef } from '../routes/model';
import { mapWithLimit } from './concurrency';
import type { Forwarder, OutgoingMessage, SendOptions, SendOutcome } from './forwarder';
import { PayloadLimits, utf8Bytes } from './limits';
import type { RoutedEvent } from '../routing/plan';
import { sdkFailure } from './sdk-failure';

/** Lambda accepts at most this many bytes of base64 ClientContext. */
const MAX_CLIENT_CONTEXT_BYTES = 3583;

export interface LambdaForwarderOptions {
  /**
   * How to name the function. `'arn'` (default, AWS): the target ARN, qualifier included. `'name'`:
   * the bare function name and no qualifier, because serverless-offline routes
   * `/functions/{name}/invocations` by name only. Only the local stack asks for `'name'`, explicitly
   * (`PSARN_TARGETS_BY_NAME=true`): a custom endpoint (a VPC endpoint, a proxy) is no sign of an
   * emulator, and naming by bare name there would run `$LATEST` for `:live` and `:canary` alike.
   */
  readonly invokeBy?: 'arn' | 'name';
  /** Invocations in flight per `send` (Lambda has no batch API). Default 10. */
  readonly concurrency?: number;
}

/**
 * Forwards to Lambda functions with Invoke, one call per message. `sync` → `RequestResponse`, and the
 * function's JSON response comes back as the outcome's `response`; otherwise `Event`. A function error
 * (`FunctionError`) is a failed outcome carrying the function's own error message. The payload is the
 * body exactly as sent; routing metadata rides in `ClientContext.custom` on sync invokes (the only ones
 * Lambda passes it for) when it fits the 3,583-byte limit, and is left out otherwise.
 *
 * @example
 * const lambda = new LambdaForwarder(new LambdaClient({}));
 * const [outcome] = await lambda.send(target, [message], { sync: true }); // { ok: true, response: {...} }
 */
export class LambdaForwarder implements Forwarder {
  readonly kind = 'lambda' as const;
  /** The synchronous limit: the router invokes RequestResponse; an Event invoke is checked against 1 MB. */
  readonly maxPayloadBytes = PayloadLimits.lambda.sync;
  private readonly concurrency: number;

  /** The SDK client, built on first use (the registry passes a provider). */
  private readonly clientOf: () => LambdaClient;

  constructor(
    client: LambdaClient | (() => LambdaClient),
    private readonly options: LambdaForwarderOptions = {},
  ) {
    this.clientOf = typeof client === 'function' ? client : () => client;
    this.concurrency = options.concurrency ?? 10;
  }

  /** Lambda counts the payload only; metadata rides in ClientContext, which is left out when too big. */
  measure(_target: TargetRef, message: OutgoingMessage): number {
    return utf8Bytes(message.body);
  }

  refuses(_target: TargetRef, _event: RoutedEvent): string | undefined {
    return undefined;
  }

  async send(
    target: TargetRef,
    messages: readonly OutgoingMessage[],
    options: SendOptions,
  ): Promise<SendOutcome[]> {
    let functionName: string;
    try {
      functionName = this.functionName(target);
    } catch (err) {
      const error = new TargetFailedError(target.arn, 'not a Lambda function ARN', err);
      return messages.map(() => ({ ok: false, error }));
    }
    return mapWithLimit(messages, this.concurrency, async (message, index) => {
      // Past the deadline no new invoke starts: the copy is parked or dead-lettered instead.
      const outcome: SendOutcome =
        options.signal?.aborted === true
          ? { ok: false, error: new DeadlineExceededError(target.arn) }
          : await this.invoke(target, functionName, message, options);
      options.onOutcome?.(index, outcome);
      return outcome;
    });
  }

  private async invoke(
    target: TargetRef,
    functionName: string,
    message: OutgoingMessage,
    options: SendOptions,
  ): Promise<SendOutcome> {
    const limit = options.sync ? PayloadLimits.lambda.sync : PayloadLimits.lambda.async;
    const bytes = utf8Bytes(message.body);
    if (bytes > limit) return { ok: false, error: new PayloadTooLargeError(target.arn, bytes, limit) };
    const input: InvokeCommandInput = {
      FunctionName: functionName,
      InvocationType: options.sync ? 'RequestResponse' : 'Event',
      Payload: message.body,
    };
    const clientContext = options.sync ? encodeClientContext(message.metadata) : undefined;
    if (clientContext !== undefined) input.ClientContext = clientContext;
    try {
      const output = await this.clientOf().send(
        new InvokeCommand(input),
        options.signal === undefined ? {} : { abortSignal: options.signal },
      );
      // An Event invoke answers 202 with no body; the SDK then gives Payload null, not undefined.
      const payload = output.Payload == null ? '' : new TextDecoder().decode(output.Payload);
      if (output.FunctionError !== undefined) {
        // The function ran to the end; only its answer was over Lambda's 6 MB response limit. A
        // retry would run it again, so the copy counts as delivered (with no response to hand back).
        if (errorTypeOf(payload) === RESPONSE_TOO_LARGE) return { ok: true };
        return {
          ok: false,
          error: new TargetFailedError(
            target.arn,
            functionErrorReason(output.FunctionError, payload),
            undefined,
            {
              code: ErrorCode.FUNCTION_ERROR,
            },
          ),
        };
      }
      return options.sync ? { ok: true, response: decodeResponse(payload) } : { ok: true };
    } catch (err) {
      return { ok: false, error: sdkFailure(target.arn, err) };
    }
  }

  private functionName(target: TargetRef): string {
    return this.options.invokeBy === 'name' ? parseTargetArn(target.arn).name : target.arn;
  }
}

/** `ClientContext` is base64 JSON; Lambda hands `custom` to the function as `context.clientContext.custom`. */
function encodeClientContext(metadata: Readonly<Record<string, string>>): string | undefined {
  if (Object.keys(metadata).length === 0) return undefined;
  const encoded = Buffer.from(JSON.stringify({ custom: metadata }), 'utf8').toString('base64');
  return encoded.length <= MAX_CLIENT_CONTEXT_BYTES ? encoded : undefined;
}

/** The function's response, unchanged in meaning: JSON decoded; anything else as its text. */
function decodeResponse(payload: string): unknown {
  if (payload.length === 0) return undefined;
  try {
    return JSON.parse(payload) as unknown;
  } catch {
    // A function may answer with any text: handed back as it came.
    return payload;
  }
}

/** The `errorType` Lambda reports when a function's response is over the 6 MB limit. */
const RESPONSE_TOO_LARGE = 'Function.ResponseSizeTooLarge';

function errorTypeOf(payload: string): unknown {
  try {
    return (JSON.parse(payload) as { errorType?: unknown }).errorType;
  } catch {
    // Not JSON: not Lambda's own error shape, so not ResponseSizeTooLarge; the caller fails the copy.
    return undefined;
  }
}

/** "function error (Unhandled) Error: boom", from the `{ errorType, errorMessage }` Lambda returns. */
function functionErrorReason(kind: string, payload: string): string {
  let detail = payload;
  try {
    const parsed = JSON.parse(payload) as { errorType?: unknown; errorMessage?: unknown; Message?: unknown };
    const message = parsed.errorMessage ?? parsed.Message;
    if (typeof message === 'string') {
      detail = typeof parsed.errorType === 'string' ? `${parsed.errorType}: ${message}` : message;
    }
  } catch {
    // Not JSON: the raw payload is the best description there is.
  }
  return `function error (${kind})${detail.length > 0 ? ` ${detail}` : ''}`;
}
