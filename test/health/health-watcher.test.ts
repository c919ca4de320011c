/**
 * The per-instance reader of `#health`, with an injected clock and read (no I/O): reads at most
 * once per interval whatever the traffic, never lets an event wait longer than `waitMs`, and
 * keeps the last view — or "all healthy" — while the table fails.
 */
import { EMPTY_HEALTH, type HealthState } from '../../src/health/health-state';
import { HealthWatcher } from '../../src/health/health-watcher';
import { sqsArn } from '../support/routes';

const arn = sqsArn('orders');
const removedState: HealthState = {
  ...EMPTY_HEALTH,
  version: 3,
  checks: { [arn]: { arn, status: 'removed', reason: 'does not exist', checkedAt: '2026-12-01T00:00:00Z' } },
};

function watcher(read: () => Promise<HealthState>, waitMs = 50) {
  let now = 0;
  let reads = 0;
  const w = new HealthWatcher({
    read: () => {
      reads++;
      return read();
    },
    everyMs: 1000,
    waitMs,
    now: () => now,
  });
  return { w, reads: () => reads, advance: (ms: number) => void (now += ms) };
}

describe('HealthWatcher', () => {
  it('reads once per interval, however many events ask', async () => {
    const { w, reads, advance } = watcher(async () => removedState);
    await w.ready();
    expect(w.view().markOf(arn)?.status).toBe('removed');
    for (let i = 0; i < 100; i++) expect(w.ready()).toBeUndefined();
    expect(reads()).toBe(1);
    advance(1000);
    await w.ready();
    expect(reads()).toBe(2);
  });

  it('does not retry a failing table per event, and stays fail-open (all healthy)', async () => {
    const { w, reads, advance } = watcher(async () => {
      throw new Error('ProvisionedThroughputExceededException');
    });
    await w.ready();
    for (let i = 0; i < 50; i++) {
      expect(w.ready()).toBeUndefined();
      expect(w.view().size).toBe(0);
    }
    expect(reads()).toBe(1);
    advance(1000);
    await w.ready();
    expect(reads()).toBe(2);
  });

  it('keeps the last view when a later read fails', async () => {
    let fail = false;
    const { w, advance } = watcher(async () => {
      if (fail) throw new Error('timeout');
      return removedState;
    });
    await w.ready();
    fail = true;
    advance(1000);
    await w.ready();
    expect(w.view().markOf(arn)?.status).toBe('removed');
  });

  it('lets an event wait at most waitMs for a read that hangs', async () => {
    const { w } = watcher(() => new Promise<HealthState>(() => undefined), 20);
    // A hung read would hold this await until jest's timeout fails the test.
    await w.ready();
    expect(w.view().size).toBe(0);
    // While that read hangs, each event still waits at most waitMs, and no second read starts.
    await w.ready();
  });
});
