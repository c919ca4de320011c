/**
 * A hand-written stand-in for an AWS SDK v3 client that implements only `send`, for the failures an
 * emulator cannot produce (throttling, 5xx, partial batch failures). Records every command it gets.
 */
export interface SentCommand {
  readonly name: string;
  readonly input: Record<string, unknown>;
}

export type FakeHandler = (command: SentCommand) => unknown;

export function fakeClient<Client>(handler: FakeHandler): { client: Client; sent: SentCommand[] } {
  const sent: SentCommand[] = [];
  const fake = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const call = { name: command.constructor.name, input: command.input };
      sent.push(call);
      return handler(call);
    },
  };
  // The one cast: a fake has the client's `send`, not its whole surface.
  return { client: fake as unknown as Client, sent };
}

/** An error shaped like the SDK's service exceptions, after its retries. */
export function sdkError(name: string, message: string, httpStatusCode: number, attempts = 3): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode, attempts },
  });
}
