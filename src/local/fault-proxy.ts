import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * What the proxy does with connections, existing and new:
 * - `pass`: forwards bytes both ways to the target (frozen connections resume).
 * - `blackhole`: accepts new connections and never answers them; existing connections freeze
 *   (nothing is read or forwarded either way), like a network partition. Only the client's own
 *   timeout ends such a request. Back in `pass`, frozen connections carry on where they stopped.
 * - `reset`: accepts new connections and resets them at once (the client sees ECONNRESET);
 *   existing connections are reset too.
 * - `refuse`: stops listening, so connecting fails with ECONNREFUSED; existing connections are
 *   reset. Back in `pass`, the proxy listens again on the same port.
 */
export type ProxyMode = 'pass' | 'blackhole' | 'reset' | 'refuse';

/** What happened so far; plain numbers, read at any time. */
export interface ProxyCounters {
  /** Connections accepted (in any mode; `refuse` accepts none). */
  accepted: number;
  /** Connections joined to the target. */
  forwarded: number;
  /** Connections accepted in `blackhole` mode, never joined to the target. */
  blackholed: number;
  /** Connections reset by the proxy (new ones in `reset`, existing ones on `reset`/`refuse`). */
  reset: number;
  /** Bytes from clients to the target, and back. */
  bytesToTarget: number;
  bytesFromTarget: number;
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
  /** Switches mode; resolves once the new mode is in force (listening again, sockets reset). */
  mode(next: ProxyMode): Promise<void>;
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
}

/** One client connection and, once joined, its upstream. */
interface Link {
  readonly client: Socket;
  upstream: Socket | undefined;
  frozen: boolean;
}

/**
 * A TCP proxy in front of a local emulator that can fail on demand: the store outages (and
 * target outages) a hung or refused socket causes, which an emulator cannot produce on its own.
 * Any TCP protocol passes through unchanged (HTTP/1.1 keep-alive included), so an SDK client
 * pointed at `endpoint` talks to the real emulator until the mode says otherwise.
 *
 * `refuse` closes and later re-opens the listening port: another process could take the port in
 * between (unlikely on loopback in a test; `mode('pass')` then rejects with EADDRINUSE).
 *
 * @example
 * const proxy = await startFaultProxy(dynalitePort);
 * const client = new DynamoDBClient({ endpoint: proxy.endpoint, requestHandler: { requestTimeout: 300 } });
 * await proxy.mode('blackhole'); // requests now hang until the client's timeout
 * await proxy.mode('pass');      // and flow again
 * proxy.counters.blackholed;     // connections that went nowhere
 * await proxy.stop();
 */
export async function startFaultProxy(
  targetPort: number,
  options: FaultProxyOptions = {},
): Promise<FaultProxy> {
  const targetHost = options.targetHost ?? '127.0.0.1';
  const counters: ProxyCounters = {
    accepted: 0,
    forwarded: 0,
    blackholed: 0,
    reset: 0,
    bytesToTarget: 0,
    bytesFromTarget: 0,
  };
  const links = new Set<Link>();
  let current: ProxyMode = options.mode ?? 'pass';
  let stopped = false;

  const resetLink = (link: Link): void => {
    counters.reset++;
    links.delete(link);
    link.upstream?.destroy();
    // RST rather than FIN: the client sees ECONNRESET, as from a dying peer or load balancer.
    link.client.resetAndDestroy();
  };

  const freeze = (link: Link): void => {
    link.frozen = true;
    link.client.pause();
    link.upstream?.pause();
  };

  const thaw = (link: Link): void => {
    link.frozen = false;
    link.client.resume();
    link.upstream?.resume();
  };

  const join = (link: Link): void => {
    counters.forwarded++;
    const upstream = createConnection({ host: targetHost, port: targetPort });
    link.upstream = upstream;
    // Manual forwarding instead of pipe(): pipe() resumes a paused source on 'drain', which
    // would undo a freeze. Loopback test traffic is small, so backpressure is not needed here.
    link.client.on('data', (chunk: Buffer) => {
      counters.bytesToTarget += chunk.length;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      counters.bytesFromTarget += chunk.length;
      link.client.write(chunk);
    });
    upstream.on('end', () => link.client.end());
    link.client.on('end', () => upstream.end());
    upstream.on('error', () => link.client.destroy());
    upstream.on('close', () => link.client.destroy());
  };

  const onConnection = (client: Socket): void => {
    if (stopped) {
      client.destroy();
      return;
    }
    counters.accepted++;
    const link: Link = { client, upstream: undefined, frozen: false };
    links.add(link);
    client.on('error', () => undefined); // a reset client is expected here, not a crash
    client.on('close', () => {
      links.delete(link);
      link.upstream?.destroy();
    });
    if (current === 'reset') {
      resetLink(link);
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
    async mode(next: ProxyMode): Promise<void> {
      if (stopped) throw new Error('the fault proxy was stopped');
      const previous = current;
      current = next;
      if (next === 'reset' || next === 'refuse') {
        for (const link of [...links]) resetLink(link);
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
        if (next === 'pass' && link.frozen) thaw(link);
      }
    },
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      for (const link of [...links]) {
        link.upstream?.destroy();
        link.client.destroy();
      }
      links.clear();
      await closeServer();
    },
  };
}
