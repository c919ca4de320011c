import type { ReleaseStore } from '../../src/store/release-store';
import type { RouteStore } from '../../src/store/route-store';
import { ErrorCode } from '../../src/errors';
import { lambdaArn, psarnOf, route, split } from '../control/route-fixtures';

/** What every route table implementation must do; each store's test runs it. */
export function releaseStoreContract(name: string, make: () => Promise<RouteStore & ReleaseStore>): void {
  describe(`${name} (release store contract)`, () => {
    const a = route('a');
    const b = route('b');
    const c = route('c');

    it('reads a new table as release 0, epoch 0, with no routes', async () => {
      const store = await make();
      await expect(store.readControl()).resolves.toMatchObject({ release: 0, epoch: 0 });
      await expect(store.getRoute(a.psarn, 0)).resolves.toBeUndefined();
    });

    it('publishes a first release with every route added', async () => {
      const store = await make();
      const result = await store.publishRelease([b, a], { by: 'ana@laptop' });
      expect(result).toEqual({
        release: 1,
        changed: [a.psarn, b.psarn],
        added: [a.psarn, b.psarn],
        updated: [],
        removed: [],
      });
      expect((await store.readControl()).release).toBe(1);
      await expect(store.getRoute(a.psarn, 1)).resolves.toEqual({ route: a, release: 1 });
      await expect(store.getRoute(a.psarn, 0)).resolves.toBeUndefined();
    });

    it('writes only changed routes, tombstones removed ones and keeps older releases readable', async () => {
      const store = await make();
      await store.publishRelease([a, b], { by: 'ana' });
      const a2 = { ...a, targets: [split(lambdaArn('a'), 50), split(lambdaArn('a2'), 50)] };
      const result = await store.publishRelease([a2, c], { by: 'bo', summary: 'canary a' });
      expect(result).toMatchObject({ release: 2, added: [c.psarn], updated: [a.psarn], removed: [b.psarn] });
      await expect(store.getRoute(a.psarn, 2)).resolves.toEqual({ route: a2, release: 2 });
      await expect(store.getRoute(b.psarn, 2)).resolves.toBeUndefined();
      await expect(store.getRoute(b.psarn, 1)).resolves.toEqual({ route: b, release: 1 });
      await expect(store.routesAt(1)).resolves.toEqual([a, b]);
      await expect(store.routesAt(2)).resolves.toEqual([a2, c]);
      const history = await store.listReleases();
      expect(history.map((r) => [r.release, r.by, r.summary, r.changed])).toEqual([
        [1, 'ana', '2 added, 0 changed, 0 removed', [a.psarn, b.psarn]],
        [2, 'bo', 'canary a', [a.psarn, b.psarn, c.psarn]],
      ]);
    });

    it('keeps an unchanged route at the release that last wrote it', async () => {
      const store = await make();
      await store.publishRelease([a, b], { by: 'ana' });
      await store.publishRelease([a, { ...b, ttl: 5 }], { by: 'ana' });
      await expect(store.getRoute(a.psarn, 2)).resolves.toEqual({ route: a, release: 1 });
    });

    it('writes no release when nothing changed, whatever the key order', async () => {
      const store = await make();
      await store.publishRelease([a], { by: 'ana' });
      const reordered = Object.fromEntries(Object.entries(a).reverse()) as unknown as typeof a;
      expect(Object.keys(reordered)).not.toEqual(Object.keys(a));
      const result = await store.publishRelease([reordered], { by: 'ana' });
      expect(result).toEqual({ release: 1, changed: [], added: [], updated: [], removed: [] });
      expect(await store.listReleases()).toHaveLength(1);
    });

    it('records the release a rollback copies', async () => {
      const store = await make();
      await store.publishRelease([a], { by: 'ana' });
      await store.publishRelease([b], { by: 'ana' });
      await store.publishRelease(await store.routesAt(1), { by: 'ana', from: 1, summary: 'rollback to 1' });
      const last = (await store.listReleases()).at(-1);
      expect(last).toMatchObject({ release: 3, from: 1, summary: 'rollback to 1' });
      await expect(store.routesAt(3)).resolves.toEqual([a]);
    });

    it('rejects a release that does not exist', async () => {
      const store = await make();
      await store.publishRelease([a], { by: 'ana' });
      await expect(store.routesAt(2)).rejects.toMatchObject({ code: ErrorCode.RELEASE_NOT_FOUND });
      await expect(store.routesAt(0)).rejects.toMatchObject({ code: ErrorCode.RELEASE_NOT_FOUND });
    });

    it('bumps the epoch without moving the release, before and after the first release', async () => {
      const store = await make();
      expect(await store.bumpEpoch('ops')).toMatchObject({ release: 0, epoch: 1, updatedBy: 'ops' });
      await store.publishRelease([a], { by: 'ana' });
      expect(await store.bumpEpoch('ops')).toMatchObject({ release: 1, epoch: 2 });
      expect(await store.readControl()).toMatchObject({ release: 1, epoch: 2 });
    });

    it('handles a psARN with every route field through a round trip', async () => {
      const store = await make();
      const full = route('full', {
        description: 'all fields',
        stickyBy: 'payload.userId',
        park: { queue: 'arn:aws:sqs:eu-west-1:123456789012:hold', enabled: true },
        onFailure: 'park',
        ttl: 300,
      });
      await store.publishRelease([full], { by: 'ana' });
      await expect(store.getRoute(psarnOf('full'), 1)).resolves.toEqual({ route: full, release: 1 });
    });

    it('refuses a publish based on a release that is no longer live, changing nothing', async () => {
      const store = await make();
      await store.publishRelease([a], { by: 'ana' });
      // Bo reads release 1, meanwhile Ana publishes release 2 (adds b): Bo's copy must not undo it.
      await store.publishRelease([a, b], { by: 'ana' });
      await expect(store.publishRelease([a, c], { by: 'bo', basedOn: 1 })).rejects.toMatchObject({
        code: ErrorCode.RELEASE_CONFLICT,
        message:
          'release 2 went live after these routes were read from release 1; nothing was changed: plan again',
      });
      expect((await store.readControl()).release).toBe(2);
      await expect(store.getRoute(b.psarn, 2)).resolves.toEqual({ route: b, release: 2 });
      await expect(store.publishRelease([a, c], { by: 'bo', basedOn: 2 })).resolves.toMatchObject({
        release: 3,
      });
    });
  });
}
