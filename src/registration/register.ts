import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readDeployRecord, type DeployRecord } from '../deploy/deploy-record';
import { unreachableTargets } from '../deploy/reach';
import type { NamedTarget } from '../deploy/route-targets';
import { PsarnError } from '../errors';
import type { Route } from '../routes/model';
import type { ReleaseStore } from '../store/release-store';
import { RegistrationConflictError, RegistrationInvalidError, RegistrationRouteMissingError } from './errors';
import { mergeRegistrations, withoutRegistrations, type MergeNote } from './merge';
import { MAX_REGISTRATIONS, type Registration } from './model';
import { readLayered, republishRegistrations, type RepublishResult } from './publish';
import { RegistrationStore } from './registration-store';

/** Where registrations go: the stage's route table, its release store and who is acting. */
export interface RegistrationTarget {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly releases: ReleaseStore;
  /** PSARN_USER or user@host. */
  readonly by: string;
  readonly now?: () => number;
}

export interface RegisterOutcome extends RepublishResult {
  /** Notes about this registrant's own registrations (covered by a route file, lost a race…). */
  readonly mine: readonly MergeNote[];
  /** Registered targets the deployed router role cannot reach (deploy record), and the record. */
  readonly reach?: { readonly record: DeployRecord; readonly unreachable: readonly NamedTarget[] };
}

/**
 * Register `registrations` as the whole set of `registrant` (`<service>/<stage>`), replacing
 * what it registered before, then publish the merged release. Checked first, with nothing
 * written when it fails: a psARN no route defines (unless the registration says `create`)
 * and a target another registrant already holds on that psARN are typed errors.
 *
 * @example
 * await registerSet(target, 'signup/prod', [registration]);
 */
export async function registerSet(
  target: RegistrationTarget,
  registrant: string,
  registrations: readonly Registration[],
  options: {
    /** false: skip the missing-route and conflict checks (what is left after a partial deregister). */
    readonly check?: boolean;
  } = {},
): Promise<RegisterOutcome> {
  if (registrations.length > MAX_REGISTRATIONS) {
    throw new RegistrationInvalidError(
      registrant,
      `${registrations.length} registrations, more than the ${MAX_REGISTRATIONS} one service may hold per stage: register fewer targets, or put them in routes/`,
    );
  }
  const store = new RegistrationStore(target.client, target.tableName);
  const view = await readLayered(target.releases, store);
  const now = new Date((target.now ?? Date.now)()).toISOString();
  const others = view.sets.filter((s) => s.registrant !== registrant);
  const previous = view.sets.find((s) => s.registrant === registrant);
  const candidate = { registrant, registrations, since: previous?.since ?? now, at: now, by: target.by };
  const trial = mergeRegistrations(withoutRegistrations(view.live), [...others, candidate]);
  const checked = options.check === false ? [] : trial.notes.filter((n) => n.registrant === registrant);
  for (const note of checked) {
    if (note.kind === 'dormant')
      throw new RegistrationRouteMissingError(registrant, note.psarn, target.tableName);
    if (note.kind === 'conflict') {
      throw new RegistrationConflictError(registrant, note.psarn, note.arn, note.owner ?? 'another service');
    }
  }
  await store.put(registrant, registrations, now, target.by);
  const outcome = await publishAfterWrite(target, store, `registered by ${registrant}`, 'registered');
  return {
    ...outcome,
    mine: outcome.notes.filter((n) => n.registrant === registrant),
    ...(await reachOf(target, outcome.routes, registrant)),
  };
}

export interface DeregisterOutcome extends RepublishResult {
  /** False when the registrant had no registration item and no registered target was live. */
  readonly found: boolean;
}

/**
 * Remove everything `registrant` registered and publish the release without it. A registrant
 * that never registered (and has no target left in the live release) is a no-op, `found: false`.
 * Runs the publish even when the item is gone but targets are still live: a deregister whose
 * publish failed before is finished by running it again.
 *
 * @example
 * const { found } = await deregisterSet(target, 'signup/prod');
 */
export async function deregisterSet(
  target: RegistrationTarget,
  registrant: string,
): Promise<DeregisterOutcome> {
  const store = new RegistrationStore(target.client, target.tableName);
  const existed = await store.delete(registrant);
  const view = await readLayered(target.releases, store);
  const live = view.live.some((r) => [...r.targets, ...r.fanout].some((t) => t.registeredBy === registrant));
  if (!existed && !live) {
    return {
      found: false,
      notes: [],
      routes: view.live,
      result: { release: view.release, changed: [], added: [], updated: [], removed: [] },
    };
  }
  return {
    found: true,
    ...(await publishAfterWrite(target, store, `deregistered by ${registrant}`, 'deregistered')),
  };
}

/**
 * The publish after the registration item changed. Its failure is reported with what is true
 * then: the item is written (the layer is durable), only the release is not, and the next
 * `psarn apply`, register or deregister publishes it.
 */
async function publishAfterWrite(
  target: RegistrationTarget,
  store: RegistrationStore,
  action: string,
  verb: string,
): Promise<RepublishResult> {
  try {
    return await republishRegistrations({
      releases: target.releases,
      registrations: store,
      by: target.by,
      action,
    });
  } catch (err) {
    if (!(err instanceof PsarnError)) throw err;
    throw new PsarnError(
      err.code,
      `${err.message}. The registration is ${verb} in ${target.tableName}, but no release published it yet: run the same command again (or \`psarn apply\`) to publish it`,
      { ...err.context, registration: verb },
      { cause: err },
    );
  }
}

/** The deploy record's verdict on this registrant's targets; none without a record. */
async function reachOf(
  target: RegistrationTarget,
  routes: readonly Route[],
  registrant: string,
): Promise<Pick<RegisterOutcome, 'reach'>> {
  let record: DeployRecord | undefined;
  try {
    record = await readDeployRecord(target.client, target.tableName);
  } catch {
    // The registration is published; an unreadable record only means the reach is not checked.
    return {};
  }
  if (record === undefined) return {};
  const mine = new Set(
    routes.flatMap((r) =>
      [...r.targets, ...r.fanout]
        .filter((t) => t.registeredBy === registrant)
        .map((t) => `${r.psarn} ${t.arn}`),
    ),
  );
  const unreachable = unreachableTargets(routes, record.allowed).filter((t) =>
    mine.has(`${t.psarn} ${t.arn}`),
  );
  return { reach: { record, unreachable } };
}
