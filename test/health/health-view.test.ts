/**
 * What the health state means for routing at a given instant (pure): checks mark targets
 * unhealthy or removed, heartbeats vouch for a target until they expire — counted as missed only
 * once past the allowed clock skew — and anything not marked is healthy (fail open).
 */
import { EMPTY_HEALTH, type HealthState } from '../../src/health/health-state';
import { healthView } from '../../src/health/health-view';
import { lambdaArn, sqsArn } from '../support/routes';

const q = sqsArn('orders');
const fn = lambdaArn('billing');
const at = '2026-12-01T00:00:00.000Z';

const state = (extra: Partial<HealthState>): HealthState => ({ ...EMPTY_HEALTH, version: 1, ...extra });

describe('healthView', () => {
  it('marks what a check found unhealthy or removed, and nothing else', () => {
    const view = healthView(
      state({
        checks: {
          [q]: { arn: q, status: 'removed', reason: 'does not exist', checkedAt: at },
          [fn]: { arn: fn, status: 'healthy', reason: 'reachable', checkedAt: at },
        },
      }),
      0,
    );
    expect(view.size).toBe(1);
    expect(view.markOf(q)).toEqual({ status: 'removed', reason: 'does not exist' });
    expect(view.markOf(fn)).toBeUndefined();
  });

  it('counts a heartbeat as missed only once it is past its expiry by more than the clock skew allowed', () => {
    const s = state({ heartbeats: { [fn]: { arn: fn, status: 'healthy', expiresAt: 10_000 } } });
    expect(healthView(s, 10_000, 5_000).markOf(fn)).toBeUndefined();
    expect(healthView(s, 15_000, 5_000).markOf(fn)).toBeUndefined();
    expect(healthView(s, 15_001, 5_000).markOf(fn)).toMatchObject({
      status: 'unhealthy',
      reason: expect.stringMatching(/heartbeat missed/),
    });
  });

  it('marks a target whose own heartbeat says unhealthy, with its reason', () => {
    const s = state({
      heartbeats: { [fn]: { arn: fn, status: 'unhealthy', expiresAt: 99_999, reason: 'draining' } },
    });
    expect(healthView(s, 0).markOf(fn)).toEqual({
      status: 'unhealthy',
      reason: 'heartbeat says unhealthy: draining',
    });
  });

  it('keeps the check`s finding when a live heartbeat says healthy (the probe saw it unreachable)', () => {
    const s = state({
      checks: { [fn]: { arn: fn, status: 'unhealthy', reason: 'function state Inactive', checkedAt: at } },
      heartbeats: { [fn]: { arn: fn, status: 'healthy', expiresAt: 99_999 } },
    });
    expect(healthView(s, 0).markOf(fn)?.reason).toBe('function state Inactive');
  });
});
