import { createServer } from 'node:net';
import { ErrorCode, PsarnError } from '../errors';

/**
 * A TCP port that was free a moment ago on 127.0.0.1, chosen by the OS. Another process may take
 * it before the caller binds it; the stack then fails to start that emulator with a clear error
 * rather than talking to a stranger (the readiness check names the port).
 *
 * @example
 * const port = await freePort();
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('the OS gave no free port'))));
    });
  });
}

/**
 * Fail, naming the service, when a fixed port is already taken: otherwise a readiness check could
 * be answered by whatever holds the port (often an earlier `npm start`) instead of our emulator.
 *
 * @example
 * await assertPortsFree({ DynamoDB: 8000, 'SQS/SNS': 4566 });
 */
export async function assertPortsFree(ports: Readonly<Record<string, number>>): Promise<void> {
  const busy: string[] = [];
  await Promise.all(
    Object.entries(ports).map(
      ([service, port]) =>
        new Promise<void>((resolve) => {
          const server = createServer();
          server.once('error', () => {
            busy.push(`${port} (${service})`);
            resolve();
          });
          server.listen(port, () => server.close(() => resolve()));
        }),
    ),
  );
  if (busy.length > 0) {
    throw new PsarnError(
      ErrorCode.PORTS_IN_USE,
      `port(s) ${busy.sort().join(', ')} already in use: is another local stack (npm start) running? ` +
        'Stop it (Ctrl-C in its terminal), or start this one on free ports: npm start -- --free-ports',
      { busy: busy.sort() },
    );
  }
}
