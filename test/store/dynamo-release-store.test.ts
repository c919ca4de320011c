import { GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ErrorCode, StoreUnavailableError } from '../../src/errors';
import { createRouteTable } from '../../src/store/create-route-table';
import { DynamoReleaseStore, type ReleaseHooks } from '../../src/store/dynamo-release-store';
import { DynamoRouteStore } from '../../src/store/dynamo-route-store';
import type { ReleaseStore } from '../../src/store/release-store';
import type { RouteStore } from '../../src/store/route-store';
import type { Route } from '../../src/routes/model';
import { lambdaArn, route, split } from '../control/route-fixtures';
import { freshTable, newClient, startDynalite, type LocalDynamo } from './local-dynamo';
import { releaseStoreContract } from './release-store.contract';

let local: LocalDynamo;
beforeAll(async () => {
  local = await startDynalite();
});
afterAll(async () => {
  await local.close();
});

/** Reader and writer on one table, as the router and the CLI would hold them. */
function storesOn(
  tableName: string,
  options: { hooks?: ReleaseHooks; now?: () => number } = {},
): RouteStore & ReleaseStore {
  const reader = new DynamoRouteStore({ client: local.client, tableName });
  const writer = new DynamoReleaseStore({ client: local.client, tableName, ...options });
  return Object.assign(writer, { getRoute: reader.getRoute.bind(reader) });
}

releaseStoreContract('DynamoRouteStore + DynamoReleaseStore on dynalite', async () =>
  storesOn(await freshTable(local)),
);

/** A promise the test resolves when it wants a paused apply to go on. */
function gate(): { wait: () => Promise<void>; open: () => void; reached: Promise<void> } {
  let open!: () => void;
  let arrive!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const reached = new Promise<void>((resolve) => (arrive = resolve));
  return {
    wait: () => {
      arrive();
      return opened;
    },
    open,
    reached,
  };
}

async function scanKeys(tableName: string): Promise<string[]> {
  const out = await local.client.send(new ScanCommand({ TableName: tableName }));
  return (out.Items ?? []).map((i) => `${i['pk']?.S} ${i['sk']?.S}`).sort();
}

const many = (n: number, tag: string): Route[] =>
  Array.from({ length: n }, (_, i) => route(`r${String(i).padStart(3, '0')}`, { description: tag }));

describe('DynamoRouteStore', () => {
  it('stores items under zero-padded release sort keys with the route as JSON', async () => {
    const table = await freshTable(local);
    const a = route('a');
    await storesOn(table).publishRelease([a], { by: 'ana' });
    const out = await local.client.send(
      new GetItemCommand({ TableName: table, Key: { pk: { S: a.psarn }, sk: { S: 'r#0000000001' } } }),
    );
    expect(JSON.parse(out.Item?.['route']?.S ?? 'null')).toEqual(a);
    expect(await scanKeys(table)).toEqual([
      '#control #control',
      '#release r#0000000001',
      '#snapshot r#0000000001#c0000',
      `${a.psarn} r#0000000001`,
    ]);
  });

  it('reads a route with exactly one request', async () => {
    const table = await freshTable(local);
    await storesOn(table).publishRelease([route('a')], { by: 'ana' });
    const client = newClient(local.endpoint);
    const commands: string[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        commands.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize' },
    );
    const store = new DynamoRouteStore({ client, tableName: table });
    await store.getRoute(route('a').psarn, 1);
    expect(commands).toEqual(['QueryCommand']);
    await store.readControl();
    expect(commands).toEqual(['QueryCommand', 'GetItemCommand']);
    client.destroy();
  });

  it('wraps a store failure in StoreUnavailableError naming the table, with the cause', async () => {
    const client = newClient('http://127.0.0.1:9');
    const store = new DynamoRouteStore({ client, tableName: 'nowhere' });
    const err: unknown = await store.getRoute(route('a').psarn, 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect((err as Error).message).toMatch(
      /reading route .*\/event\/a at release 1 from table nowhere failed/,
    );
    expect((err as Error).cause).toBeInstanceOf(Error);
    await expect(store.readControl()).rejects.toMatchObject({ code: ErrorCode.STORE_UNAVAILABLE });
    client.destroy();
  });

  it('creates the route table idempotently', async () => {
    const table = await freshTable(local);
    await expect(createRouteTable(local.client, table)).resolves.toBeUndefined();
  });
});

describe('DynamoReleaseStore writes releases atomically without transactions', () => {
  it('writes more than one BatchWriteItem of routes', async () => {
    const table = await freshTable(local);
    const store = storesOn(table);
    const routes = many(60, 'v1');
    expect((await store.publishRelease(routes, { by: 'ana' })).added).toHaveLength(60);
    await expect(store.routesAt(1)).resolves.toEqual(routes);
  });

  it('lets exactly one of two racing applies win; the loser fails and changes nothing', async () => {
    const table = await freshTable(local);
    const winner = storesOn(table);
    const loser = storesOn(table);
    const results = await Promise.allSettled([
      winner.publishRelease(many(30, 'A'), { by: 'a@host' }),
      loser.publishRelease(many(30, 'B'), { by: 'b@host' }),
    ]);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.reason).toMatchObject({ code: ErrorCode.RELEASE_CONFLICT });
    expect((rejected[0]?.reason as Error).message).toMatch(/^release 1 was taken by [ab]@host/);
    const tag = results[0]?.status === 'fulfilled' ? 'A' : 'B';
    expect((await winner.readControl()).release).toBe(1);
    expect(await winner.routesAt(1)).toEqual(many(30, tag));
    expect(await winner.listReleases()).toHaveLength(1);
  });

  it('refuses a second apply while the first holds its claim, naming the holder', async () => {
    const table = await freshTable(local);
    const paused = gate();
    const first = storesOn(table, { hooks: { afterClaim: paused.wait } });
    const running = first.publishRelease([route('a', { description: 'first' })], { by: 'ana@laptop' });
    await paused.reached;
    const second = storesOn(table);
    await expect(
      second.publishRelease([route('a', { description: 'second' })], { by: 'bo@desk' }),
    ).rejects.toThrow(/^release 1 was taken by ana@laptop \(claimed .*\); nothing was changed$/);
    paused.open();
    await expect(running).resolves.toMatchObject({ release: 1 });
    await expect(second.routesAt(1)).resolves.toEqual([route('a', { description: 'first' })]);
  });

  it('never shows a router half a release', async () => {
    const table = await freshTable(local);
    const store = storesOn(table);
    await store.publishRelease(many(40, 'old'), { by: 'ana' });
    const paused = gate();
    const writer = storesOn(table, {
      hooks: { afterBatch: async (_n, written) => (written === 25 ? paused.wait() : undefined) },
    });
    const running = writer.publishRelease(many(40, 'new'), { by: 'ana' });
    await paused.reached;
    const reader = new DynamoRouteStore({ client: local.client, tableName: table });
    const seen = async (): Promise<string[]> => {
      const { release } = await reader.readControl();
      const routes = await Promise.all(many(40, '').map((r) => reader.getRoute(r.psarn, release)));
      return [...new Set(routes.map((r) => r?.route.description ?? 'missing'))];
    };
    expect(await seen()).toEqual(['old']);
    paused.open();
    await running;
    expect(await seen()).toEqual(['new']);
  });

  it('keeps the live release when an apply crashes between claim and commit; the next apply cleans up', async () => {
    const table = await freshTable(local);
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const now = (): number => clock;
    const a = route('a');
    await storesOn(table, { now }).publishRelease([a], { by: 'ana' });

    // The crashed apply never returns from beforeCommit: its process is gone.
    const crashed = gate();
    const dying = storesOn(table, { now, hooks: { beforeCommit: crashed.wait } });
    void dying.publishRelease([{ ...a, ttl: 1 }, route('ghost')], { by: 'crashed@host' });
    await crashed.reached;
    expect(await scanKeys(table)).toContain(`${route('ghost').psarn} r#0000000002`);

    const reader = new DynamoRouteStore({ client: local.client, tableName: table });
    expect((await reader.readControl()).release).toBe(1);
    await expect(reader.getRoute(route('ghost').psarn, 1)).resolves.toBeUndefined();
    await expect(reader.getRoute(a.psarn, 1)).resolves.toEqual({ route: a, release: 1 });

    const next = storesOn(table, { now });
    await expect(next.publishRelease([a, route('b')], { by: 'bo' })).rejects.toThrow(
      /release 2 was taken by crashed@host/,
    );

    clock += 61_000; // the crashed apply's lease lapses
    await expect(next.publishRelease([a, route('b')], { by: 'bo' })).resolves.toMatchObject({
      release: 2,
      added: [route('b').psarn],
    });
    expect(await scanKeys(table)).not.toContain(`${route('ghost').psarn} r#0000000002`);
    await expect(next.routesAt(2)).resolves.toEqual([a, route('b')]);
    expect((await next.listReleases()).map((r) => r.by)).toEqual(['ana', 'bo']);
  });

  it('stops an apply whose lapsed claim was taken over, without touching the new release', async () => {
    const table = await freshTable(local);
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const now = (): number => clock;
    const stalled = gate();
    const slow = storesOn(table, { now, hooks: { beforeCommit: stalled.wait } });
    const slowRun = slow.publishRelease([route('a', { description: 'slow' })], { by: 'slow@host' });
    await stalled.reached;
    clock += 61_000;
    const fast = storesOn(table, { now });
    await expect(
      fast.publishRelease([route('a', { description: 'fast' })], { by: 'fast@host' }),
    ).resolves.toMatchObject({ release: 1 });
    const before = await scanKeys(table);
    stalled.open();
    await expect(slowRun).rejects.toThrow(/^release 1 was taken by fast@host/);
    expect(await scanKeys(table)).toEqual(before);
    await expect(fast.routesAt(1)).resolves.toEqual([route('a', { description: 'fast' })]);
  });

  it('removes its own items and claim when the store fails mid-apply', async () => {
    const table = await freshTable(local);
    const store = storesOn(table);
    await store.publishRelease([route('a')], { by: 'ana' });
    const failing = storesOn(table, {
      hooks: {
        beforeCommit: async () => {
          throw new StoreUnavailableError('injected');
        },
      },
    });
    await expect(failing.publishRelease(many(3, 'x'), { by: 'x' })).rejects.toThrow(/injected/);
    expect(await scanKeys(table)).toEqual([
      '#control #control',
      '#release r#0000000001',
      // Release 1's snapshot stays: the failed apply of release 2 wrote none.
      '#snapshot r#0000000001#c0000',
      `${route('a').psarn} r#0000000001`,
    ]);
    await expect(store.publishRelease(many(3, 'x'), { by: 'x' })).resolves.toMatchObject({ release: 2 });
  });

  it('reports a missing table as StoreUnavailableError', async () => {
    const store = storesOn('no-such-table');
    await expect(store.publishRelease([route('a')], { by: 'ana' })).rejects.toThrow(
      /reading the table in table no-such-table failed: ResourceNotFoundException/,
    );
  });

  it('changes the live route only by a split weight', async () => {
    const table = await freshTable(local);
    const store = storesOn(table);
    const a = route('a', { targets: [split(lambdaArn('live'), 90), split(lambdaArn('canary'), 10)] });
    await store.publishRelease([a], { by: 'ana' });
    const b = { ...a, targets: [split(lambdaArn('live'), 50), split(lambdaArn('canary'), 50)] };
    await expect(store.publishRelease([b], { by: 'ana' })).resolves.toMatchObject({
      release: 2,
      updated: [a.psarn],
    });
  });
});
