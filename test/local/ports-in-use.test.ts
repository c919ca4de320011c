import { createServer, type Server } from 'node:net';
import { ErrorCode, PsarnError } from '../../src/errors';
import { assertPortsFree, freePort } from '../../src/local/free-port';
import { startFailureText } from '../../src/local/start-failure';

describe('a second npm start', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    server = createServer();
    await new Promise<void>((resolve) => server.listen(port, resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('fails with PORTS_IN_USE naming the port, the service and --free-ports', async () => {
    const failure = await assertPortsFree({ DynamoDB: port }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PsarnError);
    expect((failure as PsarnError).code).toBe(ErrorCode.PORTS_IN_USE);
    expect((failure as PsarnError).message).toContain(`${port} (DynamoDB) already in use`);
    expect((failure as PsarnError).message).toContain('npm start -- --free-ports');
  });

  it('prints one message without a stack trace, the trace only with --debug', async () => {
    const failure = await assertPortsFree({ DynamoDB: port }).catch((e: unknown) => e);
    const text = startFailureText(failure, false);
    expect(text).toMatch(/^npm start failed \[PORTS_IN_USE\]: port\(s\) \d+ \(DynamoDB\) already in use/);
    expect(text).not.toMatch(/^\s+at /m);
    expect(startFailureText(failure, true)).toMatch(/^\s+at /m);
    expect(startFailureText(new Error('boom'), false)).toMatch(/--debug/);
  });
});
