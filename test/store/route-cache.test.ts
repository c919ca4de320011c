import { RouteCache } from '../../src/store/route-cache';
import type { ControlState, RouteStore, StoredRoute } from '../../src/store/route-store';
import type { SnapshotRead } from '../../src/store/snapshot';
import type { Route } from '../../src/routes/model';
import { ErrorCode } from '../../src/errors';
import { lambdaArn, route, split } from '../support/routes';
import { InMemoryRouteStore } from '../../src/store/in-memory-route-store';

/** A gate reads wait behind until it opens: a hung socket, which no emulator produces on demand. */
class Gate {
  private opened: Promise<void> | undefined;
  private open: (() => void) | undefined;
  /** From now on, reads hang until `release()`. */
  hold(): void {
    this.opened = new Promise((resolve) => (this.open = resolve));
  }
  /** Every held read answers (with the store's state at that moment). */
  release(): void {
    this.open?.();
    this.opened = undefined;
  }
  pass(): Promise<void> | undefined {
    return this.opened;
  }
}

/** A store of our own port, so the cache's rules can be driven clock tick by clock tick. */
class ScriptedStore implements RouteStore {
  control: ControlState = { release: 1, epoch: 0, updatedAt: '', updatedBy: 'test' };
  routes = new Map<string, Route>();
  failing = false;
  /** Only route Queries fail (the control item still reads): a release change, then an outage. */
  routesFailing = false;
  routeReads = 0;
  /** Each read's start (`control>`, `route@<release>>`) and the control read's answer (`control<`), in order. */
  readonly log: string[] = [];
  readonly controlGate = new Gate();
  readonly routeGate = new Gate();
  async readControl(): Promise<ControlState> {
    this.log.push('control>');
    await this.controlGate.pass();
    if (this.failing) throw new Error('connect ECONNREFUSED');
    this.log.push('control<');
    return this.control;
  }
  async getRoute(psarn: string, release: number): Promise<StoredRoute | undefined> {
    this.log.push(`route@${release}>`);
    this.routeReads++;
    await this.routeGate.pass();
    await new Promise((resolve) => setImmediate(resolve));
    if (this.failing || this.routesFailing) throw new Error('connect ECONNREFUSED');
    const found = this.routes.get(psarn);
    return found === undefined ? undefined : { route: found, release };
  }
}

const v1 = route('/event/a', { ttl: 60, targets: [split(lambdaArn('v1'), 1)] });
const v2 = route('/event/a', { ttl: 60, targets: [split(lambdaArn('v2'), 1)] });

function setup(
  options: {
    epochCheckSeconds?: number;
    maxStaleSeconds?: number;
    staleAnswerMs?: number;
    readTimeoutMs?: number;
  } = {},
) {
  const store = new ScriptedStore();
  store.routes.set(v1.psarn, v1);
  let now = 1_000_000;
  const cache = new RouteCache({ store, now: () => now, ...options });
  return { store, cache, advance: (seconds: number) => (now += seconds * 1000) };
}

describe('RouteCache', () => {
  it('answers a cached route without touching the store', async () => {
    const { store, cache } = setup();
    expect((await cache.get(v1.psarn)).route).toBe(v1);
    for (let i = 0; i < 1000; i++) expect(cache.peek(v1.psarn)?.route).toBe(v1);
    expect(store.routeReads).toBe(1);
    expect(cache.stats).toMatchObject({ storeReads: 2, controlReads: 1, hits: 1000, misses: 1 });
  });

  it('shares one store read between concurrent lookups of the same psARN', async () => {
    const { store, cache } = setup();
    const results = await Promise.all(Array.from({ length: 20 }, () => cache.get(v1.psarn)));
    expect(new Set(results.map((r) => r.route))).toEqual(new Set([v1]));
    expect(store.routeReads).toBe(1);
  });

  it('re-reads a route once its TTL has passed', async () => {
    const { store, cache, advance } = setup({ epochCheckSeconds: 1000 });
    await cache.get(v1.psarn);
    advance(59);
    expect(cache.peek(v1.psarn)).toBeDefined();
    advance(2);
    expect(cache.peek(v1.psarn)).toBeUndefined();
    store.routes.set(v1.psarn, v2);
    expect((await cache.get(v1.psarn)).route).toBe(v2);
  });

  it('sees a new release within epochCheckSeconds', async () => {
    const { store, cache, advance } = setup({ epochCheckSeconds: 5 });
    await cache.get(v1.psarn);
    store.routes.set(v1.psarn, v2);
    store.control = { ...store.control, release: 2 };
    advance(4);
    expect(cache.peek(v1.psarn)?.route).toBe(v1);
    advance(1);
    expect((await cache.get(v1.psarn)).route).toBe(v2);
    expect((await cache.get(v1.psarn)).release).toBe(2);
  });

  it('drops every cached route when the epoch is bumped (flush)', async () => {
    const { store, cache, advance } = setup({ epochCheckSeconds: 5 });
    await cache.get(v1.psarn);
    store.control = { ...store.control, epoch: 1 };
    advance(5);
    await cache.get(v1.psarn);
    expect(store.routeReads).toBe(2);
  });

  it('remembers an unknown psARN for a short while', async () => {
    const { store, cache, advance } = setup();
    const unknown = 'arn:aws:psarns:us-east-1:000000000000:/nope';
    await expect(cache.get(unknown)).rejects.toMatchObject({ code: ErrorCode.ROUTE_NOT_FOUND });
    expect(() => cache.peek(unknown)).toThrow('no route for');
    expect(store.routeReads).toBe(1);
    advance(6);
    await expect(cache.get(unknown)).rejects.toMatchObject({ code: ErrorCode.ROUTE_NOT_FOUND });
    expect(store.routeReads).toBe(2);
    expect(cache.stats.negativeHits).toBe(1);
  });

  it('serves a stale route while the store fails, then stops after maxStaleSeconds', async () => {
    const { store, cache, advance } = setup({ epochCheckSeconds: 5, maxStaleSeconds: 120 });
    await cache.get(v1.psarn);
    store.failing = true;
    advance(61);
    expect((await cache.get(v1.psarn)).route).toBe(v1);
    expect(cache.stats.staleServes).toBe(1);
    // Within the retry pause the stale copy is answered without another store read.
    const reads = store.routeReads;
    expect(cache.peek(v1.psarn)?.route).toBe(v1);
    expect(store.routeReads).toBe(reads);
    advance(120);
    await expect(cache.get(v1.psarn)).rejects.toMatchObject({ code: ErrorCode.STORE_UNAVAILABLE });
  });

  it('fails clearly for a psARN it never saw while the store is down', async () => {
    const { store, cache } = setup();
    store.failing = true;
    await expect(cache.get(v1.psarn)).rejects.toMatchObject({
      code: ErrorCode.STORE_UNAVAILABLE,
      message: 'route store unavailable: connect ECONNREFUSED',
    });
  });
});

describe('RouteCache serving stale across a release change', () => {
  it('pauses between store attempts instead of reading once per event', async () => {
    const { store, cache, advance } = setup({ epochCheckSeconds: 5, maxStaleSeconds: 120 });
    await cache.get(v1.psarn);
    store.routesFailing = true;
    store.control = { ...store.control, release: 2 };
    advance(5);
    const readsBefore = store.routeReads;
    for (let i = 0; i < 100; i++) expect((await cache.get(v1.psarn)).route).toBe(v1);
    expect(store.routeReads - readsBefore).toBe(1);
    expect(cache.stats.staleServes).toBe(1);
  });
});

describe('RouteCache memory', () => {
  it('keeps at most 10,000 unknown psARNs, forgetting the oldest first', async () => {
    const { cache, store } = setup({ epochCheckSeconds: 3600 });
    const unknown = (i: number) => `arn:aws:psarns:us-east-1:000000000000:/unknown/${i}`;
    for (let i = 0; i <= 10_000; i++) await expect(cache.get(unknown(i))).rejects.toThrow('no route for');
    const reads = store.routeReads;
    // The newest unknown is still remembered; the oldest was forgotten and costs a read again.
    expect(() => cache.peek(unknown(10_000))).toThrow('no route for');
    await expect(cache.get(unknown(0))).rejects.toThrow('no route for');
    expect(store.routeReads).toBe(reads + 1);
  });
});

describe('RouteCache memory across flushes', () => {
  it('forgets the unknown-psARN count with the entries when the epoch is bumped', async () => {
    const { cache, store, advance } = setup({ epochCheckSeconds: 5 });
    const unknown = (i: number) => `arn:aws:psarns:us-east-1:000000000000:/unknown/${i}`;
    // 12,000 unknowns, a flush in the middle: never more than 6,000 negative entries at once.
    for (let i = 0; i < 6_000; i++) await expect(cache.get(unknown(i))).rejects.toThrow('no route for');
    store.control = { ...store.control, epoch: 1 };
    advance(5);
    for (let i = 6_000; i < 12_000; i++) await expect(cache.get(unknown(i))).rejects.toThrow('no route for');
    // Well under the cap, so the newest unknowns stay remembered: one more does not evict them.
    await expect(cache.get(unknown(12_000))).rejects.toThrow('no route for');
    expect(() => cache.peek(unknown(11_999))).toThrow('no route for');
    expect(() => cache.peek(unknown(6_000))).toThrow('no route for');
  });
});

/** `promise`, or a failure naming the wait when it has not settled within `ms` (real time). */
async function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const unknownPsarn = 'arn:aws:psarns:us-east-1:000000000000:/event/never-cached';

describe('RouteCache when the store hangs', () => {
  const bounds = { staleAnswerMs: 20, readTimeoutMs: 300 };

  it('answers a cached route while its #control re-check hangs, and sees the new release once it answers', async () => {
    const { store, cache, advance } = setup({ epochCheckSeconds: 5, ...bounds });
    await cache.get(v1.psarn);
    store.controlGate.hold();
    advance(5); // the control check is due; the route itself is fresh for 55 s more
    expect((await within(150, cache.get(v1.psarn))).route).toBe(v1);
    // The re-check is late, so later events take the synchronous fast path again.
    expect(cache.peek(v1.psarn)?.route).toBe(v1);
    expect(cache.stats.controlReads).toBe(2);

    store.routes.set(v1.psarn, v2);
    store.control = { ...store.control, release: 2 };
    store.controlGate.release();
    await sleep(0);
    expect(cache.release).toBe(2);
    expect((await within(150, cache.get(v1.psarn))).route).toBe(v2);
  });

  it('answers a stale route when neither #control nor its refresh answers within staleAnswerMs', async () => {
    const { store, cache, advance } = setup({ epochCheckSeconds: 5, ...bounds });
    await cache.get(v1.psarn);
    store.controlGate.hold();
    store.routeGate.hold();
    advance(61); // past the route's 60 s TTL and the control check
    expect((await within(150, cache.get(v1.psarn))).route).toBe(v1);
    expect(cache.stats.staleServes).toBe(1);
    expect(cache.peek(v1.psarn)?.route).toBe(v1);
  });

  it('answers stale within staleAnswerMs while a route refresh hangs, then takes the refresh when it comes', async () => {
    const { store, cache, advance } = setup({ epochCheckSeconds: 3600, ...bounds });
    await cache.get(v1.psarn);
    store.routeGate.hold();
    advance(61);
    const started = Date.now();
    const answers = await within(150, Promise.all([cache.get(v1.psarn), cache.get(v1.psarn)]));
    expect(answers.map((a) => a.route)).toEqual([v1, v1]);
    expect(Date.now() - started).toBeLessThan(120);
    expect(store.routeReads).toBe(2); // the first load and one shared refresh
    expect(cache.peek(v1.psarn)?.route).toBe(v1);

    store.routes.set(v1.psarn, v2);
    store.routeGate.release();
    await sleep(5);
    expect(cache.peek(v1.psarn)?.route).toBe(v2);
  });

  it('serves stale across a refresh that never answers: the timeout counts as a failure', async () => {
    const { store, cache, advance } = setup({ epochCheckSeconds: 3600, maxStaleSeconds: 120, ...bounds });
    await cache.get(v1.psarn);
    store.routeGate.hold();
    advance(61);
    expect((await within(150, cache.get(v1.psarn))).route).toBe(v1);
    await sleep(350); // past readTimeoutMs: the hung refresh is given up
    advance(2); // past the 1 s pause between attempts
    expect((await within(150, cache.get(v1.psarn))).route).toBe(v1);
    expect(store.routeReads).toBe(3); // a new refresh: the hung one no longer holds the psARN's slot
    expect(cache.stats).toMatchObject({ storeTimeouts: 1 });
    advance(120); // past maxStaleSeconds: no more stale answers
    await sleep(350);
    await expect(within(600, cache.get(v1.psarn))).rejects.toMatchObject({
      code: ErrorCode.STORE_UNAVAILABLE,
    });
  });

  it('fails an uncached psARN within readTimeoutMs, callers who joined late included, and recovers', async () => {
    const { store, cache } = setup({ ...bounds });
    store.routes.set(unknownPsarn, { ...v1, psarn: unknownPsarn });
    await cache.get(v1.psarn);
    store.routeGate.hold();
    const started = Date.now();
    const first = cache.get(unknownPsarn);
    await sleep(150);
    const joined = cache.get(unknownPsarn); // waits behind the first caller's hung read
    await expect(within(700, first)).rejects.toMatchObject({
      code: ErrorCode.STORE_UNAVAILABLE,
      message: expect.stringContaining('no answer within 300 ms'),
    });
    await expect(within(100, joined)).rejects.toMatchObject({ code: ErrorCode.STORE_UNAVAILABLE });
    expect(Date.now() - started).toBeLessThan(600); // one read's deadline (300 ms) and room for a busy CI

    store.routeGate.release();
    expect((await within(150, cache.get(unknownPsarn))).route.psarn).toBe(unknownPsarn);
  });

  it('fails fast on a cold start whose #control read hangs, and reads it again once it is due', async () => {
    const { store, cache } = setup({ ...bounds });
    store.controlGate.hold();
    await expect(within(500, cache.get(v1.psarn))).rejects.toMatchObject({
      code: ErrorCode.STORE_UNAVAILABLE,
    });
    store.controlGate.release();
    expect((await within(150, cache.get(v1.psarn))).route).toBe(v1);
    expect(cache.stats.controlReads).toBe(2);
  });

  it('gives a #control read that never answers up, so the next check reads again and sees the new epoch', async () => {
    const { store, cache, advance } = setup({ epochCheckSeconds: 5, ...bounds });
    await cache.get(v1.psarn);
    store.controlGate.hold();
    advance(5);
    expect((await within(150, cache.get(v1.psarn))).route).toBe(v1);
    await sleep(350); // the read is abandoned at readTimeoutMs
    store.controlGate.release(); // too late for that read; the store answers again
    store.control = { ...store.control, epoch: 1 };
    advance(2); // past the pause after a late control read
    await within(150, cache.get(v1.psarn));
    expect(cache.stats.controlReads).toBe(3);
    expect(cache.stats.storeTimeouts).toBe(1);
    // The flush was seen: the route was read again (the first load, then after the flush).
    expect(store.routeReads).toBe(2);
  });
});

describe('RouteCache across a release that changes few routes', () => {
  const many = (n: number, tag: string): Route[] =>
    Array.from({ length: n }, (_, i) =>
      route(`/event/r${String(i).padStart(3, '0')}`, { ttl: 3600, description: tag }),
    );

  async function warm(): Promise<{
    store: InMemoryRouteStore;
    cache: RouteCache;
    routes: Route[];
    advance: (s: number) => void;
  }> {
    const store = new InMemoryRouteStore();
    const routes = many(500, 'v1');
    await store.publishRelease(routes, { by: 'test' });
    let now = 1_000_000;
    const cache = new RouteCache({ store, now: () => now, epochCheckSeconds: 5 });
    for (const r of routes) await cache.get(r.psarn);
    return { store, cache, routes, advance: (s) => (now += s * 1000) };
  }

  it('re-reads only the psARNs the release changed: 1 of 500 costs ~1 route read, not 500', async () => {
    const { store, cache, routes, advance } = await warm();
    const changed = { ...routes[7]!, description: 'v2' };
    await store.publishRelease(
      routes.map((r, i) => (i === 7 ? changed : r)),
      { by: 'test' },
    );
    const before = store.reads;
    advance(6); // past epochCheckSeconds: the next event re-reads #control and sees release 2
    const seen = [];
    for (const r of routes) seen.push(await cache.get(r.psarn));
    // #control, the release's list of changed psARNs, and the one changed route.
    expect(store.reads - before).toBeLessThanOrEqual(3);
    expect(seen[7]).toEqual({ route: changed, release: 2 });
    expect(seen[8]).toEqual({ route: routes[8], release: 2 });
    // Unchanged routes are answered synchronously again, at the new release.
    expect(cache.peek(routes[9]!.psarn)).toEqual({ route: routes[9], release: 2 });
  });

  it('re-reads the psARNs changed by every release it missed', async () => {
    const { store, cache, routes, advance } = await warm();
    const next = routes.map((r, i) => (i === 1 ? { ...r, description: 'v2' } : r));
    await store.publishRelease(next, { by: 'test' });
    const last = next.map((r, i) => (i === 2 ? { ...r, description: 'v3' } : r));
    await store.publishRelease(last, { by: 'test' });
    const before = store.reads;
    advance(6);
    for (const [i, r] of routes.entries()) expect((await cache.get(r.psarn)).route).toEqual(last[i]);
    expect(store.reads - before).toBeLessThanOrEqual(4); // #control, the changes of 2 and 3, two routes
  });

  it('re-validates every cached route when the changed list cannot be read', async () => {
    const { store, cache, routes, advance } = await warm();
    await store.publishRelease(
      routes.map((r, i) => (i === 3 ? { ...r, description: 'v2' } : r)),
      { by: 'test' },
    );
    store.failChangesWith(new Error('throttled'));
    advance(6);
    for (const [i, r] of routes.entries())
      expect((await cache.get(r.psarn)).route.description).toBe(i === 3 ? 'v2' : 'v1');
    expect(cache.stats.misses).toBe(1000);
  });

  it('still drops everything on psarn flush', async () => {
    const { store, cache, routes, advance } = await warm();
    await store.bumpEpoch('test');
    const before = store.reads;
    advance(6);
    for (const r of routes) await cache.get(r.psarn);
    expect(store.reads - before).toBe(501);
  });
});

describe('RouteCache bound (maxRoutes)', () => {
  const cap = 100;
  const path = (i: number) => `/bounded/${i}`;
  function bounded() {
    const store = new ScriptedStore();
    for (let i = 0; i < 3 * cap; i++) {
      const r = route(path(i), { ttl: 600, targets: [split(lambdaArn('v1'), 1)] });
      store.routes.set(r.psarn, r);
    }
    const cache = new RouteCache({ store, epochCheckSeconds: 3600, maxRoutes: cap, now: () => 1_000_000 });
    const psarn = (i: number) => route(path(i), { ttl: 600, targets: [split(lambdaArn('v1'), 1)] }).psarn;
    return { store, cache, psarn };
  }

  it('never holds more than maxRoutes entries while 3× as many distinct routes are looked up', async () => {
    const { cache, psarn } = bounded();
    let largest = 0;
    for (let i = 0; i < 3 * cap; i++) {
      await cache.get(psarn(i));
      largest = Math.max(largest, cache.size);
    }
    expect(largest).toBe(cap);
    // The newest routes are the ones kept.
    expect(cache.peek(psarn(3 * cap - 1))).toBeDefined();
    expect(cache.peek(psarn(0))).toBeUndefined();
  });

  it('keeps the routes in use while a stream of other routes passes through', async () => {
    const { cache, store, psarn } = bounded();
    const hot = Array.from({ length: 10 }, (_, i) => psarn(i));
    // The hot routes are cached first, so insertion order alone would evict them first.
    for (let i = 0; i < cap; i++) await cache.get(psarn(i));
    for (let i = cap; i < 3 * cap; i++) {
      for (const p of hot) expect(cache.peek(p)).toBeDefined();
      await cache.get(psarn(i));
    }
    const reads = store.routeReads;
    for (const p of hot) await cache.get(p);
    expect(store.routeReads).toBe(reads); // every hot route was still cached
    expect(cache.peek(psarn(10))).toBeUndefined(); // a route used once, long ago, is gone
    expect(cache.size).toBe(cap);
  });

  it('bounds unknown psARNs by the same cap, and they do not push out the routes in use', async () => {
    const { cache, psarn } = bounded();
    const hot = psarn(0);
    await cache.get(hot);
    const unknown = (i: number) => `arn:aws:psarns:us-east-1:000000000000:/bounded-unknown/${i}`;
    for (let i = 0; i < 3 * cap; i++) {
      await expect(cache.get(unknown(i))).rejects.toThrow('no route for');
      expect(cache.peek(hot)).toBeDefined();
      expect(cache.size).toBeLessThanOrEqual(cap);
    }
    expect(() => cache.peek(unknown(3 * cap - 1))).toThrow('no route for');
  });

  it('caches the route just read even when every other entry was used since the last eviction', async () => {
    const { cache, psarn } = bounded();
    for (let i = 0; i < cap; i++) await cache.get(psarn(i));
    for (let i = 0; i < cap; i++) expect(cache.peek(psarn(i))).toBeDefined();
    await cache.get(psarn(cap));
    expect(cache.peek(psarn(cap))).toBeDefined();
    expect(cache.size).toBe(cap);
  });

  it('refuses a cap that could not hold the entry just added', () => {
    expect(() => new RouteCache({ store: new ScriptedStore(), maxRoutes: 0 })).toThrow('maxRoutes');
  });
});

describe('RouteCache: an expired route read beside its #control check', () => {
  it('issues the route Query while the due #control check is in flight, and uses it when the release holds', async () => {
    const { store, cache, advance } = setup({ epochCheckSeconds: 5 });
    await cache.get(v1.psarn);
    advance(61); // past the route's TTL and the control check
    store.log.length = 0;
    expect((await cache.get(v1.psarn)).route).toBe(v1);
    // One round trip: the Query went out before #control answered, and was not repeated.
    expect(store.log.indexOf('route@1>')).toBeLessThan(store.log.indexOf('control<'));
    expect(store.log.filter((l) => l.startsWith('route'))).toEqual(['route@1>']);
    expect(cache.stats).toMatchObject({ controlReads: 2, misses: 2 });
    expect(cache.peek(v1.psarn)?.route).toBe(v1);
  });

  it('reads again at the new release when the check it overlapped moved the release, and keeps that answer', async () => {
    const { store, cache, advance } = setup({ epochCheckSeconds: 5 });
    await cache.get(v1.psarn);
    advance(61);
    store.control = { ...store.control, release: 2 };
    store.routes.set(v1.psarn, v2);
    store.log.length = 0;
    const got = await cache.get(v1.psarn);
    expect(got).toEqual({ route: v2, release: 2 });
    expect(store.log.filter((l) => l.startsWith('route'))).toEqual(['route@1>', 'route@2>']);
    await sleep(0); // the read ahead at release 1 has settled too: it must not have replaced release 2's
    expect(cache.peek(v1.psarn)).toEqual({ route: v2, release: 2 });
  });

  it('reads nothing ahead for a fresh route: the check alone decides', async () => {
    const { store, cache, advance } = setup({ epochCheckSeconds: 5 });
    await cache.get(v1.psarn);
    advance(5);
    store.log.length = 0;
    expect((await cache.get(v1.psarn)).route).toBe(v1);
    expect(store.log).toEqual(['control>', 'control<']);
  });

  it('does not let a read ahead before a flush answer later callers: they read again', async () => {
    const { store, cache, advance } = setup({ epochCheckSeconds: 5 });
    await cache.get(v1.psarn);
    advance(61);
    store.control = { ...store.control, epoch: 1 };
    store.log.length = 0;
    expect((await cache.get(v1.psarn)).route).toBe(v1);
    expect(store.log.filter((l) => l.startsWith('route'))).toEqual(['route@1>', 'route@1>']);
    expect(cache.peek(v1.psarn)?.route).toBe(v1);
  });
});

/** A ScriptedStore with snapshots: the live routes at its control release, behind a gate. */
class SnapshotStore extends ScriptedStore {
  snapshotReads = 0;
  snapshotFails = false;
  readonly snapshotGate = new Gate();
  async readSnapshot(release: number): Promise<SnapshotRead> {
    this.snapshotReads++;
    const routes = new Map(this.routes);
    await this.snapshotGate.pass();
    if (this.snapshotFails) throw new Error('connect ECONNREFUSED');
    return release === this.control.release ? { routes } : { unusable: `no snapshot of release ${release}` };
  }
}

describe('RouteCache: a cold start from the release snapshot', () => {
  const w = route('/event/w', { ttl: 60, targets: [split(lambdaArn('w'), 1)] });
  function cold() {
    const store = new SnapshotStore();
    store.routes.set(v1.psarn, v1);
    store.routes.set(w.psarn, w);
    let now = 1_000_000;
    const cache = new RouteCache({ store, now: () => now });
    return { store, cache, advance: (seconds: number) => (now += seconds * 1000) };
  }

  it('fills the cache from one snapshot read: no route read for any psARN in it', async () => {
    const { store, cache } = cold();
    const [a, b] = await Promise.all([cache.get(v1.psarn), cache.get(w.psarn)]);
    expect([a.route, b.route]).toEqual([v1, w]);
    expect([store.snapshotReads, store.routeReads]).toEqual([1, 0]);
    expect(cache.stats).toMatchObject({ snapshotReads: 1, snapshotRoutes: 2, storeReads: 2 });
    // An unknown psARN is still asked for: the snapshot is not used to deny routes.
    await expect(cache.get(route('/event/none').psarn)).rejects.toThrow('no route for');
    expect(store.routeReads).toBe(1);
  });

  it('reads route by route when the snapshot read fails, and does not read it again while warm', async () => {
    const { store, cache, advance } = cold();
    store.snapshotFails = true;
    expect((await cache.get(v1.psarn)).route).toBe(v1);
    expect(cache.stats).toMatchObject({ snapshotFallbacks: 1, storeFailures: 1 });
    expect(store.routeReads).toBe(1);
    advance(61);
    await cache.get(w.psarn);
    expect(store.snapshotReads).toBe(1);
  });

  it('drops a snapshot that answers after the release moved: no route of the old release is served', async () => {
    const { store, cache, advance } = cold();
    store.snapshotGate.hold();
    const first = cache.get(v1.psarn); // cold: waits for the snapshot of release 1
    await sleep(0);
    advance(5); // the control check is due; a second event sees release 2
    store.control = { ...store.control, release: 2 };
    store.routes.set(v1.psarn, v2);
    const second = await cache.get(v1.psarn);
    expect(second).toEqual({ route: v2, release: 2 });
    store.snapshotGate.release();
    await first;
    expect(cache.stats).toMatchObject({ snapshotRoutes: 0, snapshotFallbacks: 1 });
    expect(cache.peek(v1.psarn)).toEqual({ route: v2, release: 2 });
  });

  it('keeps no more than maxRoutes of a larger snapshot, and reads the rest from the store', async () => {
    const store = new SnapshotStore();
    const many = Array.from({ length: 30 }, (_, i) => route(`/event/m${i}`, { ttl: 60 }));
    for (const r of many) store.routes.set(r.psarn, r);
    const cache = new RouteCache({ store, maxRoutes: 10 });
    await cache.get(many[0]?.psarn ?? '');
    expect(cache.size).toBeLessThanOrEqual(10);
    expect(cache.stats.snapshotRoutes).toBe(10);
    for (const r of many) expect((await cache.get(r.psarn)).route).toBe(r);
    expect(cache.size).toBeLessThanOrEqual(10);
    expect(store.routeReads).toBeGreaterThan(0);
  });

  it('reads the snapshot again after clear() (a new cold start), not on a warm instance', async () => {
    const { store, cache } = cold();
    await cache.get(v1.psarn);
    cache.clear();
    await cache.get(v1.psarn);
    expect(store.snapshotReads).toBe(2);
    expect(store.routeReads).toBe(0);
  });
});
