import type { TargetRef } from '../routes/model';

/**
 * A consumer service's self-registration (docs/discovery.md "Self-registration"): one target it
 * adds to one route, as a split target with its weight or as a fanout target. It is a layer over
 * the route files: `apply` and `register` merge it into the route the files (or the live release)
 * define, so the route files never need to know the consumer.
 */
export interface Registration {
  readonly psarn: string;
  /** The target as a route file would name it, without `registeredBy` (the set carries that). */
  readonly target: TargetRef;
  readonly role: 'split' | 'fanout';
  /** Split only: the target's weight next to the route file's weights (normalised, not percent). */
  readonly weight?: number;
  /**
   * Present when the registration may create the route if no route file (and no earlier
   * registration) defines it; without it, a missing route is an error at register time.
   */
  readonly create?: RouteCreation;
}

/** What a route created by a registration gets besides its registered targets. */
export interface RouteCreation {
  readonly ttl?: number;
  readonly description?: string;
}

/**
 * Everything one service registered for one stage: the unit a deploy replaces and a remove
 * deletes, so a re-deploy is an idempotent replace, never a duplicate.
 */
export interface RegistrationSet {
  /** `<service>/<stage>`, the value of `registeredBy` on every target of the set. */
  readonly registrant: string;
  readonly registrations: readonly Registration[];
  /**
   * ISO time the set was first written, kept across re-deploys: when two services register the
   * same target, the earlier one keeps it (a re-deploy does not steal it back).
   */
  readonly since: string;
  /** ISO time of the latest write, and who wrote it (PSARN_USER or user@host). */
  readonly at: string;
  readonly by: string;
}

/**
 * Most registrations one service may hold per stage. The set is one DynamoDB item (400 KB), and a
 * route with hundreds of appended targets is a mistake long before that.
 */
export const MAX_REGISTRATIONS = 100;

/** Service and stage names as osls allows them: the registrant name must split back cleanly. */
export const REGISTRANT_PART = /^[A-Za-z][A-Za-z0-9_-]{0,127}$/;

/**
 * The name a service registers under, `<service>/<stage>`.
 *
 * @example
 * registrantOf('signup', 'prod') // 'signup/prod'
 */
export function registrantOf(service: string, stage: string): string {
  return `${service}/${stage}`;
}
