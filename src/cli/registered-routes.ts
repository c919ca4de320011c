import type { CliIo } from './io';
import { mergeRegistrations, type MergedRoutes } from '../registration/merge';
import type { RegistrationSet } from '../registration/model';
import { readLayered } from '../registration/publish';
import { RegistrationStore } from '../registration/registration-store';
import type { Route } from '../routes/model';
import type { ReleaseStore } from '../store/release-store';
import { dynamoClientFor, type StoreTarget } from './store-options';

/** The live release, the registrations, and the route files with the registrations merged in. */
export interface RegisteredRoutes {
  readonly live: { readonly release: number; readonly routes: readonly Route[] };
  readonly sets: readonly RegistrationSet[];
  readonly merged: MergedRoutes;
}

/**
 * What `plan` and `apply` compare and publish: the route files plus the stage's registrations
 * (src/registration/), so an apply of `routes/` keeps every consumer's registered targets. The
 * live pointer is read before the registrations (see `readLayered`), and apply publishes based
 * on that release: a registration that lands in between makes the publish refuse, not lose it.
 *
 * @example
 * const { live, merged } = await registeredRoutes(store, target, io, fileRoutes);
 */
export async function registeredRoutes(
  store: ReleaseStore,
  target: StoreTarget,
  io: CliIo,
  files: readonly Route[],
): Promise<RegisteredRoutes> {
  const client = dynamoClientFor(target, io.env);
  try {
    const view = await readLayered(store, new RegistrationStore(client, target.tableName));
    return {
      live: { release: view.release, routes: view.live },
      sets: view.sets,
      merged: mergeRegistrations(files, view.sets),
    };
  } finally {
    client.destroy();
  }
}
