/**
 * createPsarnClient against the local stack, both modes: router mode invokes the router Lambda in
 * serverless-offline (which reads the stack's own route table, where routes/ as shipped is live);
 * direct mode reads that same table and calls the targets itself. What each target received is
 * read from the demo functions' own records and the real queues.
 */
import { randomUUID } from 'node:crypto';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { createPsarnClient, isDeliveryReport, type PsarnClient } from '../../src/client';
import type { DeliveryReport } from '../../src/delivery/report';
import { PsarnError } from '../../src/errors';
import { createRouteTable } from '../../src/store/create-route-table';
import { DynamoReleaseStore } from '../../src/store/dynamo-release-store';
import { dynamoClient, queueDepth, queueUrl, readRecords, receiveAll, sqsClient } from '../support/stack';
import { lambdaArn, psarnOf, route, split, sqsArn, target } from '../support/routes';
import { countingLambda, ensureShippedRoutes, localPsarn } from './client-stack';

const run = randomUUID().slice(0, 8);
const ROUTER = 'psarn-local-router';
const FULFILMENT = ['fulfilmentA', 'fulfilmentB', 'fulfilmentC'] as const;

/** Runs `work` over 0..n-1, `width` at a time, results in order. */
async function pooled<T>(n: number, width: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array<T>(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let i = next++; i < n; i = next++) out[i] = await work(i);
    }),
  );
  return out;
}

function splitCounts(reports: readonly unknown[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of reports) {
    if (!isDeliveryReport(r)) throw new Error(`not a delivery report: ${JSON.stringify(r)}`);
    for (const d of r.deliveries) {
      if (d.role !== 'split') continue;
      const key = `${d.target} ${d.status}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
  }
  return counts;
}

describe('createPsarnClient on the local stack', () => {
  const counter = countingLambda();
  let viaRouter: PsarnClient;
  let direct: PsarnClient;

  beforeAll(async () => {
    await ensureShippedRoutes();
    // No stage: PSARN_STAGE, PSARN_TABLE and PSARN_ROUTER_FUNCTION of the stack's environment.
    viaRouter = createPsarnClient({ mode: 'router', clients: { lambda: counter.lambda } });
    direct = createPsarnClient({ mode: 'direct', clients: { lambda: counter.lambda } });
  });
  afterAll(() => {
    viaRouter.close();
    direct.close();
    counter.lambda.destroy();
  });

  it('names the stage router and table the way serverless.yml does', () => {
    expect([viaRouter.stage, viaRouter.routerFunction, viaRouter.table]).toEqual([
      'local',
      ROUTER,
      'psarn-local-routes',
    ]);
    const prod = createPsarnClient({ mode: 'router', stage: 'prod' });
    expect([prod.routerFunction, prod.table]).toEqual(['psarn-prod-router', 'psarn-prod-routes']);
  });

  it('gives the same 1,000 events the same targets in both modes, and direct mode never invokes the router', async () => {
    const P = localPsarn('/event/orderPlaced');
    // Fixed event ids: each event's split is drawn from its id, in the router as in the client.
    const eventId = (i: number) => `client-seed-1000-${i}`;
    const sendAll = (client: PsarnClient, mode: string) =>
      pooled(1000, 4, (i) =>
        client.send(
          P,
          { orderId: `${run}-${mode}-${i}`, customerId: `${run}-c${i % 7}` },
          { eventId: eventId(i), traceId: `${run}-${mode}-${i}` },
        ),
      );
    const routerBefore = counter.invokes(ROUTER);
    const fromRouter = await sendAll(viaRouter, 'router');
    expect(counter.invokes(ROUTER) - routerBefore).toBe(1000);

    const routerMid = counter.invokes(ROUTER);
    const fromDirect = await sendAll(direct, 'direct');
    expect(counter.invokes(ROUTER)).toBe(routerMid);

    const routerCounts = splitCounts(fromRouter);
    expect(splitCounts(fromDirect)).toEqual(routerCounts);
    expect(Object.values(routerCounts).reduce((a, b) => a + b, 0)).toBe(1000);
    // A 30/50/20 split of 1,000 events: every side got some.
    for (const fn of FULFILMENT)
      expect(routerCounts[`${lambdaArn(`psarn-local-${fn}`)} delivered`]).toBeGreaterThan(100);

    // What the functions themselves received, per mode, matches the reports.
    for (const fn of FULFILMENT) {
      const records = await readRecords(fn);
      const got = (mode: string) =>
        records.filter((r) =>
          String((r.event as { orderId?: unknown }).orderId).startsWith(`${run}-${mode}-`),
        ).length;
      const reported = routerCounts[`${lambdaArn(`psarn-local-${fn}`)} delivered`];
      expect([fn, got('router'), got('direct')]).toEqual([fn, reported, reported]);
    }
  }, 240_000);

  it('returns the same report for the same event in both modes', async () => {
    const P = localPsarn('/event/orderPlaced');
    const options = { eventId: `client-same-${run}`, traceId: `client-same-${run}` };
    const a = (await viaRouter.send(
      P,
      { orderId: `${run}-same`, customerId: 'c1' },
      options,
    )) as DeliveryReport;
    const b = (await direct.send(P, { orderId: `${run}-same`, customerId: 'c1' }, options)) as DeliveryReport;
    expect(b).toEqual(a);
    expect(a.deliveries.map((d) => [d.role, d.status])).toEqual([
      ['split', 'delivered'],
      ['fanout', 'delivered'],
    ]);
  });

  it('sends the caller (Lambda function name and labels) in header psarn-caller, in both modes', async () => {
    const env = { ...process.env, AWS_LAMBDA_FUNCTION_NAME: 'signup-api' };
    const caller = { labels: { team: 'growth', tier: 'gold' } };
    const clients = [
      createPsarnClient({ mode: 'router', caller, env }),
      createPsarnClient({ mode: 'direct', caller, env }),
    ];
    const url = await queueUrl('email');
    for (const client of clients) {
      const id = randomUUID();
      await client.send(localPsarn('/email/send'), { to: id }, { headers: { tenant: 'acme' } });
      const [copy] = await receiveAll(url, { expected: 1, filter: (m) => m.Body?.includes(id) === true });
      expect([
        client.mode,
        JSON.parse(copy?.MessageAttributes?.['psarn-headers']?.StringValue ?? '{}'),
      ]).toEqual([
        client.mode,
        {
          tenant: 'acme',
          'psarn-caller': '{"function":"signup-api","labels":{"team":"growth","tier":"gold"}}',
          'psarn-hops': '1',
        },
      ]);
      client.close();
    }
  });

  it('rejects an unknown or malformed psARN with the same typed error in both modes, sending nothing', async () => {
    for (const client of [viaRouter, direct]) {
      const missing = localPsarn(`/client/${run}/nobody`);
      await expect(client.send(missing, {})).rejects.toMatchObject({
        name: 'PsarnError',
        code: 'ROUTE_NOT_FOUND',
        message: `no route for ${missing} in the live release`,
      });
      const bad = client.send('arn:aws:psarns:us-east-1:123:/x', {});
      await expect(bad).rejects.toBeInstanceOf(PsarnError);
      await expect(bad).rejects.toMatchObject({ code: 'INVALID_PSARN' });
    }
  });

  it('refuses what JSON or the router cannot carry with the same typed error in both modes', async () => {
    const circular: Record<string, unknown> = { id: run };
    circular['self'] = circular;
    const huge = { big: 'x'.repeat(9000) };
    const errors = [];
    for (const client of [viaRouter, direct]) {
      const refused = async (send: Promise<unknown>) =>
        send.then(
          () => 'sent',
          (err: PsarnError) => [err.code, err.message],
        );
      errors.push([
        await refused(client.send(localPsarn('/email/send'), circular)),
        await refused(client.send(localPsarn('/email/send'), {}, { headers: huge })),
      ]);
    }
    expect(errors[0]).toEqual([
      ['INVALID_PAYLOAD', expect.stringContaining('it cannot be serialised as JSON')],
      ['HEADERS_TOO_LARGE', expect.any(String)],
    ]);
    expect(errors[1]).toEqual(errors[0]);
  });

  it('says which router is missing when the stage has none', async () => {
    const qa = createPsarnClient({ mode: 'router', stage: 'qa' });
    await expect(qa.send(localPsarn('/email/send'), {})).rejects.toMatchObject({
      code: 'ROUTER_NOT_FOUND',
      message: expect.stringContaining('router function psarn-qa-router (stage qa) does not exist'),
    });
    qa.close();
  });

  it('queues an async router-mode send and the event still arrives', async () => {
    const id = randomUUID();
    await expect(viaRouter.send(localPsarn('/email/send'), { to: id }, { async: true })).resolves.toEqual({
      queued: true,
    });
    const got = await receiveAll(await queueUrl('email'), {
      expected: 1,
      timeoutMs: 10_000,
      filter: (m) => m.Body?.includes(id) === true,
    });
    expect(got.map((m) => m.Body)).toEqual([JSON.stringify({ to: id })]);
  });
});

describe('resolve and lookup', () => {
  const tableName = `client-${run}-routes`;
  const queueName = `client-${run}-q`;
  const toQueue = route(`/client/${run}/queue`, {
    description: 'orders to the queue, audited by a function',
    targets: [split(sqsArn(queueName), 3), split(lambdaArn('psarn-local-signupV1'), 1)],
    stickyBy: 'payload.userId',
    fanout: [target(lambdaArn('psarn-local-signupV2'))],
    park: { queue: sqsArn(`${queueName}-holding`), enabled: false },
  });
  const alias = route(`/client/${run}/alias`, { targets: [split(toQueue.psarn, 1)] });
  let url: string;
  let client: PsarnClient;

  beforeAll(async () => {
    await createRouteTable(dynamoClient(), tableName);
    url = (await sqsClient().send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl as string;
    await new DynamoReleaseStore({ client: dynamoClient(), tableName }).publishRelease([toQueue, alias], {
      by: 'test',
    });
    client = createPsarnClient({ mode: 'router', table: tableName });
  });
  afterAll(() => client.close());

  it('plans where a payload would go without sending it', async () => {
    const plan = await client.resolve(alias.psarn, { userId: 'u1' }, { eventId: 'e-1' });
    expect(plan).toMatchObject({ psarn: alias.psarn, release: 1, eventId: 'e-1' });
    expect(plan.deliveries.map((d) => d.role)).toEqual(['split', 'fanout']);
    expect(plan.deliveries[0]?.via).toEqual([alias.psarn, toQueue.psarn]);
    // Sticky by userId: the same user always plans to the same side.
    const again = await client.resolve(alias.psarn, { userId: 'u1' }, { eventId: 'e-2' });
    expect(again.deliveries[0]?.target).toBe(plan.deliveries[0]?.target);
    expect(await queueDepth(url)).toBe(0);
  });

  it('looks up a path or a psARN: split with shares, fanout, park, release, aliases followed', async () => {
    const byPath = await client.lookup(`/client/${run}/queue`);
    expect(byPath).toEqual({
      psarn: toQueue.psarn,
      release: 1,
      description: 'orders to the queue, audited by a function',
      ttl: 60,
      split: [
        { target: sqsArn(queueName), kind: 'sqs', weight: 3, share: 0.75 },
        { target: lambdaArn('psarn-local-signupV1'), kind: 'lambda', weight: 1, share: 0.25 },
      ],
      stickyBy: 'payload.userId',
      fanout: [{ target: lambdaArn('psarn-local-signupV2'), kind: 'lambda' }],
      parked: false,
      parkQueue: sqsArn(`${queueName}-holding`),
      onFailure: 'dlq',
    });
    const viaAlias = await client.lookup(alias.psarn);
    expect(viaAlias.split).toEqual([
      { target: toQueue.psarn, kind: 'psarn', weight: 1, share: 1, leadsTo: byPath },
    ]);
  });

  it('finds a path in the live release when the account is not known', async () => {
    const env = { ...process.env };
    delete env['PSARN_ACCOUNT'];
    const anywhere = createPsarnClient({ mode: 'direct', table: tableName, env });
    await expect(anywhere.lookup(`/client/${run}/alias`)).resolves.toMatchObject({ psarn: alias.psarn });
    await expect(anywhere.lookup(`/client/${run}/nothing`)).rejects.toMatchObject({
      code: 'ROUTE_NOT_FOUND',
      message: expect.stringContaining(
        `no route with path /client/${run}/nothing in the live release of route table ${tableName}`,
      ),
    });
    await expect(anywhere.lookup('/client/bad path')).rejects.toMatchObject({ code: 'INVALID_PSARN' });
    anywhere.close();
  });

  it('rejects a lookup of a psARN with no route', async () => {
    await expect(client.lookup(psarnOf(`/client/${run}/none`))).rejects.toMatchObject({
      code: 'ROUTE_NOT_FOUND',
    });
  });
});
