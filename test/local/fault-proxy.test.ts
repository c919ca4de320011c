import { createServer as createHttpServer, request, type Server as HttpServer } from 'node:http';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { startFaultProxy, type FaultProxy, type FaultProxyOptions } from '../../src/local/fault-proxy';

/**
 * The fault proxy's own contract, without an emulator: its modes on a plain TCP echo server (they
 * are protocol-blind), its fault plan and request reports on a plain HTTP server.
 * test/reliability/store-outage.test.ts runs it in front of dynalite, the soak
 * (test/reliability/support/soak-harness.ts) in front of fauxqs, Lambda and EventBridge.
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
  beforeEach(async () => {
    proxy = await startFaultProxy(echoPort);
  });
  afterEach(() => proxy.stop());

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

describe('the fault proxy on HTTP requests', () => {
  let server: HttpServer;
  let landed: string[];
  let upstreamPort: number;

  beforeAll(async () => {
    server = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        landed.push(body);
        // `hold` is a slow request: time to cut it, or to call its answer late, after it landed.
        setTimeout(() => res.end('ok'), body === 'hold' ? 300 : 0);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    upstreamPort = (server.address() as AddressInfo).port;
  });
  beforeEach(() => {
    landed = [];
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (to: FaultProxy, body: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const req = request(`${to.endpoint}/`, { method: 'POST', agent: false }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end(body);
    });

  /** A proxy to the HTTP server, stopped after `use` whatever happens. */
  async function withProxy(options: FaultProxyOptions, use: (p: FaultProxy) => Promise<void>): Promise<void> {
    const p = await startFaultProxy(upstreamPort, options);
    try {
      await use(p);
    } finally {
      await p.stop();
    }
  }

  it('passes requests through untouched without faults', () =>
    withProxy({}, async (p) => {
      await expect(post(p, 'a')).resolves.toBe('ok');
      expect(p.uncertain).toEqual([]);
      expect(p.counters.requests).toBe(1);
    }));

  it('records a request reset after it landed, and not one reset before', () =>
    withProxy({ plan: { resetAfter: 1 } }, (after) =>
      withProxy({ plan: { resetBefore: 1 } }, async (before) => {
        await expect(post(after, 'landed')).rejects.toThrow();
        await expect(post(before, 'never')).rejects.toThrow();
        expect(landed).toEqual(['landed']);
        expect(after.uncertain).toHaveLength(1);
        expect(after.uncertain[0]?.why).toBe('unanswered');
        expect(after.uncertain[0]?.request).toMatch(/\r\n\r\nlanded$/);
        expect(before.uncertain).toEqual([]);
        expect(before.counters.resetBefore).toBe(1);
      }),
    ));

  it('records a request whose answer it held back as late, and still delivers the answer', () =>
    withProxy({ plan: { delay: 1, delayMs: 50 } }, async (p) => {
      await expect(post(p, 'slow')).resolves.toBe('ok');
      expect(p.uncertain.map((u) => u.why)).toEqual(['late']);
    }));

  it('records an answer slower than lateMs as late', () =>
    withProxy({ lateMs: 100 }, async (p) => {
      await expect(post(p, 'quick')).resolves.toBe('ok');
      await expect(post(p, 'hold')).resolves.toBe('ok');
      expect(p.uncertain.map((u) => u.why)).toEqual(['late']);
      expect(p.uncertain[0]?.request).toMatch(/\r\n\r\nhold$/);
    }));

  it('refuses every request while the service is down', () =>
    withProxy({}, async (p) => {
      await p.mode('down');
      await expect(post(p, 'x')).rejects.toThrow();
      await p.mode('pass');
      await expect(post(p, 'y')).resolves.toBe('ok');
      expect(landed).toEqual(['y']);
      expect(p.counters.refusedDown).toBe(1);
    }));

  it('applies a new plan to the requests that follow', () =>
    withProxy({}, async (p) => {
      p.plan({ resetBefore: 1 });
      await expect(post(p, 'x')).rejects.toThrow();
      p.plan({});
      await expect(post(p, 'y')).resolves.toBe('ok');
      expect(landed).toEqual(['y']);
    }));

  it('records a request that landed and was cut by reset mode before its answer', () =>
    withProxy({}, async (p) => {
      // Caught at once: the reset comes before the test awaits it.
      const cut = post(p, 'hold').catch((err: NodeJS.ErrnoException) => err.code);
      while (!landed.includes('hold')) await new Promise((resolve) => setTimeout(resolve, 10));
      await p.mode('reset');
      expect(await cut).toBe('ECONNRESET');
      expect(p.uncertain.map((u) => u.why)).toEqual(['unanswered']);
      expect(p.counters.unanswered).toBe(1);
    }));

  it('tells onUncertain instead of keeping the request in `uncertain`', async () => {
    const told: string[] = [];
    await withProxy(
      { plan: { resetAfter: 1 }, onUncertain: (_request, why) => told.push(why) },
      async (p) => {
        await expect(post(p, 'landed')).rejects.toThrow();
        expect(told).toEqual(['unanswered']);
        expect(p.uncertain).toEqual([]);
      },
    );
  });
});
