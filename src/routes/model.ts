import type { TargetKind } from '../psarn/target-arn';

/**
 * A route as the router, the planner and the store see it: validated, substituted for one stage,
 * with defaults filled in. Route files (YAML) are parsed into this shape by `src/routes/`; the
 * store keeps it as JSON. Everything here is plain data so it can be compared, diffed and cached.
 */
export interface Route {
  readonly psarn: string;
  readonly description?: string;
  /** Seconds a router or client may cache this route. */
  readonly ttl: number;
  /** Weighted split: each event goes to exactly one of these. May be empty when `fanout` is not. */
  readonly targets: readonly SplitTarget[];
  /** Dotted path into the event (`payload.userId`, `headers.tenant`) whose value pins the split target. */
  readonly stickyBy?: string;
  /** Every event also goes to each of these. */
  readonly fanout: readonly TargetRef[];
  readonly park?: ParkConfig;
  readonly onFailure: OnFailure;
  /** Who answers for this route (a team, a person): shown by `psarn catalog`, never used to route. */
  readonly owner?: string;
  /** Free key/value labels to find a route by (`team: payments`); catalog metadata only. */
  readonly labels?: Readonly<Record<string, string>>;
  /** JSON Schema every payload must match (stored inline, also when the route file names a file). */
  readonly schema?: JsonSchema;
  /** What happens to a payload that does not match `schema` (default reject). */
  readonly onInvalid?: OnInvalid;
  /** Per-caller overrides of targets / fanout / park; the first that matches the caller wins. */
  readonly callers?: readonly CallerOverride[];
  /**
   * The scheduled check drains the copies parked for a target by its open circuit (or while it
   * was unhealthy) once the circuit closed and the check finds it healthy. Stored only when true.
   */
  readonly autoDrain?: true;
}

/** A JSON Schema document (draft-07): an object, or `true` / `false`. */
export type JsonSchema = boolean | Readonly<Record<string, unknown>>;

export type OnInvalid = 'reject' | 'park';

/** Who a caller override is for: every field present must match; `*` matches any characters. */
export interface CallerMatch {
  /** Verified IAM principal (HTTP ingress with AWS_IAM auth only). */
  readonly principal?: string;
  /** The calling function's name, as the producer asserts it (`psarn-caller` header). */
  readonly function?: string;
  /** Labels the producer asserts (`psarn-caller` header). */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Replaces the route's targets, fanout and/or park for the callers it matches. */
export interface CallerOverride {
  readonly match: CallerMatch;
  readonly targets?: readonly SplitTarget[];
  readonly fanout?: readonly TargetRef[];
  readonly park?: ParkConfig;
}

export interface TargetRef {
  readonly arn: string;
  readonly kind: TargetKind;
  /** EventBridge only: DetailType of the put event. */
  readonly detailType?: string;
  /** EventBridge only: Source of the put event (default "psarn"). */
  readonly source?: string;
  /** FIFO SQS/SNS only: dotted path whose value becomes MessageGroupId. */
  readonly groupBy?: string;
  /**
   * Set on targets a consumer service registered itself (`<service>/<stage>`, see
   * docs/discovery.md) rather than a route file: the catalog shows it, `apply` keeps it.
   */
  readonly registeredBy?: string;
}

export interface SplitTarget extends TargetRef {
  /** Non-negative; weights are normalised, they need not sum to 100. */
  readonly weight: number;
}

export interface ParkConfig {
  /** ARN of the SQS holding queue. */
  readonly queue: string;
  readonly enabled: boolean;
  /**
   * FIFO holding queues only: event path whose value becomes MessageGroupId (default `psarn`: a
   * route's parked events stay in one ordered group, and `psarn drain` keeps that order).
   */
  readonly groupBy?: string;
}

export type OnFailure = 'park' | 'dlq';

export const DEFAULT_TTL_SECONDS = 60;
/** A psARN target is followed at most this many hops. */
export const MAX_ALIAS_HOPS = 8;

/** The values substituted for `${stage}`, `${region}`, `${account}` in route files. */
export interface RouteContext {
  readonly stage: string;
  readonly region?: string;
  readonly account?: string;
  /** The stages the project declares (serverless.yml custom.psarn.stages): a `stages:` block for any other is an error. */
  readonly stages?: readonly string[];
}
