import { randomBytes } from 'node:crypto';
import {
  BatchWriteItemCommand,
  PutItemCommand,
  QueryCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { Route } from '../../src/routes/model';
import { DynamoReleaseStore } from '../../src/store/dynamo-release-store';
import { DynamoRouteStore } from '../../src/store/dynamo-route-store';
import { RouteCache } from '../../src/store/route-cache';
import { snapshotItems } from '../../src/store/snapshot';
import type { Item } from '../../src/store/table-items';
import { TableKey } from '../../src/store/table-layout';
import { lambdaArn, route, split } from '../support/routes';
import { freshTable, newClient, startDynalite, type LocalDynamo } from './local-dynamo';

let local: LocalDynamo;
beforeAll(async () => {
  local = await startDynalite();
});
afterAll(async () => {
  await local.close();
});

const routesOf = (version: string, count = 200): Route[] =>
  Array.from({ length: count }, (_, i) =>
    route(`/event/e${i}`, { ttl: 300, targets: [split(lambdaArn(`fn${i}-${version}`), 1)] }),
  );

/**
 * A real client of dynalite whose `send` is spied on: every call still goes to dynalite, and the
 * test counts the requests a cold cache makes (their command names).
 */
function countingClient(): { client: DynamoDBClient; calls: () => string[] } {
  const client = newClient(local.endpoint);
  const send = jest.spyOn(client, 'send');
  return {
    client,
    calls: () => send.mock.calls.map(([command]) => (command as object).constructor.name),
  };
}

/** A cold router instance: its own client, store and cache, as after a Lambda cold start. */
function coldInstance(tableName: string) {
  const { client, calls } = countingClient();
  // 200 Queries at once take dynalite longer than the default 2 s read bound: counts, not speed, are tested here.
  const cache = new RouteCache({ store: new DynamoRouteStore({ client, tableName }), readTimeoutMs: 60_000 });
  return { cache, calls, close: () => client.destroy() };
}

async function snapshotReleases(tableName: string): Promise<number[]> {
  const out = await local.client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: TableKey.snapshotPk } },
      ConsistentRead: true,
    }),
  );
  return [...new Set((out.Items ?? []).map((i) => Number(i['release']?.N)))].sort((a, b) => a - b);
}

async function deleteSnapshot(tableName: string, release: number): Promise<void> {
  const out = await local.client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: TableKey.snapshotPk } },
      ConsistentRead: true,
    }),
  );
  const mine = (out.Items ?? []).filter((i) => Number(i['release']?.N) === release);
  if (mine.length === 0) return;
  await local.client.send(
    new BatchWriteItemCommand({
      RequestItems: {
        [tableName]: mine.map((i) => ({
          DeleteRequest: { Key: { pk: i['pk'] as never, sk: i['sk'] as never } },
        })),
      },
    }),
  );
}

/** Looks up every route at once, as 200 concurrent first events would, and checks each answer. */
async function meetAll(cache: RouteCache, expected: readonly Route[]): Promise<void> {
  const got = await Promise.all(expected.map((r) => cache.get(r.psarn)));
  expect(got.map((g) => g.route)).toEqual(expected);
}

describe('a cold instance and the release snapshot (dynalite, counted requests)', () => {
  it('meets 200 distinct psARNs with 2 reads with the snapshot, and ~200 without it', async () => {
    const tableName = await freshTable(local);
    const releases = new DynamoReleaseStore({ client: local.client, tableName });
    const v1 = routesOf('v1');
    await releases.publishRelease(v1, { by: 'test' });

    const warm = coldInstance(tableName);
    await meetAll(warm.cache, v1);
    expect(warm.calls()).toEqual(['GetItemCommand', 'QueryCommand']);
    expect(warm.cache.stats).toMatchObject({ snapshotReads: 1, snapshotRoutes: 200, snapshotFallbacks: 0 });
    // Served from the cache from now on: no further read.
    await meetAll(warm.cache, v1);
    expect(warm.calls()).toHaveLength(2);
    warm.close();

    await deleteSnapshot(tableName, 1);
    const without = coldInstance(tableName);
    await meetAll(without.cache, v1);
    // #control, the snapshot Query that finds nothing, then one Query per psARN.
    expect(without.calls()).toHaveLength(202);
    expect(without.cache.stats).toMatchObject({ snapshotFallbacks: 1, snapshotRoutes: 0 });
    without.close();
  });

  it('writes a new snapshot at each apply, keeps the previous one and removes older ones', async () => {
    const tableName = await freshTable(local);
    const releases = new DynamoReleaseStore({ client: local.client, tableName });
    await releases.publishRelease(routesOf('v1', 5), { by: 'test' });
    await releases.publishRelease(routesOf('v2', 5), { by: 'test' });
    await releases.publishRelease(routesOf('v3', 5), { by: 'test' });
    expect(await snapshotReleases(tableName)).toEqual([2, 3]);
    const cold = coldInstance(tableName);
    await meetAll(cold.cache, routesOf('v3', 5));
    expect(cold.calls()).toHaveLength(2);
    cold.close();
  });

  it('after a rollback, serves the routes of the rolled-back-to release from the new snapshot', async () => {
    const tableName = await freshTable(local);
    const releases = new DynamoReleaseStore({ client: local.client, tableName });
    await releases.publishRelease(routesOf('v1', 20), { by: 'test' });
    await releases.publishRelease(routesOf('v2', 20), { by: 'test' });
    // What `psarn rollback --to 1` does: publish release 1's routes as release 3.
    const result = await releases.publishRelease(await releases.routesAt(1), {
      by: 'test',
      from: 1,
      summary: 'rollback to release 1',
    });
    expect(result.release).toBe(3);
    const cold = coldInstance(tableName);
    await meetAll(cold.cache, routesOf('v1', 20));
    expect(cold.calls()).toEqual(['GetItemCommand', 'QueryCommand']);
    expect(cold.cache.release).toBe(3);
    cold.close();
  });

  it('ignores a snapshot of an older release, even one copied under the live release key, and reads per route', async () => {
    const tableName = await freshTable(local);
    const releases = new DynamoReleaseStore({ client: local.client, tableName });
    await releases.publishRelease(routesOf('v1', 10), { by: 'test' });
    await releases.publishRelease(routesOf('v2', 10), { by: 'test' });
    await deleteSnapshot(tableName, 2);
    // Release 1's snapshot is still there; and a hand-copied one of it poses as release 2's.
    const [forged] = snapshotItems(1, routesOf('v1', 10));
    await local.client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { ...forged, sk: { S: 'r#0000000002#c0000' } } as Item,
      }),
    );
    const cold = coldInstance(tableName);
    await meetAll(cold.cache, routesOf('v2', 10));
    expect(cold.cache.stats).toMatchObject({ snapshotFallbacks: 1, snapshotRoutes: 0 });
    expect(cold.calls()).toHaveLength(12);
    cold.close();
  });

  it('splits a snapshot over the item limit into chunks that one Query reads back whole', async () => {
    const tableName = await freshTable(local);
    const releases = new DynamoReleaseStore({ client: local.client, tableName });
    const bulky = Array.from({ length: 60 }, (_, i) =>
      route(`/event/big${i}`, { ttl: 300, description: randomBytes(10_000).toString('hex') }),
    );
    await releases.publishRelease(bulky, { by: 'test' });
    const store = new DynamoRouteStore({ client: local.client, tableName });
    const read = await store.readSnapshot(1);
    expect('routes' in read && read.routes.size).toBe(60);
    const cold = coldInstance(tableName);
    await meetAll(cold.cache, bulky);
    expect(cold.cache.stats).toMatchObject({ snapshotRoutes: 60, snapshotFallbacks: 0 });
    expect(cold.calls().length).toBeLessThanOrEqual(3); // #control, and 1 MB pages of chunks
    cold.close();
  });

  it('writes the missing snapshot of the live release at an apply with no changes', async () => {
    const tableName = await freshTable(local);
    const releases = new DynamoReleaseStore({ client: local.client, tableName });
    await releases.publishRelease(routesOf('v1', 5), { by: 'test' });
    await deleteSnapshot(tableName, 1);
    const again = await releases.publishRelease(routesOf('v1', 5), { by: 'test' });
    expect(again).toMatchObject({ release: 1, changed: [] });
    expect(await snapshotReleases(tableName)).toEqual([1]);
  });

  it('still publishes the release when the snapshot cannot be written; readers then read per route', async () => {
    const tableName = await freshTable(local);
    const client = newClient(local.endpoint);
    // dynalite never refuses a batch write on demand: this one fails every write of #snapshot items.
    const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
    jest.spyOn(client, 'send').mockImplementation(((command: unknown) => {
      const input = (
        command as { input?: { RequestItems?: Record<string, { PutRequest?: { Item?: Item } }[]> } }
      ).input;
      const writesSnapshot = Object.values(input?.RequestItems ?? {}).some((requests) =>
        requests.some((r) => r.PutRequest?.Item?.['pk']?.S === TableKey.snapshotPk),
      );
      if (command instanceof BatchWriteItemCommand && writesSnapshot)
        return Promise.reject(
          Object.assign(new Error('Throughput exceeds the current capacity'), {
            name: 'ProvisionedThroughputExceededException',
          }),
        );
      return send(command);
    }) as never);
    const releases = new DynamoReleaseStore({ client, tableName });
    const result = await releases.publishRelease(routesOf('v1', 5), { by: 'test' });
    expect(result.release).toBe(1);
    expect(await snapshotReleases(tableName)).toEqual([]);
    const cold = coldInstance(tableName);
    await meetAll(cold.cache, routesOf('v1', 5));
    expect(cold.calls()).toHaveLength(7);
    cold.close();
    client.destroy();
  });
});
