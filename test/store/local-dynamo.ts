import type { AddressInfo } from 'node:net';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createRouteTable } from '../../src/store/create-route-table';

/** An in-process dynalite on a free port, for one test file. */
export interface LocalDynamo {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  /** Env a CLI run needs to reach this dynalite. */
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

type DynaliteFactory = (options: Record<string, number>) => Server;

/**
 * Start dynalite. `beforeRequest` (optional) runs before each request is handled, with its
 * operation name (`Scan`, `PutItem`…): a test holds requests there to line up racing processes.
 */
export async function startDynalite(
  options: {
    beforeRequest?: (operation: string) => Promise<void>;
    /**
     * Decides, once dynalite has handled a request, whether its answer is lost: the socket is
     * destroyed instead of the response written (the client sees a reset and its SDK retries),
     * while the write has been applied. A commit whose response is lost, which no emulator does.
     */
    dropResponse?: (operation: string, body: string) => boolean;
  } = {},
): Promise<LocalDynamo> {
  // dynalite ships no types; it returns a plain node http.Server.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dynalite = require('dynalite') as DynaliteFactory;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const { beforeRequest, dropResponse } = options;
  if (beforeRequest !== undefined || dropResponse !== undefined) {
    const handlers = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const operation =
        String(req.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? '';
      // The body stays paused until dynalite's handler reads it, so holding the request is safe.
      const ready = beforeRequest === undefined ? Promise.resolve() : beforeRequest(operation);
      void ready.then(() => {
        handlers.forEach((h) => h.call(server, req, res));
        if (dropResponse === undefined) return;
        // Listening after dynalite's handler: both see every chunk of the body.
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        const end = res.end.bind(res);
        res.end = ((...args: Parameters<typeof res.end>) => {
          if (!dropResponse(operation, body)) return end(...args);
          req.socket.destroy();
          return res;
        }) as typeof res.end;
      });
    });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = newClient(endpoint);
  return {
    endpoint,
    client,
    env: {
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      PSARN_USER: 'tester@ci',
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A client of `endpoint`. One attempt per call by default, so a test sees each failure; pass
 * `{ retries: true }` for the SDK's default retries (3 attempts), as the CLI's own client has.
 */
export function newClient(endpoint: string, options: { retries?: boolean } = {}): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    ...(options.retries === true ? {} : { maxAttempts: 1 }),
  });
}

let tables = 0;
/** A fresh route table with a unique name. */
export async function freshTable(local: LocalDynamo, prefix = 'routes'): Promise<string> {
  const name = `${prefix}-${process.pid}-${++tables}`;
  await createRouteTable(local.client, name);
  return name;
}
