import { autoDrain, autoDrainCandidates } from '../../src/health/auto-drain';
import { createForwarders } from '../../src/targets/registry';
import { EMPTY_HEALTH, type CircuitRecord, type HealthState } from '../../src/health/health-state';
import type { ProbeResult } from '../../src/health/probe';
import type { Route } from '../../src/routes/model';
import { lambdaArn, route, split, sqsArn, target } from '../support/routes';

const NOW = 1_800_000_000_000;
const A = lambdaArn('a');
const B = sqsArn('b');
const withDrain = route('/ad/unit', {
  targets: [split(A, 1)],
  fanout: [target(B)],
  park: { queue: sqsArn('held'), enabled: false },
  onFailure: 'park',
  autoDrain: true,
});
const probe = (arn: string, status: ProbeResult['status']): ProbeResult =>
  ({ arn, status, reason: status, checkedAt: new Date(NOW).toISOString() }) as ProbeResult;
const healthy = [probe(A, 'healthy'), probe(B, 'healthy')];
const circuit = (arn: string, extra: Partial<CircuitRecord>): CircuitRecord => ({
  arn,
  state: 'open',
  at: NOW - 1_000,
  coolDownMs: 30_000,
  trips: 1,
  by: 'router-1',
  ...extra,
});
const state = (circuits: CircuitRecord[], more: Partial<HealthState> = {}): HealthState => ({
  ...EMPTY_HEALTH,
  circuits: Object.fromEntries(circuits.map((c) => [c.arn, c])),
  ...more,
});
const ready = (s: HealthState, probes = healthy, routes = [withDrain]) =>
  autoDrainCandidates(routes, s, probes, NOW).map((c) => c.target);

describe('autoDrainCandidates: which recovered targets get their parked copies back', () => {
  it('takes every target of an autoDrain route that never tripped or whose circuit closed', () => {
    expect(ready(state([circuit(A, { state: 'closed', at: NOW - 10 })]))).toEqual([A, B].sort());
  });

  it('leaves a target whose circuit is open, also a moment after the cool-down (clock skew)', () => {
    expect(ready(state([circuit(A, {})]))).toEqual([B]);
    expect(ready(state([circuit(A, { at: NOW - 31_000 })]))).toEqual([B]);
  });

  it('takes an open circuit past its cool-down only when this run probed the target healthy', () => {
    const old = state([circuit(A, { at: NOW - 60_000 })]);
    expect(ready(old)).toEqual([A, B].sort());
    expect(ready(old, [probe(A, 'unknown'), probe(B, 'healthy')])).toEqual([B]);
  });

  it('leaves a target this run found unhealthy or removed, even with its circuit closed', () => {
    const closed = state([circuit(A, { state: 'closed' })]);
    expect(ready(closed, [probe(A, 'unhealthy'), probe(B, 'removed')])).toEqual([]);
  });

  it('leaves a target the health state marks (a heartbeat says unhealthy)', () => {
    const s = state([], { heartbeats: { [B]: { arn: B, status: 'unhealthy', expiresAt: NOW + 60_000 } } });
    expect(ready(s)).toEqual([A]);
  });

  it("trusts this run's probe over a stored check, but not a probe that could not ask", () => {
    const stored = state([], {
      checks: {
        [A]: {
          arn: A,
          status: 'unhealthy',
          reason: 'earlier check',
          checkedAt: new Date(NOW - 60_000).toISOString(),
        },
      },
    });
    expect(ready(stored)).toEqual([A, B].sort());
    expect(ready(stored, [probe(A, 'unknown'), probe(B, 'healthy')])).toEqual([B]);
  });

  it('ignores routes without autoDrain, and routes an operator parked', () => {
    const plain: Route = { ...withDrain };
    delete (plain as { autoDrain?: true }).autoDrain;
    const parked = { ...withDrain, park: { queue: sqsArn('held'), enabled: true } };
    expect(ready(state([]), healthy, [plain, parked])).toEqual([]);
  });

  it('drains nothing past its budget or limit, and says so per target instead of touching a queue', async () => {
    const options = {
      routes: [withDrain],
      release: 1,
      state: state([]),
      probes: healthy,
      registry: createForwarders({ env: { AWS_REGION: 'eu-west-1' } }),
      // Reaching SQS at all would be the bug here.
      sqsFor: () => {
        throw new Error('no queue may be read once the run is over budget');
      },
      now: () => NOW,
    };
    const note = 'not drained: this run reached its limit';
    const expected = [A, B]
      .sort()
      .map((t) => ({ psarn: withDrain.psarn, target: t, delivered: 0, kept: 0, note }));
    expect(await autoDrain({ ...options, budgetMs: 0 })).toEqual(expected);
    expect(await autoDrain({ ...options, limit: 0 })).toEqual(expected);
  });
});
