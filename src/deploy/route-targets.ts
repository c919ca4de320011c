import type { TargetKind } from '../psarn/target-arn';
import type { Route } from '../routes/model';

/** Where in a route a target ARN is named. */
export type TargetRole = 'target' | 'fanout' | 'park';

/** One ARN a route names, with where it is named (for messages). */
export interface NamedTarget {
  readonly psarn: string;
  readonly arn: string;
  readonly kind: TargetKind;
  readonly role: TargetRole;
  /** Field path inside the route: `targets[1]`, `fanout[0]`, `park.queue`. */
  readonly path: string;
}

/**
 * Every ARN the routes name, in route order: split targets, fanout, then the holding queue. The
 * holding queue counts even while the route is not parked: `onFailure: park` writes to it, and
 * `psarn park` flips it on without a redeploy. psARN targets (aliases) are listed too, with
 * kind `psarn`; they resolve inside the route table and need no permission.
 *
 * @example
 * namedTargets(routes).filter((t) => t.kind === 'lambda').map((t) => t.arn)
 */
export function namedTargets(routes: readonly Route[]): NamedTarget[] {
  const named: NamedTarget[] = [];
  for (const route of routes) {
    route.targets.forEach((t, i) =>
      named.push({ psarn: route.psarn, arn: t.arn, kind: t.kind, role: 'target', path: `targets[${i}]` }),
    );
    route.fanout.forEach((t, i) =>
      named.push({ psarn: route.psarn, arn: t.arn, kind: t.kind, role: 'fanout', path: `fanout[${i}]` }),
    );
    if (route.park !== undefined) {
      named.push({
        psarn: route.psarn,
        arn: route.park.queue,
        kind: 'sqs',
        role: 'park',
        path: 'park.queue',
      });
    }
  }
  return named;
}
