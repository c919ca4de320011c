import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { seededRandom } from '../routing/seeded-random';

/**
 * What the whole proxy does with connections, existing and new:
 * - `pass`: forwards bytes both ways to the target (frozen connections resume); the fault plan
 *   applies.
 * - `blackhole`: accepts new connections and never answers them; existing connections freeze
 *   (nothing is read or forwarded either way), like a network partition. Only the client's own
 *   timeout ends such a request. Back in `pass`, frozen connections carry on where they stopped.
 * - `reset`: accepts new connections and resets them at once (the client sees ECONNRESET);
 *   existing connections are reset too.
 * - `refuse`: stops listening, so connecting fails with ECONNREFUSED; existing connections are
 *   reset. Back in `pass`, the proxy listens again on the same port.
 * - `down`: the service is down, the network is not: connections are accepted and requests
 *   already forwarded get their answer, but every new request is reset before it reaches the
 *   target (it certainly did not land).
 */
export type ProxyMode = 'pass' | 'blackhole' | 'reset' | 'refuse' | 'down';

/**
 * Shares (0-1) of requests the proxy breaks, drawn per request; a missing share is 0. A request
 * starts with a client's first bytes on a connection, and with its first bytes after the answer
 * to the previous one began: HTTP/1.1 without pipelining, what the AWS SDK speaks.
 */
export interface FaultPlan {
  /** Reset the connection before the request reaches the target: it certainly did not land. */
  readonly resetBefore?: number;
  /**
   * Forward the request, then reset the connection when the answer starts to come back: the
   * request landed but the client never hears so. The client's retry is then a true duplicate.
   */
  readonly resetAfter?: number;
  /** Hold the answer back for `delayMs` (a slow service; a client timeout then cuts it). */
  readonly delay?: number;
  readonly delayMs?: number;
}

/**
 * Why a request's effect is unknown to its client: `unanswered` (it reached the target, its answer
 * never reached the client: reset after forwarding, a timeout, a client that gave up) or `late`
 * (its answer came after the client may have stopped waiting: a router that abandons a call at
 * its deadline without closing the connection sees a failure for a request that landed).
 */
export type Uncertainty = 'unanswered' | 'late';

/** Told the raw text (request line, headers, body) of each request whose effect is unknown. */
export type UncertainListener = (request: string, why: Uncertainty) => void;

/** What happened so far; plain numbers, read at any time. */
export interface ProxyCounters {
  /** Connections accepted (in any mode; `refuse` accepts none). */
  accepted: number;
  /** Connections joined to the target. */
  forwarded: number;
  /** Connections accepted in `blackhole` mode, never joined to the target. */
  blackholed: number;
  /** Connections the proxy reset, for any reason: a mode, the plan, `down`, a failed target. */
  reset: number;
  /** Bytes from clients to the target, and back. */
  bytesToTarget: number;
  bytesFromTarget: number;
  /** Requests begun on connections joined to the target. */
  requests: number;
  /** Requests the plan reset before they reached the target. */
  resetBefore: number;
  /** Requests the plan forwarded and then cut as their answer began. */
  resetAfter: number;
  /** Requests whose answer the plan held back. */
  delayed: number;
  /** Requests reset before they reached the target because the mode was `down`. */
  refusedDown: number;
  /** Requests that reached the target and whose answer never reached the client. */
  unanswered: number;
  /** Requests whose answer came held back or slower than `lateMs`. */
  late: number;
}

export interface FaultProxy {
  /** The port clients connect to (stays the same across modes). */
  readonly port: number;
  /** `http://127.0.0.1:<port>`, for an SDK client's `endpoint`. */
  readonly endpoint: string;
  /** The current mode. */
  readonly current: ProxyMode;
  readonly counters: Readonly<ProxyCounters>;
  /** Connections open right now (client side). */
  readonly open: number;
  /**
   * Without `onUncertain`: every request that reached the target but whose answer did not reach
   * the client, or came late, in the order seen. Such a request may have taken effect while its
   * sender saw a failure. With `onUncertain`, always empty (a long run keeps no request texts).
   */
  readonly uncertain: readonly { readonly request: string; readonly why: Uncertainty }[];
  /** Switches mode; resolves once the new mode is in force (listening again, sockets reset). */
  mode(next: ProxyMode): Promise<void>;
  /** Replaces the fault plan, for requests that begin from now on. */
  plan(next: FaultPlan): void;
  /** Closes the listener and every connection. Safe to call twice. */
  stop(): Promise<void>;
}

export interface FaultProxyOptions {
  /** Host of the target; default 127.0.0.1. */
  readonly targetHost?: string;
  /** Port to listen on; default a free one. */
  readonly port?: number;
  /** Mode to start in; default `pass`. */
  readonly mode?: ProxyMode;
  /** Faults drawn per request; default none. */
  readonly plan?: FaultPlan;
  /** Seed of the draws: the same seed gives the same fault sequence (default 1). */
  readonly seed?: number;
  /** Where uncertain requests go; default `FaultProxy.uncertain`. */
  readonly onUncertain?: UncertainListener;
  /** An answer slower than this counts as late (default 1,000 ms). */
  readonly lateMs?: number;
}

/** One client connection and, once joined, its upstream and the request in flight on it. */
interface Link {
  readonly client: Socket;
  upstream: Socket | undefined;
  closed: boolean;
  frozen: boolean;
  /** Resolves when a freeze ends; answers wait on it, so a frozen link forwards nothing. */
  thawed: Promise<void>;
  endFreeze: () => void;
  /** Bytes of the current request, as forwarded. */
  request: Buffer[];
  /** The current request's answer began to reach the client (or no request yet). */
  answered: boolean;
  startedAt: number;
  fault: 'none' | 'after' | 'delay';
  /** Answer chunks in order, a held-back one included. */
  answers: Promise<void>;
}

/**
 * A TCP proxy in front of a local emulator that fails on demand and by chance: the outages a
 * hung, reset or refused socket causes (`mode`), which an emulator cannot produce on its own, and
 * a seeded share of requests reset before or after they land, or answered late (`plan`). Bytes
 * pass through unchanged (HTTP/1.1 keep-alive included), so an SDK client pointed at `endpoint`
 * talks to the real emulator until the mode or the plan says otherwise. Which request meets which
 * drawn fault still depends on timing.
 *
 * Every request that reached the target without its answer reaching the client, or with its
 * answer late, is reported (`onUncertain` or `uncertain`): the reliability account uses these to
 * tell at-least-once duplicates (allowed) from re-sends (not allowed). The proxy never parses
 * what it carries, so a single SendMessage or Publish (how a forwarder sends one copy) is faulted
 * and reported exactly like a batch; which copies a reported request carried is the reader's
 * to say (the soak harness's `requestKeys` reads single and batch SQS and SNS requests).
 *
 * `refuse` closes and later re-opens the listening port: another process could take the port in
 * between (unlikely on loopback in a test; `mode('pass')` then rejects with EADDRINUSE).
 *
 * @example
 * const proxy = await startFaultProxy(dynalitePort);
 * const client = new DynamoDBClient({ endpoint: proxy.endpoint, requestHandler: { requestTimeout: 300 } });
 * await proxy.mode('blackhole'); // requests now hang until the client's timeout
 * await proxy.mode('pass');      // and flow again
 * proxy.plan({ resetAfter: 0.02, delay: 0.05, delayMs: 200 }); // some answers lost or slow
 * proxy.counters.blackholed;     // connections that went nowhere
 * await proxy.stop();
 */
export async function startFaultProxy(
  targetPort: number,
  options: FaultProxyOptions = {},
): Promise<FaultProxy> {
  const targetHost = options.targetHost ?? '127.0.0.1';
  const lateMs = options.lateMs ?? 1_000;
  const random = seededRandom(options.seed ?? 1);
  const counters: ProxyCounters = {
    accepted: 0,
    forwarded: 0,
    blackholed: 0,
    reset: 0,
    bytesToTarget: 0,
    bytesFromTarget: 0,
    requests: 0,
    resetBefore: 0,
    resetAfter: 0,
    delayed: 0,
    refusedDown: 0,
    unanswered: 0,
    late: 0,
  };
  const uncertain: { request: string; why: Uncertainty }[] = [];
  const report: UncertainListener =
    options.onUncertain ?? ((request, why) => void uncertain.push({ request, why }));
  const links = new Set<Link>();
  let current: ProxyMode = options.mode ?? 'pass';
  let faults: FaultPlan = options.plan ?? {};
  let stopped = false;

  const inFlight = (link: Link): boolean => link.request.length > 0 && !link.answered;

  /** Ends a link, reporting its request if it was in flight; `reset` sends the client an RST. */
  const drop = (link: Link, how: 'reset' | 'close'): void => {
    if (link.closed) return;
    link.closed = true;
    links.delete(link);
    if (inFlight(link)) {
      counters.unanswered++;
      report(Buffer.concat(link.request).toString('utf8'), 'unanswered');
    }
    link.request = [];
    link.endFreeze(); // a held answer waiting on the thaw finds the link closed and goes nowhere
    // The target only sees its client go away: the fault is the client's to meet.
    link.upstream?.destroy();
    if (how === 'reset') {
      counters.reset++;
      // RST rather than FIN: the client sees ECONNRESET, as from a dying peer or load balancer.
      link.client.resetAndDestroy();
    } else {
      link.client.destroy();
    }
  };

  const freeze = (link: Link): void => {
    link.frozen = true;
    link.thawed = new Promise((resolve) => (link.endFreeze = resolve));
    link.client.pause();
    link.upstream?.pause();
  };

  const thaw = (link: Link): void => {
    link.frozen = false;
    link.endFreeze();
    link.client.resume();
    link.upstream?.resume();
  };

  /** A new request on the link: draws its fault; false when it was reset before forwarding. */
  const begin = (link: Link): boolean => {
    link.answered = false;
    link.request = [];
    link.startedAt = Date.now();
    link.fault = 'none';
    counters.requests++;
    // Drawn even when down, so the outage does not shift which later request meets which fault.
    const roll = random();
    const { resetBefore = 0, resetAfter = 0, delay = 0 } = faults;
    if (current === 'down') {
      counters.refusedDown++;
      drop(link, 'reset');
      return false;
    }
    if (roll < resetBefore) {
      counters.resetBefore++;
      drop(link, 'reset');
      return false;
    }
    if (roll < resetBefore + resetAfter) {
      link.fault = 'after';
      counters.resetAfter++;
    } else if (roll < resetBefore + resetAfter + delay) {
      link.fault = 'delay';
      counters.delayed++;
    }
    return true;
  };

  const deliver = (link: Link, chunk: Buffer): void => {
    if (link.closed) return;
    if (inFlight(link) && (link.fault === 'delay' || Date.now() - link.startedAt >= lateMs)) {
      counters.late++;
      report(Buffer.concat(link.request).toString('utf8'), 'late');
    }
    link.answered = true;
    counters.bytesFromTarget += chunk.length;
    link.client.write(chunk);
  };

  const join = (link: Link): void => {
    counters.forwarded++;
    const upstream = createConnection({ host: targetHost, port: targetPort });
    link.upstream = upstream;
    // Manual forwarding instead of pipe(): pipe() resumes a paused source on 'drain', which
    // would undo a freeze, and a request's bytes are needed to report it. Loopback test traffic
    // is small, so backpressure is not needed here.
    link.client.on('data', (chunk: Buffer) => {
      if (link.closed) return;
      if (link.answered && !begin(link)) return;
      link.request.push(chunk);
      counters.bytesToTarget += chunk.length;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (link.closed) return;
      if (link.fault === 'after') {
        drop(link, 'reset');
        return;
      }
      // Read when the chunk comes, as the plan stood then.
      const holdMs = link.fault === 'delay' ? (faults.delayMs ?? 0) : 0;
      link.answers = link.answers.then(async () => {
        if (holdMs > 0) await new Promise((resolve) => setTimeout(resolve, holdMs));
        while (link.frozen && !link.closed) await link.thawed;
        deliver(link, chunk);
      });
    });
    // The target closing its side (Connection: close) ends the client's side once the answer,
    // held back or not, is through; without an answer, the client is reset and the request
    // reported, as the target dropped it after it landed.
    const finish = (): void => {
      link.answers = link.answers.then(() => {
        if (link.closed) return;
        if (inFlight(link)) {
          drop(link, 'reset');
          return;
        }
        link.closed = true;
        links.delete(link);
        link.client.end();
      });
    };
    upstream.on('end', finish);
    upstream.on('close', finish);
    upstream.on('error', () => drop(link, 'reset'));
    link.client.on('end', () => upstream.end());
  };

  const onConnection = (client: Socket): void => {
    if (stopped) {
      client.destroy();
      return;
    }
    counters.accepted++;
    const link: Link = {
      client,
      upstream: undefined,
      closed: false,
      frozen: false,
      thawed: Promise.resolve(),
      endFreeze: () => undefined,
      request: [],
      answered: true,
      startedAt: 0,
      fault: 'none',
      answers: Promise.resolve(),
    };
    links.add(link);
    client.on('error', () => undefined); // a reset client is expected here, not a crash
    // The client went away: a request still waiting for its answer may have landed anyway.
    client.on('close', () => drop(link, 'close'));
    if (current === 'reset') {
      drop(link, 'reset');
    } else if (current === 'blackhole') {
      counters.blackholed++;
      // Read and drop: the client's request is "sent" and no answer ever comes.
      client.on('data', () => undefined);
    } else {
      join(link);
    }
  };

  let server: Server = createServer(onConnection);
  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const closeServer = (): Promise<void> =>
    new Promise((resolve) => {
      if (!server.listening) {
        resolve();
        return;
      }
      server.close(() => resolve());
    });

  const port = current === 'refuse' ? (options.port ?? 0) : await listen(options.port ?? 0);
  if (current === 'refuse' && port === 0) {
    throw new Error('startFaultProxy: starting in `refuse` mode needs a fixed `port`');
  }

  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    get current() {
      return current;
    },
    counters,
    get open() {
      return links.size;
    },
    uncertain,
    async mode(next: ProxyMode): Promise<void> {
      if (stopped) throw new Error('the fault proxy was stopped');
      const previous = current;
      current = next;
      if (next === 'reset' || next === 'refuse') {
        for (const link of [...links]) drop(link, 'reset');
      }
      if (next === 'refuse') {
        await closeServer();
      } else if (previous === 'refuse') {
        server = createServer(onConnection);
        await listen(port);
      }
      for (const link of links) {
        // Connections accepted in blackhole mode never had an upstream: they stay dead ends
        // (their request bytes are gone), and the client's timeout ends them.
        if (next === 'blackhole' && link.upstream !== undefined && !link.frozen) freeze(link);
        if (next !== 'blackhole' && link.frozen) thaw(link);
      }
    },
    plan(next: FaultPlan): void {
      faults = next;
    },
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      for (const link of [...links]) drop(link, 'close');
      await closeServer();
    },
  };
}
