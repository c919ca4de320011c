/**
 * The circuit breaker on the local stack: two router instances (two createRouter +
 * createForwarders in this process) share one route table. A real function (serverless-offline's
 * `flaky`, which throws for payloads that ask it to) fails five times in a row on instance 1: its
 * circuit opens, the trip is written to `#health`, and instance 2 — which never saw a failure —
 * stops sending to it within epochCheckSeconds. Copies refused by an open circuit are parked
 * with reason `circuit-open`; after the cool-down one probe to the (now healthy) target closes the
 * circuit. Every accepted event is counted: delivered + parked + dead-lettered.
 */
import { randomUUID } from 'node:crypto';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { createRouter, type RouterParts } from '../../src/router/wiring';
import { parseEnvelope } from '../../src/router/envelope';
import { respond, type Observer } from '../../src/router/respond';
import { createAwsClients } from '../../src/targets/clients';
import { createForwarders } from '../../src/targets/registry';
import { createRouteTable } from '../../src/store/create-route-table';
import { DynamoReleaseStore } from '../../src/store/dynamo-release-store';
import { createRouterHealth, type RouterHealth } from '../../src/health/router-health';
import type { CircuitChange } from '../../src/health/circuit-breakers';
import type { DeliveryOutcome } from '../../src/delivery/report';
import { dynamoClient, queueDepth, receiveAll, sqsClient, waitForRecords } from '../support/stack';
import { lambdaArn, route, split, sqsArn } from '../support/routes';

const run = randomUUID().slice(0, 8);
const name = (what: string) => `cb-${run}-${what}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const COOL_DOWN_MS = 3_000;

interface Instance {
  readonly parts: RouterParts;
  readonly health: RouterHealth;
  readonly changes: CircuitChange[];
}

describe('circuit breaking across two router instances', () => {
  const tableName = name('routes');
  const dynamo = dynamoClient();
  const flaky = lambdaArn('psarn-local-flaky');
  const parkArn = sqsArn(name('park'));
  const dlqArn = sqsArn(name('dlq'));
  const r = route(`/cb/${run}/flaky`, {
    targets: [split(flaky, 1)],
    park: { queue: parkArn, enabled: false },
    onFailure: 'park',
  });
  let parkUrl: string;
  let dlqUrl: string;
  const outcomes: DeliveryOutcome[] = [];
  const observer: Observer = {
    accepted: (outcome) => void outcomes.push(outcome),
    rejected: (_psarn, error) => {
      throw error;
    },
    unsecured: (outcome) => void outcomes.push(outcome),
  };

  function instance(label: string): Instance {
    const changes: CircuitChange[] = [];
    const health = createRouterHealth({
      dynamo,
      tableName,
      epochCheckSeconds: 1,
      instance: label,
      breaker: { coolDownMs: COOL_DOWN_MS },
      onCircuitChange: (change) => void changes.push(change),
      // Dynalite on a loaded 2-core machine may answer after the default 100 ms; the test is
      // about what an instance does once it has read `#health`, not how fast the read is.
      waitMs: 5_000,
    });
    const clients = createAwsClients(process.env, { dynamodb: dynamo });
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
    return { parts, health, changes };
  }

  /** One direct invocation per event; the reports are collected by the observer. */
  async function send(on: Instance, ids: readonly string[], fail: boolean): Promise<DeliveryOutcome[]> {
    const from = outcomes.length;
    for (const id of ids) {
      const payload = fail ? { id, flaky: { failPercent: 100 } } : { id };
      await respond(on.parts.router, parseEnvelope({ headers: { psarn: r.psarn }, payload }), observer);
    }
    return outcomes.slice(from);
  }
  const statusOf = (o: DeliveryOutcome) =>
    o.report.deliveries.map((d) => `${d.status}:${d.error?.reason ?? '-'}`);
  const ids = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `${run}-${tag}-${i}`);

  beforeAll(async () => {
    await createRouteTable(dynamo, tableName);
    parkUrl = (await sqsClient().send(new CreateQueueCommand({ QueueName: name('park') })))
      .QueueUrl as string;
    dlqUrl = (await sqsClient().send(new CreateQueueCommand({ QueueName: name('dlq') }))).QueueUrl as string;
    await new DynamoReleaseStore({ client: dynamo, tableName }).publishRelease([r], {
      by: 'circuit.integration.test',
    });
  });

  it('trips on one instance, is skipped by the second, parks with circuit-open, and closes after a probe', async () => {
    const one = instance('one');
    const two = instance('two');
    // Instance 2 is warm: it has read #health (no trip yet) and delivered.
    expect((await send(two, ids('warm', 1), false)).map(statusOf)).toEqual([['delivered:-']]);

    // Five consecutive function errors on instance 1: each copy is parked with its own error...
    const failing = await send(one, ids('fail', 5), true);
    expect(failing.map(statusOf)).toEqual(Array(5).fill(['parked:function-error']));
    expect(one.health.breakers.stateOf(flaky)).toBe('open');
    expect(one.changes.map((c) => [c.state, c.source])).toEqual([['open', 'local']]);
    // ...and once open, the next copies are parked without a call (they would have succeeded).
    const refused = await send(one, ids('refused', 3), false);
    expect(refused.map(statusOf)).toEqual(Array(3).fill(['parked:circuit-open']));

    // The trip reaches the table off the per-event path; instance 2 reads it within epochCheckSeconds.
    await one.health.shared.settled();
    expect((await one.health.store.read({ consistent: true })).circuits[flaky]).toMatchObject({
      state: 'open',
      by: 'one',
      trips: 1,
      coolDownMs: COOL_DOWN_MS,
    });
    await sleep(1_100);
    const skipped = await send(two, ids('skipped', 3), false);
    expect(skipped.map(statusOf)).toEqual(Array(3).fill(['parked:circuit-open']));
    expect(two.changes.map((c) => [c.state, c.source])).toEqual([['open', 'shared']]);

    // After the cool-down the target is healthy again: one probe on each instance closes it.
    await sleep(COOL_DOWN_MS);
    const healed = [
      ...(await send(two, ids('healed2', 2), false)),
      ...(await send(one, ids('healed1', 2), false)),
    ];
    expect(healed.map(statusOf)).toEqual(Array(4).fill(['delivered:-']));
    expect(one.health.breakers.stateOf(flaky)).toBe('closed');
    expect(two.health.breakers.stateOf(flaky)).toBe('closed');
    expect(one.changes.map((c) => c.state)).toEqual(['open', 'half-open', 'closed']);
    await one.health.shared.settled();
    await two.health.shared.settled();

    // Every accepted event is accounted for, and each count matches what really arrived.
    const tally = { delivered: 0, parked: 0, 'dead-lettered': 0 };
    for (const o of outcomes) for (const d of o.report.deliveries) tally[d.status]++;
    expect(outcomes).toHaveLength(1 + 5 + 3 + 3 + 4);
    expect(tally).toEqual({ delivered: 5, parked: 11, 'dead-lettered': 0 });
    const parked = await receiveAll(parkUrl, { expected: 11, timeoutMs: 10_000 });
    expect(parked).toHaveLength(11);
    const errors = parked.map((m) => m.MessageAttributes?.['psarn-error']?.StringValue ?? '');
    expect(errors.filter((e) => e.startsWith('CIRCUIT_OPEN:'))).toHaveLength(6);
    expect(errors.filter((e) => e.startsWith('FUNCTION_ERROR:'))).toHaveLength(5);
    expect(await queueDepth(dlqUrl)).toBe(0);
    const delivered = await waitForRecords('flaky', (rec) => JSON.stringify(rec.event).includes(run), {
      count: 5,
    });
    expect(delivered).toHaveLength(5);
  });
});
