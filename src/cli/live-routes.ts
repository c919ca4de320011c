import type { Route } from '../routes/model';
import type { ReleaseStore } from '../store/release-store';

/**
 * The live release number and its complete route set (empty before the first release).
 *
 * @example
 * const { release, routes } = await liveRoutes(store);
 */
export async function liveRoutes(
  store: ReleaseStore,
): Promise<{ release: number; routes: readonly Route[] }> {
  const { release } = await store.readControl();
  return { release, routes: release === 0 ? [] : await store.routesAt(release) };
}
