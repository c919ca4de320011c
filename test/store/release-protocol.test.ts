/**
 * The release protocol under the faults that the happy-path tests cannot show: a commit whose
 * response is lost (the SDK retries with its default strategy), a takeover in the commit window,
 * and an applier whose clock is skewed. Real dynalite; the faults are injected on the wire.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ErrorCode } from '../../src/errors';
import { DynamoReleaseStore, type ReleaseHooks } from '../../src/store/dynamo-release-store';
import { DynamoRouteStore } from '../../src/store/dynamo-route-store';
import type { Route } from '../../src/routes/model';
import { route } from '../control/route-fixtures';
import { freshTable, newClient, startDynalite, type LocalDynamo } from './local-dynamo';

/** Whether a request body is the commit: the UpdateItem that moves `#control.release`. */
function isCommit(body: string): boolean {
  try {
    const input = JSON.parse(body) as { Key?: { pk?: { S?: string } }; UpdateExpression?: string };
    return input.Key?.pk?.S === '#control' && /SET #release = :n/.test(input.UpdateExpression ?? '');
  } catch {
    return false;
  }
}

let dropNextCommit = false;
/** How many more commit answers to lose after the first (the SDK's retries' too). */
let dropMore = 0;
let dropped = 0;
let local: LocalDynamo;
beforeAll(async () => {
  local = await startDynalite({
    dropResponse: (operation, body) => {
      if (!dropNextCommit || operation !== 'UpdateItem' || !isCommit(body)) return false;
      if (dropMore > 0) dropMore--;
      else dropNextCommit = false;
      dropped++;
      return true;
    },
  });
});
afterAll(async () => {
  await local.close();
});

const clients: DynamoDBClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

/** A release store on its own client with the SDK's default retries, like the CLI's. */
function storeOn(
  tableName: string,
  options: { hooks?: ReleaseHooks; now?: () => number; client?: DynamoDBClient } = {},
): DynamoReleaseStore {
  const client = options.client ?? newClient(local.endpoint, { retries: true });
  clients.push(client);
  return new DynamoReleaseStore({ client, tableName, ...options });
}

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

/** A client whose commit request waits at `held` before it is sent (the commit window). */
function clientHoldingCommit(held: { wait: () => Promise<void> }): DynamoDBClient {
  const client = newClient(local.endpoint, { retries: true });
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { Key?: { pk?: { S?: string } }; UpdateExpression?: string };
      if (isCommit(JSON.stringify(input))) await held.wait();
      return next(args);
    },
    { step: 'initialize' },
  );
  return client;
}

const tagged = (tag: string, extra: string[] = []): Route[] => [
  route('a', { description: tag }),
  ...extra.map((name) => route(name, { description: tag })),
];

async function liveRoutes(tableName: string): Promise<readonly Route[]> {
  const reader = storeOn(tableName);
  const { release } = await reader.readControl();
  return release === 0 ? [] : reader.routesAt(release);
}

describe('a commit whose response is lost', () => {
  it('finishes the release that went live instead of deleting it', async () => {
    const table = await freshTable(local);
    const store = storeOn(table);
    await store.publishRelease(tagged('v1'), { by: 'ana' });

    dropNextCommit = true;
    const before = dropped;
    await expect(store.publishRelease(tagged('v2', ['b']), { by: 'ana' })).resolves.toMatchObject({
      release: 2,
      added: [route('b').psarn],
      updated: [route('a').psarn],
    });
    expect(dropped).toBe(before + 1); // the answer really was lost, and the SDK retried

    expect((await store.readControl()).release).toBe(2);
    await expect(store.routesAt(2)).resolves.toEqual(tagged('v2', ['b']));
    const reader = new DynamoRouteStore({ client: local.client, tableName: table });
    await expect(reader.getRoute(route('b').psarn, 2)).resolves.toMatchObject({ release: 2 });
    const history = await store.listReleases();
    expect(history.map((r) => [r.release, r.by])).toEqual([
      [1, 'ana'],
      [2, 'ana'],
    ]);
    expect(history[1]?.changed).toEqual([route('a').psarn, route('b').psarn]);
    // The next release builds on it as on any other.
    await expect(store.publishRelease(tagged('v3', ['b']), { by: 'ana' })).resolves.toMatchObject({
      release: 3,
    });
  });

  it('finishes the release when every answer to the commit and its retries is lost', async () => {
    const table = await freshTable(local);
    const store = storeOn(table);
    await store.publishRelease(tagged('v1'), { by: 'ana' });
    dropNextCommit = true;
    dropMore = 2; // the SDK's default is 3 attempts: each one's answer is lost
    const before = dropped;
    await expect(store.publishRelease(tagged('v2'), { by: 'ana' })).resolves.toMatchObject({ release: 2 });
    expect(dropped).toBe(before + 3);
    await expect(liveRoutes(table)).resolves.toEqual(tagged('v2'));
    expect((await store.listReleases()).map((r) => r.release)).toEqual([1, 2]);
  });

  it('finishes a first release whose commit response is lost', async () => {
    const table = await freshTable(local);
    dropNextCommit = true;
    await expect(storeOn(table).publishRelease(tagged('v1'), { by: 'ana' })).resolves.toMatchObject({
      release: 1,
    });
    await expect(liveRoutes(table)).resolves.toEqual(tagged('v1'));
  });
});

describe('only the current claim holder commits', () => {
  it('refuses the commit of an apply whose claim was taken over in the commit window', async () => {
    const table = await freshTable(local);
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const now = (): number => clock;

    // A has written everything and renewed its claim; its commit request is held on the wire.
    const window = gate();
    const slow = storeOn(table, { now, client: clientHoldingCommit(window) });
    const slowRun = slow.publishRelease(tagged('slow', ['s']), { by: 'slow@host' });
    slowRun.catch(() => undefined);
    await window.reached;

    // Its lease lapses (as B sees it) and B takes the claim over, writes, and waits to commit.
    clock += 61_000;
    const fastGate = gate();
    const fast = storeOn(table, { now, hooks: { beforeCommit: fastGate.wait } });
    const fastRun = fast.publishRelease(tagged('fast', ['f']), { by: 'fast@host' });
    await fastGate.reached;

    window.open(); // A's commit reaches the table first
    await expect(slowRun).rejects.toMatchObject({ code: ErrorCode.RELEASE_CONFLICT });
    fastGate.open();
    await expect(fastRun).resolves.toMatchObject({ release: 1 });
    await expect(liveRoutes(table)).resolves.toEqual(tagged('fast', ['f']));
    expect((await fast.listReleases()).map((r) => r.by)).toEqual(['fast@host']);
  });

  it('never mixes two applies when one applier clock is two minutes ahead', async () => {
    const table = await freshTable(local);
    const real = Date.parse('2026-01-01T00:00:00Z');
    // A holds a live claim (well within its 60 s lease) and is about to write its routes.
    const paused = gate();
    const holder = storeOn(table, { now: () => real, hooks: { afterClaim: paused.wait } });
    const holderRun = holder.publishRelease(tagged('holder', ['h']), { by: 'holder@host' });
    holderRun.catch(() => undefined);
    await paused.reached;

    // B's clock runs 120 s ahead: by its clock A's lease lapsed long ago.
    const skewed = storeOn(table, { now: () => real + 120_000 });
    const skewedRun = skewed.publishRelease(tagged('skewed', ['k']), { by: 'skewed@host' });
    const outcome = await skewedRun.then(
      (r) => r,
      (e: unknown) => e,
    );
    paused.open();
    const holderOutcome = await holderRun.then(
      (r) => r,
      (e: unknown) => e,
    );

    // Exactly one of them published release 1, all of its routes and nothing of the other's.
    const wins = [outcome, holderOutcome].filter((o) => !(o instanceof Error));
    expect(wins).toHaveLength(1);
    const loser = [outcome, holderOutcome].find((o) => o instanceof Error);
    expect(loser).toMatchObject({ code: ErrorCode.RELEASE_CONFLICT });
    const winner = outcome instanceof Error ? tagged('holder', ['h']) : tagged('skewed', ['k']);
    await expect(liveRoutes(table)).resolves.toEqual(winner);
    const reader = storeOn(table);
    expect(await reader.listReleases()).toHaveLength(1);
    // Nothing of the loser is left above the live release for a router to ever see.
    await expect(reader.publishRelease(winner, { by: 'check' })).resolves.toMatchObject({
      release: 1,
      changed: [],
    });
  });

  it('lets a skewed applier take over a claim only if it was not renewed since it looked lapsed', async () => {
    const table = await freshTable(local);
    const real = Date.parse('2026-01-01T00:00:00Z');
    // A holds a live claim and is about to renew it and write.
    const holderPaused = gate();
    const holderAtCommit = gate();
    const holder = storeOn(table, {
      now: () => real,
      hooks: { afterClaim: holderPaused.wait, beforeCommit: holderAtCommit.wait },
    });
    const holderRun = holder.publishRelease(tagged('holder', ['h']), { by: 'holder@host' });
    holderRun.catch(() => undefined);
    await holderPaused.reached;

    // B (clock 120 s ahead) saw A's claim as lapsed; its takeover request is held on the wire...
    const takeover = gate();
    const client = newClient(local.endpoint, { retries: true });
    client.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { UpdateExpression?: string };
        if (/SET #claimId = :me/.test(input.UpdateExpression ?? '')) await takeover.wait();
        return next(args);
      },
      { step: 'initialize' },
    );
    const skewed = storeOn(table, { now: () => real + 120_000, client });
    const skewedRun = skewed.publishRelease(tagged('skewed', ['k']), { by: 'skewed@host' });
    skewedRun.catch(() => undefined);
    await takeover.reached;

    // ... while A, alive after all, renews its claim and writes its routes.
    holderPaused.open();
    await holderAtCommit.reached;
    takeover.open();
    await expect(skewedRun).rejects.toMatchObject({ code: ErrorCode.RELEASE_CONFLICT });
    holderAtCommit.open();
    await expect(holderRun).resolves.toMatchObject({ release: 1 });
    await expect(liveRoutes(table)).resolves.toEqual(tagged('holder', ['h']));
  });
});
