/**
 * The `#health` item on the local stack's DynamoDB under concurrent writers: checkers,
 * heartbeats and tripping routers write at once — even on a table that has no item yet — and no
 * entry is lost, every write moves the version, and the item is not a release.
 */
import { randomUUID } from 'node:crypto';
import { HealthStore } from '../../src/health/health-store';
import { createRouteTable } from '../../src/store/create-route-table';
import { DynamoReleaseStore } from '../../src/store/dynamo-release-store';
import { dynamoClient } from '../support/stack';
import { sqsArn } from '../support/routes';

const dynamo = dynamoClient();

it('keeps every entry of 30 writers racing on a table without a #health item, and counts each write', async () => {
  const tableName = `hs-${randomUUID().slice(0, 8)}-routes`;
  await createRouteTable(dynamo, tableName);
  const store = new HealthStore({ client: dynamo, tableName });
  const checkedAt = new Date().toISOString();
  const arns = Array.from({ length: 30 }, (_, i) => sqsArn(`q${i}`));
  await Promise.all(
    arns.map((arn, i) =>
      i % 3 === 0
        ? store.write('checks', [{ arn, status: 'removed', reason: 'does not exist', checkedAt }])
        : i % 3 === 1
          ? store.write('heartbeats', [{ arn, status: 'healthy', expiresAt: Date.now() + 60_000 }])
          : store.write('circuits', [
              { arn, state: 'open', at: Date.now(), coolDownMs: 30_000, trips: 1, by: `i${i}` },
            ]),
    ),
  );
  const state = await store.read({ consistent: true });
  expect(state.version).toBe(30);
  expect(Object.keys(state.checks)).toHaveLength(10);
  expect(Object.keys(state.heartbeats)).toHaveLength(10);
  expect(Object.keys(state.circuits)).toHaveLength(10);
  // Health never becomes a release: history stays as it was.
  expect(await new DynamoReleaseStore({ client: dynamo, tableName }).listReleases()).toEqual([]);
});
