/**
 * Consumers' heartbeats and `psarn resolve --health`, on the local stack's DynamoDB: a beat is
 * recorded in the route table's `#health` item for its TTL; an unhealthy or missed beat takes the
 * target out of the plan a router would make, which `resolve --health` shows.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { sendHeartbeat } from '../../src/health/heartbeat';
import { HealthStore } from '../../src/health/health-store';
import { healthView } from '../../src/health/health-view';
import { createRouteTable } from '../../src/store/create-route-table';
import { captureIo } from '../support/cli';
import { dynamoClient } from '../support/stack';
import { lambdaArn, sqsArn } from '../support/routes';

const run = randomUUID().slice(0, 8);
const tableName = `hb-${run}-routes`;
const dynamo = dynamoClient();
const a = lambdaArn('psarn-local-fulfilmentA');
const b = lambdaArn('psarn-local-fulfilmentB');
const audit = sqsArn('psarn-local-audit-copy');
let dir: string;

beforeAll(async () => {
  await createRouteTable(dynamo, tableName);
  dir = await mkdtemp(join(tmpdir(), 'psarn-hb-'));
  await mkdir(join(dir, 'routes'));
  await writeFile(
    join(dir, 'routes', 'orders.yml'),
    [
      `psarn: arn:aws:psarns:\${region}:\${account}:/hb/${run}/orders`,
      'targets:',
      `  - arn: ${a}`,
      '    weight: 50',
      `  - arn: ${b}`,
      '    weight: 50',
      'fanout:',
      `  - arn: ${audit}`,
      '',
    ].join('\n'),
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = { ...captureIo(), cwd: dir };
  const code = await main([...args, '--table', tableName, '--stage', 'local'], io);
  return { code, out: io.out(), err: io.err() };
}

describe('psarn heartbeat', () => {
  it('records a beat valid for its TTL', async () => {
    const before = Date.now();
    const { code, out } = await cli('heartbeat', a, '--ttl', '60s', '--json');
    expect(code).toBe(0);
    const beat = JSON.parse(out) as { arn: string; status: string; expiresAt: number };
    expect(beat).toMatchObject({ arn: a, status: 'healthy' });
    expect(beat.expiresAt).toBeGreaterThanOrEqual(before + 60_000);
    const state = await new HealthStore({ client: dynamo, tableName }).read({ consistent: true });
    expect(state.heartbeats[a]).toEqual(beat);
    expect(healthView(state, Date.now()).markOf(a)).toBeUndefined();
  });

  it('refuses a TTL it cannot read, and a psARN, with what to pass instead', async () => {
    const bad = await cli('heartbeat', a, '--ttl', 'soon');
    expect(bad.code).not.toBe(0);
    expect(bad.err).toContain('--ttl must be a duration like 60s, 5m or 1h, got "soon"');
    const alias = await cli(
      'heartbeat',
      `arn:aws:psarns:us-east-1:000000000000:/hb/${run}/orders`,
      '--ttl',
      '60',
    );
    expect(alias.code).not.toBe(0);
    expect(alias.err).toContain('is a psARN: heartbeats are sent for real targets');
  });

  it('a beat that says unhealthy takes the target out of the plan resolve --health shows', async () => {
    expect(
      (await cli('heartbeat', b, '--ttl', '5m', '--status', 'unhealthy', '--reason', 'draining')).code,
    ).toBe(0);
    for (let i = 0; i < 5; i++) {
      const { code, out } = await cli('resolve', `/hb/${run}/orders`, '--health', '--json');
      expect(code).toBe(0);
      const json = JSON.parse(out) as {
        deliveries: { role: string; target: string }[];
        health: { arn: string; status: string; reason?: string }[];
      };
      expect(json.deliveries.map((d) => [d.role, d.target])).toEqual([
        ['split', a],
        ['fanout', audit],
      ]);
      expect(json.health).toContainEqual({
        arn: b,
        status: 'unhealthy',
        reason: 'heartbeat says unhealthy: draining',
      });
    }
    const text = await cli('resolve', `/hb/${run}/orders`, '--health');
    expect(text.out).toMatch(/routers route around these targets/);
    expect(text.out).toContain(`${b}  unhealthy: heartbeat says unhealthy: draining`);
  });

  it('a missed beat (expired past the allowed clock skew) marks the target unhealthy', async () => {
    // The consumer beat 10 minutes ago with a 60 s TTL, and never again.
    await sendHeartbeat(dynamo, tableName, audit, { ttlSeconds: 60, now: () => Date.now() - 600_000 });
    const state = await new HealthStore({ client: dynamo, tableName }).read({ consistent: true });
    expect(healthView(state, Date.now()).markOf(audit)).toMatchObject({
      status: 'unhealthy',
      reason: expect.stringMatching(/^heartbeat missed/),
    });
    // Beats of different targets written one after another all stay: no writer loses another's.
    expect(Object.keys(state.heartbeats).sort()).toEqual([a, b, audit].sort());
  });
});
