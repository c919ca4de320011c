import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { startFaultProxy, type FaultProxy } from '../../src/local/fault-proxy';

/**
 * The fault proxy's own contract, on a plain TCP echo server (no emulator needed: the proxy is
 * protocol-blind). test/reliability/store-outage.test.ts runs it in front of dynalite.
 */
let echo: Server;
let echoPort: number;
let proxy: FaultProxy;

beforeAll(async () => {
  echo = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoPort = (echo.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => echo.close(() => resolve())));
beforeEach(async () => {
  proxy = await startFaultProxy(echoPort);
});
afterEach(() => proxy.stop());

/** Connects to the proxy; resolves with the socket, or rejects with the connect error's code. */
function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(proxy.port, '127.0.0.1', () => resolve(socket));
    socket.once('error', (err: NodeJS.ErrnoException) => reject(new Error(err.code)));
  });
}

/** Writes `text` and resolves with what comes back within `ms`: the echo, or how it ended. */
function roundTrip(socket: Socket, text: string, ms = 300): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    const done = (why: string) => {
      clearTimeout(timer);
      socket.removeAllListeners('data');
      resolve(why);
    };
    const timer = setTimeout(() => done(got === '' ? 'no answer' : got), ms);
    socket.on('data', (chunk: Buffer) => {
      got += chunk.toString();
      if (got === text) done(got);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? 'error'));
    socket.once('close', () => done(got === '' ? 'closed' : got));
    socket.write(text);
  });
}

describe('the fault proxy', () => {
  it('passes bytes both ways and counts them', async () => {
    const socket = await open();
    expect(await roundTrip(socket, 'hello')).toBe('hello');
    socket.destroy();
    expect(proxy.counters).toMatchObject({ accepted: 1, forwarded: 1, bytesToTarget: 5, bytesFromTarget: 5 });
  });

  it('blackholes new connections and freezes open ones, which carry on once it passes again', async () => {
    const before = await open();
    expect(await roundTrip(before, 'a')).toBe('a');
    await proxy.mode('blackhole');
    const during = await open(); // accepted, like a host that answers SYN and nothing else
    expect(await roundTrip(during, 'b')).toBe('no answer');
    expect(await roundTrip(before, 'c')).toBe('no answer');
    await proxy.mode('pass');
    expect(await roundTrip(before, '')).toBe('c'); // the frozen request went through after all
    expect(await roundTrip(await open(), 'd')).toBe('d');
    expect(proxy.counters).toMatchObject({ blackholed: 1, forwarded: 2 });
    before.destroy();
    during.destroy();
  });

  it('resets open and new connections in reset mode', async () => {
    const before = await open();
    await proxy.mode('reset');
    expect(await roundTrip(before, 'x')).toMatch(/ECONNRESET|closed/);
    const during = await open().catch((err: Error) => err.message);
    if (typeof during !== 'string') expect(await roundTrip(during, 'y')).toMatch(/ECONNRESET|closed/);
    expect(proxy.counters.reset).toBe(2);
    await proxy.mode('pass');
    expect(await roundTrip(await open(), 'z')).toBe('z');
  });

  it('refuses connections in refuse mode and listens again on the same port afterwards', async () => {
    const port = proxy.port;
    await proxy.mode('refuse');
    await expect(open()).rejects.toThrow('ECONNREFUSED');
    await proxy.mode('pass');
    expect(proxy.port).toBe(port);
    const socket = await open();
    expect(await roundTrip(socket, 'back')).toBe('back');
    socket.destroy();
  });
});
