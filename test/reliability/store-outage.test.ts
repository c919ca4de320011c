/**
 * The route table goes away under a running router, in each form a network gives it: it stops
 * answering (blackhole: connections accepted, nothing comes back), or it refuses (connections
 * reset, or refused outright). The table is a real dynalite in its own process; between it and
 * the router sits the fault proxy (src/local/fault-proxy.ts), since no emulator hangs on demand.
 * The router is the real one (createRouter + respond, the Lambda handler's code) with recording
 * forwarders as targets, so the only I/O in play is the store's.
 *
 * What must hold (DESIGN.md "Hot path rules"): events whose route is cached keep flowing, fresh
 * or stale, without waiting on the hung store; an uncached psARN fails fast with
 * STORE_UNAVAILABLE; and once the proxy passes traffic again the router recovers by itself —
 * it sees a release published during the outage and resolves the psARNs it could not.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startDynalite } from '../../src/local/dynalite';
import type { RunningEmulator } from '../../src/local/emulator';
import { startFaultProxy, type FaultProxy, type ProxyMode } from '../../src/local/fault-proxy';
import { createRouter, type RouterParts } from '../../src/router/wiring';
import { parseEnvelope } from '../../src/router/envelope';
import { respond, type Observer } from '../../src/router/respond';
import { createRouteTable } from '../../src/store/create-route-table';
import { DynamoReleaseStore } from '../../src/store/dynamo-release-store';
import type { DeliveryReport } from '../../src/delivery/report';
import { PsarnError } from '../../src/errors';
import type { Route } from '../../src/routes/model';
import { RecordingForwarders } from '../support/recording-forwarders';
import { route, split, sqsArn } from '../support/routes';

const quiet: Observer = { accepted: () => undefined, rejected: () => undefined, unsecured: () => undefined };
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The SDK's request timeout the router's client has here, as the lead's clients.ts will set one. */
const REQUEST_TIMEOUT_MS = 1500;
/**
 * Longest an event with a cached route may take during the outage: the cache waits at most
 * staleAnswerMs (100 ms) for the #control re-check and as long for the route's refresh; the rest
 * is room for a loaded CI machine. Well under REQUEST_TIMEOUT_MS, which a blocked event would pay.
 */
const CACHED_BOUND_MS = 600;
/** An uncached psARN: the client's timeout, plus the control wait and room. */
const UNCACHED_BOUND_MS = REQUEST_TIMEOUT_MS + 700;
const OUTAGE_MS = 2_500;

interface Sent {
  readonly ms: number;
  readonly target?: string;
  readonly code?: string;
}

/** One event through the router's direct-invoke form: where it went, or the error code. */
async function send(parts: RouterParts, psarn: string): Promise<Sent> {
  const started = performance.now();
  try {
    const report = (await respond(
      parts.router,
      parseEnvelope({ headers: { psarn }, payload: { at: Date.now() } }),
      quiet,
    )) as DeliveryReport;
    const delivery = report.deliveries[0];
    const ms = performance.now() - started;
    return delivery?.status === 'delivered'
      ? { ms, target: delivery.target }
      : { ms, code: delivery?.status ?? 'no delivery' };
  } catch (err) {
    return { ms: performance.now() - started, code: err instanceof PsarnError ? err.code : String(err) };
  }
}

describe('the router through a route-table outage', () => {
  let dynalite: RunningEmulator;
  let admin: DynamoDBClient;
  let table = 0;

  beforeAll(async () => {
    dynalite = await startDynalite();
    // The operator's client reaches dynalite directly: releases can be published mid-outage.
    admin = new DynamoDBClient({ endpoint: dynalite.endpoint, region: 'us-east-1', credentials });
  });
  afterAll(async () => {
    admin.destroy();
    await dynalite.stop();
  });

  /** A fresh table with three routes, a proxy in front of dynalite, and a router behind it. */
  async function setUp(clientOptions: ConstructorParameters<typeof DynamoDBClient>[0]) {
    const tableName = `outage-${process.pid}-${++table}`;
    await createRouteTable(admin, tableName);
    const releases = new DynamoReleaseStore({ client: admin, tableName });
    const v1 = sqsArn('outage-v1');
    const v2 = sqsArn('outage-v2');
    // Stays fresh through the outage: only the #control re-check falls due.
    const fresh = route(`/outage/${table}/fresh`, { ttl: 3600, targets: [split(v1, 1)] });
    // Expires during the outage: served stale.
    const stale = route(`/outage/${table}/stale`, { ttl: 1, targets: [split(v1, 1)] });
    // In the table, but no event asked for it before the outage: nothing to serve it from.
    const uncached = route(`/outage/${table}/uncached`, { ttl: 60, targets: [split(v1, 1)] });
    await releases.publishRelease([fresh, stale], { by: 'store-outage.test' });

    const proxy = await startFaultProxy(dynalite.port);
    const client = new DynamoDBClient({
      endpoint: proxy.endpoint,
      region: 'us-east-1',
      credentials,
      ...clientOptions,
    });
    const forwarders = new RecordingForwarders();
    const parts = createRouter(
      { tableName, epochCheckSeconds: 1, maxStaleSeconds: 60, negativeTtlSeconds: 1 },
      { dynamo: client, forwarders: forwarders.lookup },
    );
    // The router starts cold now, from release 1's snapshot (fresh and stale); `uncached` comes
    // with release 2, so the router has it neither cached nor in the snapshot it started from.
    await parts.cache.get(fresh.psarn);
    await releases.publishRelease([fresh, stale, uncached], { by: 'store-outage.test' });
    const moved = (r: Route): Route => ({ ...r, targets: [split(v2, 1)] });
    return { proxy, client, parts, releases, fresh, stale, uncached, moved, v1, v2 };
  }

  describe.each<ProxyMode>(['blackhole', 'reset', 'refuse'])('when the table is unreachable (%s)', (mode) => {
    let proxy: FaultProxy | undefined;
    let client: DynamoDBClient | undefined;
    afterEach(async () => {
      client?.destroy();
      await proxy?.stop();
    });

    it('keeps cached routes flowing, fails uncached psARNs fast, and recovers on its own', async () => {
      const world = await setUp({
        maxAttempts: 1,
        // Without throwOnRequestTimeout, @smithy/node-http-handler 4.x only logs a warning when
        // requestTimeout passes and the request goes on hanging.
        requestHandler: {
          connectionTimeout: 500,
          requestTimeout: REQUEST_TIMEOUT_MS,
          throwOnRequestTimeout: true,
        },
      });
      ({ proxy, client } = world);
      const { parts, fresh, stale, uncached, v1, v2 } = world;
      expect(await send(parts, fresh.psarn)).toMatchObject({ target: v1 });
      expect(await send(parts, stale.psarn)).toMatchObject({ target: v1 });

      await world.proxy.mode(mode);
      // Published while the router cannot see it: after recovery, events must follow it.
      await world.releases.publishRelease([world.moved(fresh), world.moved(stale), uncached], {
        by: 'store-outage.test',
      });
      const outageStarted = Date.now();
      const cached: Sent[] = [];
      const uncachedTries: Sent[] = [];
      // Two producers on the cached routes and one on the uncached psARN, side by side.
      const producer = async (psarn: string, into: Sent[]) => {
        while (Date.now() - outageStarted < OUTAGE_MS) {
          into.push(await send(parts, psarn));
          // A cached route resolves in microtasks alone: without a pause this producer would starve
          // the store's sockets and timers, and spin the CPU the suite's emulators share (in
          // Lambda, events arrive as I/O). 2 ms apart still makes hundreds of events a second.
          await sleep(2);
        }
      };
      await Promise.all([
        producer(fresh.psarn, cached),
        producer(stale.psarn, cached),
        producer(uncached.psarn, uncachedTries),
      ]);
      const staleServes = parts.cache.stats.staleServes;

      await world.proxy.mode('pass');
      const healed = Date.now();
      let recoveredMs: number | undefined;
      while (Date.now() - healed < 10_000) {
        const [a, b, c] = await Promise.all([
          send(parts, fresh.psarn),
          send(parts, stale.psarn),
          send(parts, uncached.psarn),
        ]);
        if (a.target === v2 && b.target === v2 && c.target === v1) {
          recoveredMs = Date.now() - healed;
          break;
        }
        await sleep(50);
      }

      const slowest = Math.max(...cached.map((s) => s.ms));
      const { stats } = parts.cache;
      console.log(
        `store outage (${mode}, ${OUTAGE_MS} ms): ${cached.length} cached events served, slowest ` +
          `${slowest.toFixed(0)} ms; ${staleServes} stale serves; ${stats.storeFailures} store failures ` +
          `(${stats.storeTimeouts} cache timeouts, ${stats.lateControlChecks} late control checks); ` +
          `uncached psARN: ${uncachedTries.length} × ${[...new Set(uncachedTries.map((s) => s.code))].join('/')}, ` +
          `slowest ${Math.max(...uncachedTries.map((s) => s.ms)).toFixed(0)} ms; recovered ` +
          `${recoveredMs ?? 'never'} ms after the proxy passed traffic again; proxy ${JSON.stringify(world.proxy.counters)}`,
      );

      // Every event on a cached route was delivered, to the release the router last saw, promptly.
      expect(cached.filter((s) => s.target !== v1)).toEqual([]);
      expect(cached.length).toBeGreaterThan(20);
      expect(slowest).toBeLessThan(CACHED_BOUND_MS);
      expect(staleServes).toBeGreaterThanOrEqual(1);
      // The uncached psARN was refused as retryable, never answered away, and quickly.
      expect(uncachedTries.length).toBeGreaterThanOrEqual(1);
      expect(new Set(uncachedTries.map((s) => s.code))).toEqual(new Set(['STORE_UNAVAILABLE']));
      expect(Math.max(...uncachedTries.map((s) => s.ms))).toBeLessThan(UNCACHED_BOUND_MS);
      // Back without a restart: the mid-outage release is live and the uncached psARN resolves.
      expect(recoveredMs).toBeDefined();
      expect(recoveredMs).toBeLessThan(5_000);
    });
  });

  describe('with no SDK timeouts at all', () => {
    let proxy: FaultProxy | undefined;
    let client: DynamoDBClient | undefined;
    afterEach(async () => {
      client?.destroy();
      await proxy?.stop();
    });

    it('bounds a blackholed read by the cache deadline and closes its socket', async () => {
      const world = await setUp({ maxAttempts: 1 });
      ({ proxy, client } = world);
      const { parts, fresh, uncached, v1 } = world;
      expect(await send(parts, fresh.psarn)).toMatchObject({ target: v1 });
      const idle = world.proxy.open;

      await world.proxy.mode('blackhole');
      await sleep(1_100); // the #control re-check falls due
      const started = Date.now();
      const others = [1, 2, 3, 4].map((n) => send(parts, `${uncached.psarn}-${n}`));
      const [cachedEvent, uncachedEvent, ...rest] = await Promise.all([
        send(parts, fresh.psarn),
        send(parts, uncached.psarn),
        ...others,
      ]);
      const failedAfter = Date.now() - started;
      expect(cachedEvent).toMatchObject({ target: v1 });
      expect(cachedEvent?.ms).toBeLessThan(CACHED_BOUND_MS);
      expect([uncachedEvent, ...rest].map((s) => s?.code)).toEqual(Array(5).fill('STORE_UNAVAILABLE'));
      // The cache's readTimeoutMs (2 s by default) is the only bound here.
      expect(failedAfter).toBeLessThan(3_000);
      await sleep(200);
      // The hung requests were aborted, not left holding a socket each.
      expect(world.proxy.open).toBeLessThanOrEqual(idle);
      console.log(
        `no SDK timeouts, blackholed: 5 uncached lookups failed after ${failedAfter} ms; ` +
          `${world.proxy.open} proxy connection(s) open (${idle} idle before); ` +
          `${parts.cache.stats.storeTimeouts} cache timeouts`,
      );

      await world.proxy.mode('pass');
      await sleep(1_100);
      expect(await send(parts, uncached.psarn)).toMatchObject({ target: v1 });
    }, 20_000); // a cache without its own deadline hangs here for good
  });
});
