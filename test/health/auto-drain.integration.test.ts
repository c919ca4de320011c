/**
 * Auto-drain on the local stack: a route with `autoDrain: true` and a park queue (fauxqs) sends to
 * serverless-offline's real `flaky` function. Five function errors trip its circuit; the next
 * copies are parked with `psarn-park-reason: circuit-open`. A scheduled check run while the
 * circuit is open drains nothing; once a router's probe closed it (the `closed` record in
 * `#health`), one run re-drives exactly the circuit-open copies — each reaches the function once —
 * and leaves the copies whose own send failed (`target-failed`) for an operator. A second run
 * drains nothing more. A second case parks copies for a queue target marked unhealthy and runs two
 * checks at once: each copy is delivered once between them.
 */
import { randomUUID } from 'node:crypto';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { createRouter, type RouterParts } from '../../src/router/wiring';
import { parseEnvelope } from '../../src/router/envelope';
import { respond, type Observer } from '../../src/router/respond';
import { createAwsClients, regionalClients } from '../../src/targets/clients';
import { createForwarders } from '../../src/targets/registry';
import { createRouteTable } from '../../src/store/create-route-table';
import { DynamoReleaseStore } from '../../src/store/dynamo-release-store';
import { createRouterHealth, type RouterHealth } from '../../src/health/router-health';
import { HealthStore } from '../../src/health/health-store';
import { runHealthCheck, type HealthCheckRun } from '../../src/health/run-check';
import type { DeliveryOutcome } from '../../src/delivery/report';
import type { Route } from '../../src/routes/model';
import { main } from '../../src/cli/main';
import { captureIo } from '../support/cli';
import { dynamoClient, queueDepth, receiveAll, sqsClient, waitForRecords } from '../support/stack';
import { lambdaArn, route, split, sqsArn } from '../support/routes';

const run = randomUUID().slice(0, 8);
const name = (what: string) => `ad-${run}-${what}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const COOL_DOWN_MS = 3_000;
const ids = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `${run}-${tag}-${i}`);

async function createQueue(what: string): Promise<string> {
  return (await sqsClient().send(new CreateQueueCommand({ QueueName: name(what) }))).QueueUrl as string;
}

describe('auto-drain in the scheduled check', () => {
  const dynamo = dynamoClient();
  const outcomes: DeliveryOutcome[] = [];
  const observer: Observer = {
    accepted: (outcome) => void outcomes.push(outcome),
    rejected: (_psarn, error) => {
      throw error;
    },
    unsecured: (outcome) => void outcomes.push(outcome),
  };
  const clients = createAwsClients(process.env, { dynamodb: dynamo });
  const clientsFor = regionalClients(process.env);
  // What the check handler builds: forwarders without a breaker.
  const registry = createForwarders({ clients, retry: false });

  async function setUp(tableName: string, routes: Route[]): Promise<void> {
    await createRouteTable(dynamo, tableName);
    await new DynamoReleaseStore({ client: dynamo, tableName }).publishRelease(routes, {
      by: 'auto-drain.integration.test',
    });
  }

  function router(
    tableName: string,
    dlqArn: string,
    label: string,
  ): { parts: RouterParts; health: RouterHealth } {
    const health = createRouterHealth({
      dynamo,
      tableName,
      epochCheckSeconds: 1,
      instance: label,
      breaker: { coolDownMs: COOL_DOWN_MS },
      // Dynalite on a loaded 2-core machine may answer after the default 100 ms.
      waitMs: 5_000,
    });
    const forwarders = createForwarders({ clients, breaker: health.breakers, retry: false }).forwarderFor;
    const parts = createRouter(
      {
        tableName,
        deadLetterQueue: dlqArn,
        epochCheckSeconds: 1,
        maxStaleSeconds: 60,
        negativeTtlSeconds: 5,
      },
      { dynamo, forwarders, health: health.watcher },
    );
    return { parts, health };
  }

  async function send(parts: RouterParts, psarn: string, events: readonly string[], fail: boolean) {
    const from = outcomes.length;
    for (const id of events) {
      const payload = fail ? { id, flaky: { failPercent: 100 } } : { id };
      await respond(parts.router, parseEnvelope({ headers: { psarn }, payload }), observer);
    }
    return outcomes
      .slice(from)
      .map((o) => o.report.deliveries.map((d) => `${d.status}:${d.error?.reason ?? '-'}`));
  }

  const check = (tableName: string): Promise<HealthCheckRun> =>
    runHealthCheck({ dynamo, tableName, clientsFor, autoDrain: { registry } });

  it('drains the circuit-open copies once the circuit closed, exactly once, and nothing while it is open', async () => {
    const tableName = name('routes');
    const flaky = lambdaArn('psarn-local-flaky');
    const parkArn = sqsArn(name('park'));
    const dlqArn = sqsArn(name('dlq'));
    const r = route(`/ad/${run}/flaky`, {
      targets: [split(flaky, 1)],
      park: { queue: parkArn, enabled: false },
      onFailure: 'park',
      autoDrain: true,
    });
    const parkUrl = await createQueue('park');
    const dlqUrl = await createQueue('dlq');
    await setUp(tableName, [r]);
    const one = router(tableName, dlqArn, 'one');
    const first = outcomes.length;

    // Five function errors trip the circuit; the next four copies are held back and parked.
    expect(await send(one.parts, r.psarn, ids('fail', 5), true)).toEqual(
      Array(5).fill(['parked:function-error']),
    );
    const held = ids('held', 4);
    expect(await send(one.parts, r.psarn, held, false)).toEqual(Array(4).fill(['parked:circuit-open']));
    await one.health.shared.settled();
    expect((await one.health.store.read({ consistent: true })).circuits[flaky]?.state).toBe('open');

    // A check while the circuit is open drains nothing.
    const whileOpen = await check(tableName);
    expect(whileOpen.drained).toEqual([]);
    expect(await queueDepth(parkUrl)).toBe(9);

    // After the cool-down one probe (a new event) succeeds and closes the circuit in #health.
    await sleep(COOL_DOWN_MS);
    expect(await send(one.parts, r.psarn, ids('probe', 1), false)).toEqual([['delivered:-']]);
    await one.health.shared.settled();
    expect((await one.health.store.read({ consistent: true })).circuits[flaky]?.state).toBe('closed');

    const drainRun = await check(tableName);
    expect(drainRun.drained).toEqual([{ psarn: r.psarn, target: flaky, delivered: 4, kept: 0 }]);
    // The function got each held copy exactly once (and the probe event), nothing else of this run.
    const records = await waitForRecords('flaky', (rec) => JSON.stringify(rec.event).includes(run), {
      count: 5,
    });
    const got = records.map((rec) => (rec.event as { id: string }).id).sort();
    expect(got).toEqual([...held, ...ids('probe', 1)].sort());

    // A second run finds nothing more to drain, and sends nothing again.
    const again = await check(tableName);
    expect(again.drained).toEqual([]);
    expect(await queueDepth(parkUrl)).toBe(5);
    const after = await waitForRecords('flaky', (rec) => JSON.stringify(rec.event).includes(run), {
      count: 5,
    });
    expect(after).toHaveLength(5);
    // The copies whose own send failed stay for an operator's `psarn drain`.
    const left = await receiveAll(parkUrl, { expected: 5, timeoutMs: 10_000 });
    expect(left.map((m) => m.MessageAttributes?.['psarn-park-reason']?.StringValue)).toEqual(
      Array(5).fill('target-failed'),
    );

    // Every accepted event is accounted for: delivered + parked + dead-lettered.
    const mine = outcomes.slice(first);
    const tally = { delivered: 0, parked: 0, 'dead-lettered': 0 };
    for (const o of mine) for (const d of o.report.deliveries) tally[d.status]++;
    expect(mine).toHaveLength(10);
    expect(tally).toEqual({ delivered: 1, parked: 9, 'dead-lettered': 0 });
    expect(await queueDepth(dlqUrl)).toBe(0);
  });

  it('two checks at once deliver each copy parked for an unhealthy target once between them', async () => {
    const tableName = name('routes2');
    const targetArn = sqsArn(name('target'));
    const parkArn = sqsArn(name('park2'));
    const dlqArn = sqsArn(name('dlq2'));
    const targetUrl = await createQueue('target');
    const parkUrl = await createQueue('park2');
    await createQueue('dlq2');
    const r = route(`/ad/${run}/queue`, {
      targets: [split(targetArn, 1)],
      park: { queue: parkArn, enabled: false },
      onFailure: 'park',
      autoDrain: true,
    });
    await setUp(tableName, [r]);
    // A check found the queue unhealthy: the router holds copies back from it.
    await new HealthStore({ client: dynamo, tableName }).write('checks', [
      {
        arn: targetArn,
        status: 'unhealthy',
        reason: 'test: marked unhealthy',
        checkedAt: new Date().toISOString(),
      },
    ]);
    const { parts } = router(tableName, dlqArn, 'three');
    const events = ids('q', 12);
    expect(await send(parts, r.psarn, events, false)).toEqual(Array(12).fill(['parked:unhealthy']));
    expect(await queueDepth(parkUrl)).toBe(12);

    // The queue is fine: both checks probe it healthy, record that, and drain at the same time.
    const [a, b] = await Promise.all([check(tableName), check(tableName)]);
    const delivered = [...(a.drained ?? []), ...(b.drained ?? [])].reduce((n, d) => n + d.delivered, 0);
    expect(delivered).toBe(12);
    // Both runs have returned, so every send is done: what the queue holds is all there is.
    const arrived = await receiveAll(targetUrl, { expected: 13, timeoutMs: 3_000 });
    expect(arrived.map((m) => JSON.parse(m.Body ?? '{}').id).sort()).toEqual([...events].sort());
    expect(await queueDepth(parkUrl)).toBe(0);
  });

  it('psarn check --auto-drain does the same and prints drained; without the flag nothing is drained', async () => {
    const tableName = name('routes3');
    const targetArn = sqsArn(name('target3'));
    const parkArn = sqsArn(name('park3'));
    const dlqArn = sqsArn(name('dlq3'));
    const targetUrl = await createQueue('target3');
    const parkUrl = await createQueue('park3');
    await createQueue('dlq3');
    const r = route(`/ad/${run}/cli`, {
      targets: [split(targetArn, 1)],
      park: { queue: parkArn, enabled: false },
      autoDrain: true,
    });
    await setUp(tableName, [r]);
    await new HealthStore({ client: dynamo, tableName }).write('checks', [
      {
        arn: targetArn,
        status: 'unhealthy',
        reason: 'test: marked unhealthy',
        checkedAt: new Date().toISOString(),
      },
    ]);
    const { parts } = router(tableName, dlqArn, 'four');
    const events = ids('cli', 3);
    expect(await send(parts, r.psarn, events, false)).toEqual(Array(3).fill(['parked:unhealthy']));

    const cli = async (...flags: string[]) => {
      const io = captureIo();
      const code = await main(['check', '--table', tableName, '--stage', 'local', ...flags], io);
      expect(io.err()).toBe('');
      return { code, out: io.out() };
    };
    const plain = await cli('--json');
    expect(JSON.parse(plain.out)).not.toHaveProperty('drained');
    expect(await queueDepth(parkUrl)).toBe(3);

    const drained = await cli('--json', '--auto-drain');
    expect(drained.code).toBe(0);
    expect(JSON.parse(drained.out).drained).toEqual([
      { psarn: r.psarn, target: targetArn, delivered: 3, kept: 0 },
    ]);
    expect(await queueDepth(parkUrl)).toBe(0);
    const arrived = await receiveAll(targetUrl, { expected: 4, timeoutMs: 3_000 });
    expect(arrived.map((m) => JSON.parse(m.Body ?? '{}').id).sort()).toEqual([...events].sort());

    const text = await cli('--auto-drain');
    expect(text.out).toContain('auto-drain: nothing parked for a recovered target');
  });

  it("the check Lambda's handler auto-drains and lists it in its JSON log line", async () => {
    const tableName = name('routes4');
    const targetArn = sqsArn(name('target4'));
    const parkArn = sqsArn(name('park4'));
    const targetUrl = await createQueue('target4');
    const parkUrl = await createQueue('park4');
    await createQueue('dlq4');
    const r = route(`/ad/${run}/handler`, {
      targets: [split(targetArn, 1)],
      park: { queue: parkArn, enabled: false },
      autoDrain: true,
    });
    await setUp(tableName, [r]);
    await new HealthStore({ client: dynamo, tableName }).write('checks', [
      {
        arn: targetArn,
        status: 'unhealthy',
        reason: 'test: marked unhealthy',
        checkedAt: new Date().toISOString(),
      },
    ]);
    const { parts } = router(tableName, sqsArn(name('dlq4')), 'five');
    const events = ids('handler', 2);
    expect(await send(parts, r.psarn, events, false)).toEqual(Array(2).fill(['parked:unhealthy']));

    const saved = process.env['PSARN_TABLE'];
    process.env['PSARN_TABLE'] = tableName;
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const { handler } = await import('../../src/health/check-handler');
      await handler();
    } finally {
      spy.mockRestore();
      if (saved === undefined) delete process.env['PSARN_TABLE'];
      else process.env['PSARN_TABLE'] = saved;
    }
    const line = written
      .filter((w) => w.startsWith('{'))
      .map((w) => JSON.parse(w) as { message?: string })
      .find((l) => l.message === 'health check');
    expect(line).toMatchObject({
      level: 'INFO',
      drained: [{ psarn: r.psarn, target: targetArn, delivered: 2, kept: 0 }],
    });
    expect(await queueDepth(parkUrl)).toBe(0);
    const arrived = await receiveAll(targetUrl, { expected: 3, timeoutMs: 3_000 });
    expect(arrived.map((m) => JSON.parse(m.Body ?? '{}').id).sort()).toEqual([...events].sort());
  });
});
