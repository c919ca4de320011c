import { ErrorCode } from '../../src/errors';
import { InMemoryRouteStore } from '../../src/store/in-memory-route-store';
import { route } from '../control/route-fixtures';
import { releaseStoreContract } from './release-store.contract';

releaseStoreContract('InMemoryRouteStore', async () => new InMemoryRouteStore());

describe('InMemoryRouteStore test controls', () => {
  it('counts one read per readControl and getRoute', async () => {
    const store = new InMemoryRouteStore();
    await store.publishRelease([route('a')], { by: 't' });
    await store.readControl();
    await store.getRoute(route('a').psarn, 1);
    expect(store.reads).toBe(2);
  });

  it('fails like an outage until healed', async () => {
    const store = new InMemoryRouteStore();
    const cause = new Error('network down');
    store.failWith(cause);
    await expect(store.readControl()).rejects.toMatchObject({ code: ErrorCode.STORE_UNAVAILABLE, cause });
    await expect(store.getRoute(route('a').psarn, 1)).rejects.toMatchObject({
      code: ErrorCode.STORE_UNAVAILABLE,
    });
    store.failWith(undefined);
    await expect(store.readControl()).resolves.toMatchObject({ release: 0 });
  });
});
