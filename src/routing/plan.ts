import type { HealthView, UnhealthyMark } from '../health/health-view';
import type { Route, TargetRef } from '../routes/model';

/** One event as the router received it. The payload is forwarded unchanged. */
export interface RoutedEvent {
  readonly psarn: string;
  readonly payload: unknown;
  /** The producer's extra headers (not `psarn`), forwarded as metadata where the service allows. */
  readonly headers: Readonly<Record<string, string>>;
  /** Correlates the event with the producer's request (many events may share one). */
  readonly traceId: string;
  /**
   * This event's own id, stable across retries of this one event: an SQS ingress record's
   * messageId, the invocation's request id (Lambda keeps it across async retries), the producer's
   * `psarn-event-id` header, else one the router makes. FIFO dedup ids and the retry ledger use it.
   */
  readonly eventId: string;
}

export type DeliveryRole = 'split' | 'fanout' | 'park';

/** One copy of the event bound for one real target. */
export interface PlannedDelivery {
  readonly target: TargetRef;
  readonly role: DeliveryRole;
  /** The route that named this target, after alias hops: its park queue and onFailure apply. */
  readonly route: Route;
  /** psARNs followed to get here, starting with the event's own. */
  readonly via: readonly string[];
  /**
   * Set when the health state says the target is unhealthy or removed: the engine keeps this copy
   * (park queue, else the DLQ, reason `unhealthy`) instead of sending it.
   */
  readonly unhealthy?: UnhealthyMark;
}

export interface DeliveryPlan {
  readonly psarn: string;
  readonly deliveries: readonly PlannedDelivery[];
}

/** Finds the route of an alias target. Synchronous: callers resolve the alias closure first. */
export type RouteLookup = (psarn: string) => Route | undefined;

/** Uniform random number in [0, 1); injected so plans are deterministic under test. */
export type Random = () => number;

/** The planner's signature (src/routing/planner.ts), for code that takes it injected. */
export type Planner = (
  route: Route,
  event: RoutedEvent,
  random: Random,
  lookup: RouteLookup,
  health?: HealthView,
) => DeliveryPlan;
