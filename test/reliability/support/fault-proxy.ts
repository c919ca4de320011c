import { createServer, connect, type Server, type Socket } from 'node:net';

/** Shares (0-1) of requests the proxy breaks, decided per request. */
export interface FaultPlan {
  /** Reset the connection before the request reaches the emulator: it certainly did not land. */
  readonly resetBefore: number;
  /**
   * Forward the request, then reset the connection when the answer starts to come back: the
   * request landed but the client never hears so. The client's retry is then a true duplicate.
   */
  readonly resetAfter: number;
  /** Hold the answer back for `delayMs` (a slow service; a client timeout then cuts it). */
  readonly delay: number;
  readonly delayMs: number;
}

export const NO_FAULTS: FaultPlan = { resetBefore: 0, resetAfter: 0, delay: 0, delayMs: 0 };

export interface FaultStats {
  requests: number;
  resetBefore: number;
  resetAfter: number;
  delayed: number;
  /** Requests refused while the upstream was declared down (`setDown(true)`). */
  refusedDown: number;
  /** Requests forwarded whose answer never reached the client (reset, timeout, client gave up). */
  unanswered: number;
  /** Requests whose answer came late (held back, or slower than `lateMs`): a client may have given up on them. */
  late: number;
}

/**
 * Where the proxy reports a request whose effect the client cannot know: `unanswered` (it reached
 * the emulator, its answer never reached the client) or `late` (its answer came after the client
 * may have stopped waiting: a router that abandons a call at its deadline without closing the
 * connection sees a failure for a request that landed). Default: kept in `FaultProxy.uncertain`.
 */
export type UncertainRecorder = (request: string, why: 'unanswered' | 'late') => void;

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: give it to the client instead of the emulator's endpoint. */
  readonly endpoint: string;
  readonly stats: FaultStats;
  /**
   * Without a recorder: the raw text (request line, headers, body) of every request that reached the
   * emulator but whose answer did not reach the client, or came late. Such a request may have taken
   * effect while its sender saw a failure: a copy it carried may be at its target although the
   * router parked it or sent it again. The account uses these to tell at-least-once duplicates
   * (allowed) from re-sends (not allowed).
   */
  readonly uncertain: readonly { readonly request: string; readonly why: 'unanswered' | 'late' }[];
  setFaults(plan: FaultPlan): void;
  /** true: every new request is reset before it reaches the emulator (the service is down). */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of one emulator that resets and delays a configurable share of requests.
 * HTTP/1.1 without pipelining (what the AWS SDK speaks) is assumed only to tell where a request
 * starts: client bytes after an answer begin the next request on a kept-alive connection. Faults
 * are drawn per request from a seeded generator; which request meets which fault still depends on
 * timing.
 *
 * @example
 * const proxy = await startFaultProxy('http://127.0.0.1:4566', { resetBefore: 0.02, resetAfter: 0.02, delay: 0.05, delayMs: 200 });
 * process.env.AWS_ENDPOINT_URL_SQS = proxy.endpoint;
 */
export async function startFaultProxy(
  upstream: string,
  plan: FaultPlan,
  seed = 1,
  options: { readonly record?: UncertainRecorder; readonly lateMs?: number } = {},
): Promise<FaultProxy> {
  const target = new URL(upstream);
  const host = target.hostname;
  const port = Number(target.port);
  let faults = plan;
  let down = false;
  const random = mulberry32(seed);
  const stats: FaultStats = {
    requests: 0,
    resetBefore: 0,
    resetAfter: 0,
    delayed: 0,
    refusedDown: 0,
    unanswered: 0,
    late: 0,
  };
  const uncertain: { request: string; why: 'unanswered' | 'late' }[] = [];
  const record: UncertainRecorder =
    options.record ?? ((request, why) => void uncertain.push({ request, why }));
  const lateMs = options.lateMs ?? 1_000;
  const sockets = new Set<Socket>();

  const server: Server = createServer((client) => {
    const server = connect(port, host);
    sockets.add(client);
    sockets.add(server);
    let pending: Buffer[] = []; // bytes of the current request, as forwarded
    let answered = true; // the current request's answer began to reach the client
    let startedAt = 0;
    let fault: 'none' | 'after' | 'delay' = 'none';
    let closed = false;
    let answerChain = Promise.resolve();

    const close = (): void => {
      if (closed) return;
      closed = true;
      if (pending.length > 0 && !answered) {
        stats.unanswered += 1;
        record(Buffer.concat(pending).toString('utf8'), 'unanswered');
      }
      pending = [];
      reset(client);
      reset(server);
      sockets.delete(client);
      sockets.delete(server);
    };

    client.on('data', (chunk: Buffer) => {
      if (closed) return;
      if (answered) {
        // A new request on this connection.
        answered = false;
        pending = [];
        startedAt = Date.now();
        stats.requests += 1;
        const roll = random();
        if (down) {
          stats.refusedDown += 1;
          close();
          return;
        }
        if (roll < faults.resetBefore) {
          stats.resetBefore += 1;
          close();
          return;
        }
        if (roll < faults.resetBefore + faults.resetAfter) {
          fault = 'after';
          stats.resetAfter += 1;
        } else if (roll < faults.resetBefore + faults.resetAfter + faults.delay) {
          fault = 'delay';
          stats.delayed += 1;
        } else fault = 'none';
      }
      pending.push(chunk);
      server.write(chunk);
    });
    server.on('data', (chunk: Buffer) => {
      if (closed) return;
      if (fault === 'after') {
        close();
        return;
      }
      const forward = (): void => {
        if (closed) return;
        if (!answered && pending.length > 0 && (fault === 'delay' || Date.now() - startedAt >= lateMs)) {
          stats.late += 1;
          record(Buffer.concat(pending).toString('utf8'), 'late');
        }
        answered = true;
        client.write(chunk);
      };
      if (fault === 'delay') {
        const wait = faults.delayMs;
        answerChain = answerChain.then(() => new Promise<void>((r) => setTimeout(r, wait))).then(forward);
      } else {
        // Keep order behind a delayed chunk of the same answer.
        answerChain = answerChain.then(forward);
      }
    });
    // The emulator closing its side (Connection: close) ends the client's side once the answer,
    // held back or not, is through; the client going away, or an error, resets both at once.
    const finish = (): void => {
      answerChain = answerChain.then(() => {
        if (closed) return;
        if (pending.length > 0 && !answered) close();
        else {
          closed = true;
          client.end();
          sockets.delete(client);
          sockets.delete(server);
        }
      });
    };
    server.on('end', finish);
    server.on('close', finish);
    server.on('error', close);
    client.on('error', close);
    client.on('close', close);
    client.on('end', close);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const listening = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${listening}`,
    stats,
    uncertain,
    setFaults: (next) => {
      faults = next;
    },
    setDown: (value) => {
      down = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A TCP reset where the platform has one (Node ≥ 18.3), else a plain destroy. */
function reset(socket: Socket): void {
  if (socket.destroyed) return;
  const withReset = socket as Socket & { resetAndDestroy?: () => void };
  try {
    if (typeof withReset.resetAndDestroy === 'function' && socket.readyState === 'open')
      withReset.resetAndDestroy();
    else socket.destroy();
  } catch {
    socket.destroy();
  }
}

/** Small seeded PRNG: the same seed gives the same fault sequence. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
