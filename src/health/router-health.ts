import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CircuitBreakers, type CircuitBreakerOptions, type CircuitChange } from './circuit-breakers';
import { HealthStore } from './health-store';
import { HealthWatcher } from './health-watcher';
import { SharedCircuits } from './shared-circuits';

export interface RouterHealthOptions {
  /** The route table's client, or how to get it on first use. */
  readonly dynamo: DynamoDBClient | (() => DynamoDBClient);
  readonly tableName: string;
  /** How often `#health` is re-read: the router's epochCheckSeconds. */
  readonly epochCheckSeconds: number;
  /** This instance's name in shared circuit records (default a random id). */
  readonly instance?: string;
  readonly breaker?: Omit<CircuitBreakerOptions, 'remoteOpen' | 'onChange'>;
  /** Told every circuit change (the one log line and metric per change); must not throw. */
  readonly onCircuitChange?: (change: CircuitChange) => void;
  readonly onShareFailed?: (arn: string, error: unknown) => void;
  /**
   * Write this instance's trips to `#health` for everyone (default true). A direct-mode client
   * passes false: it honours the fleet's trips, but its own network trouble (a producer's VPC, DNS)
   * must not open a target's circuit for every router.
   */
  readonly shareTrips?: boolean;
  /** The longest an event waits for a due `#health` read (HealthWatcherOptions.waitMs). */
  readonly waitMs?: number;
  readonly now?: () => number;
}

/** What one router instance (or direct client) needs for health: the watcher and its breakers. */
export interface RouterHealth {
  readonly watcher: HealthWatcher;
  readonly breakers: CircuitBreakers;
  readonly shared: SharedCircuits;
  readonly store: HealthStore;
}

/**
 * Builds one instance's health parts on its route table: a watcher of `#health` (for the planner)
 * and circuit breakers (for createForwarders) whose trips are shared through the same item.
 *
 * @example
 * const health = createRouterHealth({ dynamo, tableName, epochCheckSeconds: 5 });
 * const registry = createForwarders({ clients, breaker: health.breakers });
 * createRouter(config, { dynamo, forwarders: registry.forwarderFor, health: health.watcher });
 */
export function createRouterHealth(options: RouterHealthOptions): RouterHealth {
  const store = new HealthStore({ client: options.dynamo, tableName: options.tableName });
  const now = options.now ?? Date.now;
  const watcher = new HealthWatcher({
    read: (signal) => store.read({ signal }),
    everyMs: options.epochCheckSeconds * 1000,
    now,
    ...(options.waitMs === undefined ? {} : { waitMs: options.waitMs }),
  });
  const shared = new SharedCircuits({
    write: (section, values, call) => store.write(section, values, call),
    state: () => watcher.state(),
    by: options.instance ?? randomUUID(),
    now,
    ...(options.onShareFailed === undefined ? {} : { onWriteFailed: options.onShareFailed }),
  });
  const breakers = new CircuitBreakers({
    ...options.breaker,
    now,
    remoteOpen: (arn) => shared.remoteOpen(arn),
    onChange: (change) => {
      if (options.shareTrips !== false) shared.report(change);
      options.onCircuitChange?.(change);
    },
  });
  return { watcher, breakers, shared, store };
}
