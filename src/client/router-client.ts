import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { PsarnError, ErrorCode } from '../errors';

export interface SendOptions {
  /** Extra headers: travel with the event as metadata. `psarn-trace-id` sets the trace id. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Invoke the router with InvocationType Event: returns once Lambda has queued the event. */
  readonly async?: boolean;
}

export type SendResult =
  | { readonly async: true; readonly statusCode: number }
  | { readonly async: false; readonly statusCode: number; readonly response: unknown };

/**
 * A producer's client for the router: wraps the payload in the envelope and invokes the router
 * Lambda. The producer names a psARN, never a real ARN.
 *
 * @example
 * const client = new RouterClient({ lambda: new LambdaClient({}), routerFunction: 'psarn-prod-router' });
 * await client.send('arn:aws:psarns:eu-west-1:123456789012:/event/newUser', { userId: 'u1' });
 */
export class RouterClient {
  private readonly lambda: LambdaClient;
  private readonly routerFunction: string;

  constructor(options: { readonly lambda: LambdaClient; readonly routerFunction: string }) {
    this.lambda = options.lambda;
    this.routerFunction = options.routerFunction;
  }

  /**
   * Sends one event. A synchronous call returns the router's answer: the single Lambda target's
   * response, the delivery report, or `{ error: { code, message } }` for a rejected event.
   */
  async send(psarn: string, payload: unknown, options: SendOptions = {}): Promise<SendResult> {
    const envelope = { headers: { ...options.headers, psarn }, payload };
    const out = await this.lambda.send(
      new InvokeCommand({
        FunctionName: this.routerFunction,
        InvocationType: options.async === true ? 'Event' : 'RequestResponse',
        Payload: Buffer.from(JSON.stringify(envelope)),
      }),
    );
    const statusCode = out.StatusCode ?? 0;
    if (options.async === true) return { async: true, statusCode };
    const text = out.Payload === undefined ? '' : Buffer.from(out.Payload).toString('utf8');
    if (out.FunctionError !== undefined) {
      throw new PsarnError(ErrorCode.TARGET_FAILED, `router ${this.routerFunction} failed: ${text}`, {
        functionError: out.FunctionError,
        payload: text,
      });
    }
    return { async: false, statusCode, response: text === '' ? null : (JSON.parse(text) as unknown) };
  }
}
