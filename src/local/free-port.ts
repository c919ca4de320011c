import { createServer } from 'node:net';

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
