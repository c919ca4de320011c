import { ErrorCode } from '../../src/errors';
import type { Route } from '../../src/routes/model';
import { publishRoutes, type ReleaseSteps, type ReleaseWrite } from '../../src/store/release-publisher';
import { route } from '../control/route-fixtures';

/** Storage steps that only record what they are asked to write: the rules are all publishRoutes'. */
function recordingSteps(
  live: number,
  routes: readonly Route[],
): ReleaseSteps<string> & { writes: ReleaseWrite[] } {
  const writes: ReleaseWrite[] = [];
  return {
    writes,
    readLive: async () => ({
      release: live,
      routes: new Map(routes.map((r) => [r.psarn, r])),
      snapshot: 'snapshot',
    }),
    writeRelease: async (write, seen) => {
      expect(seen.snapshot).toBe('snapshot');
      writes.push(write);
    },
    now: () => Date.parse('2026-01-01T00:00:00Z'),
  };
}

describe('publishRoutes: the publish rules, written once for every store', () => {
  const a = route('a');
  const b = route('b');
  const c = route('c');

  it('writes only what changed, tombstones what is gone, with the summary and record', async () => {
    const steps = recordingSteps(4, [a, b]);
    const a2 = { ...a, ttl: 5 };
    const result = await publishRoutes(steps, [a2, c], { by: 'ana', from: 2 });
    expect(result).toEqual({
      release: 5,
      changed: [a.psarn, b.psarn, c.psarn],
      added: [c.psarn],
      updated: [a.psarn],
      removed: [b.psarn],
    });
    expect(steps.writes).toEqual([
      {
        release: 5,
        record: {
          release: 5,
          at: '2026-01-01T00:00:00.000Z',
          by: 'ana',
          summary: '1 added, 1 changed, 1 removed',
          changed: [a.psarn, b.psarn, c.psarn],
          from: 2,
        },
        routes: [
          { psarn: c.psarn, route: c },
          { psarn: a.psarn, route: a2 },
          { psarn: b.psarn, route: undefined },
        ],
      },
    ]);
  });

  it('writes nothing when nothing changed and reports the live release', async () => {
    const steps = recordingSteps(3, [a]);
    await expect(publishRoutes(steps, [a], { by: 'ana' })).resolves.toMatchObject({
      release: 3,
      changed: [],
    });
    expect(steps.writes).toEqual([]);
  });

  it('refuses routes read from a release that is no longer live, before writing', async () => {
    const steps = recordingSteps(3, [a]);
    await expect(publishRoutes(steps, [b], { by: 'ana', basedOn: 2 })).rejects.toMatchObject({
      code: ErrorCode.RELEASE_CONFLICT,
    });
    expect(steps.writes).toEqual([]);
  });
});

describe('publishRoutes: the release snapshot step', () => {
  const a = route('a');
  const b = route('b');

  function snapshotSteps(live: number, routes: readonly Route[], fail = false) {
    const steps = recordingSteps(live, routes);
    const snapshots: { release: number; routes: readonly Route[]; afterWrites: number }[] = [];
    return {
      steps: {
        ...steps,
        writeSnapshot: async (release: number, set: readonly Route[]) => {
          snapshots.push({ release, routes: set, afterWrites: steps.writes.length });
          if (fail) throw new Error('ProvisionedThroughputExceededException');
        },
      },
      snapshots,
    };
  }

  it('writes the whole new route set as the snapshot of the new release, after the release', async () => {
    const { steps, snapshots } = snapshotSteps(4, [a]);
    await publishRoutes(steps, [a, b], { by: 'ana' });
    expect(snapshots).toEqual([{ release: 5, routes: [a, b], afterWrites: 1 }]);
  });

  it('offers the live release its snapshot when nothing changed, and writes no release', async () => {
    const { steps, snapshots } = snapshotSteps(4, [a, b]);
    await expect(publishRoutes(steps, [a, b], { by: 'ana' })).resolves.toMatchObject({ release: 4 });
    expect(snapshots).toEqual([{ release: 4, routes: [a, b], afterWrites: 0 }]);
  });

  it('still reports the release live when its snapshot cannot be written', async () => {
    const { steps } = snapshotSteps(4, [a], true);
    await expect(publishRoutes(steps, [a, b], { by: 'ana' })).resolves.toMatchObject({ release: 5 });
    expect(steps.writes).toHaveLength(1);
  });

  it('writes no snapshot when the release itself failed', async () => {
    const { steps, snapshots } = snapshotSteps(4, [a]);
    const failing = {
      ...steps,
      writeRelease: async () => {
        throw new Error('release conflict');
      },
    };
    await expect(publishRoutes(failing, [a, b], { by: 'ana' })).rejects.toThrow('release conflict');
    expect(snapshots).toEqual([]);
  });
});
