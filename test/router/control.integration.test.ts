/**
 * What operators do, as routers see it: `psarn flush` makes every router instance drop its cached
 * routes within epochCheckSeconds, and `psarn rollback` brings the earlier routing back. Real
 * route table (dynalite) and queues (fauxqs); routers in-process, one RouteCache each, like
 * separate warm Lambda instances.
 */
import { randomUUID } from 'node:crypto';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { main } from '../../src/cli/main';
import { createRouter, type RouterParts } from '../../src/router/wiring';
import { parseEnvelope } from '../../src/router/envelope';
import { respond } from '../../src/router/respond';
import { createForwarders } from '../../src/targets/registry';
import { createRouteTable } from '../../src/store/create-route-table';
import { DynamoReleaseStore } from '../../src/store/dynamo-release-store';
import type { DeliveryReport } from '../../src/delivery/report';
import { dynamoClient, sqsClient } from '../support/stack';
import { captureIo } from '../support/cli';
import { route, split, sqsArn } from '../support/routes';

const run = randomUUID().slice(0, 8);
const tableName = `control-${run}-routes`;
const dynamo = dynamoClient();
const releases = new DynamoReleaseStore({ client: dynamo, tableName });
const quiet = { accepted: () => undefined, rejected: () => undefined, unsecured: () => undefined };

function router(): RouterParts {
  return createRouter(
    { tableName, epochCheckSeconds: 1, maxStaleSeconds: 60, negativeTtlSeconds: 1 },
    { dynamo, forwarders: createForwarders().forwarderFor },
  );
}

async function targetOf(parts: RouterParts, psarn: string): Promise<string | undefined> {
  const report = (await respond(
    parts.router,
    parseEnvelope({ headers: { psarn }, payload: {} }),
    quiet,
  )) as DeliveryReport;
  return report.deliveries[0]?.target;
}

async function cli(...args: string[]): Promise<string> {
  const io = captureIo();
  const code = await main([...args, '--table', tableName], io);
  if (code !== 0) throw new Error(`psarn ${args.join(' ')} exited ${code}: ${io.err()}`);
  return io.out();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  await createRouteTable(dynamo, tableName);
  for (const q of ['one', 'two'])
    await sqsClient().send(new CreateQueueCommand({ QueueName: `control-${run}-${q}` }));
});

describe('routers and the control plane', () => {
  const one = sqsArn(`control-${run}-one`);
  const two = sqsArn(`control-${run}-two`);

  it('drops every router cache within epochCheckSeconds of psarn flush', async () => {
    const long = route(`/control/${run}/long`, { ttl: 3600, targets: [split(one, 1)] });
    await releases.publishRelease([long], { by: 'test' });
    const routers = [router(), router(), router()];
    for (const r of routers) expect(await targetOf(r, long.psarn)).toBe(one);

    // Without a flush, a router past its control check keeps the cached route (1-hour TTL). Cold,
    // each took it from the release snapshot, so none has read the route itself yet.
    await sleep(1_100);
    for (const r of routers) await targetOf(r, long.psarn);
    expect(routers.map((r) => r.cache.stats.misses)).toEqual([0, 0, 0]);

    await cli('flush');
    await sleep(1_100);
    for (const r of routers) expect(await targetOf(r, long.psarn)).toBe(one);
    // Each router read the route again: its cache was dropped, though the release did not change.
    expect(routers.map((r) => r.cache.stats.misses)).toEqual([1, 1, 1]);
  });

  it('restores the earlier routing, as routers see it, with psarn rollback', async () => {
    const moving = route(`/control/${run}/moving`, { targets: [split(one, 1)] });
    const liveNow = (await releases.readControl()).release;
    const routes = liveNow === 0 ? [] : await releases.routesAt(liveNow);
    await releases.publishRelease([...routes, moving], { by: 'test' });
    const good = (await releases.readControl()).release;
    await releases.publishRelease([...routes, { ...moving, targets: [split(two, 1)] }], { by: 'test' });
    const r = router();
    expect(await targetOf(r, moving.psarn)).toBe(two);

    await cli('rollback', '--yes');
    expect(
      (await releases.routesAt((await releases.readControl()).release)).find((x) => x.psarn === moving.psarn),
    ).toEqual((await releases.routesAt(good)).find((x) => x.psarn === moving.psarn));
    await sleep(1_100);
    expect(await targetOf(r, moving.psarn)).toBe(one);
  });

  it('makes each router re-read only what a release changed: 1 of 500 routes costs ~1 read per instance', async () => {
    const liveNow = (await releases.readControl()).release;
    const others = liveNow === 0 ? [] : await releases.routesAt(liveNow);
    const many = Array.from({ length: 500 }, (_, i) =>
      route(`/control/${run}/many/${String(i).padStart(3, '0')}`, { ttl: 3600, targets: [split(one, 1)] }),
    );
    await releases.publishRelease([...others, ...many], { by: 'test' });
    const routers = [router(), router(), router()];
    for (const r of routers) for (const m of many) await r.cache.get(m.psarn);

    const moved = { ...many[250]!, targets: [split(two, 1)] };
    await releases.publishRelease([...others, ...many.map((m, i) => (i === 250 ? moved : m))], {
      by: 'test',
    });
    await sleep(1_100); // past epochCheckSeconds
    const before = routers.map((r) => r.cache.stats.storeReads);
    for (const r of routers) for (const m of many) await r.cache.get(m.psarn);
    // Per instance: #control, the release's changed psARNs, and the one changed route.
    expect(routers.map((r, i) => r.cache.stats.storeReads - (before[i] ?? 0))).toEqual([3, 3, 3]);
    for (const r of routers) expect(await targetOf(r, moved.psarn)).toBe(two);
    for (const r of routers) expect(await targetOf(r, many[0]!.psarn)).toBe(one);
  });
});
