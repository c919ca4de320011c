import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeliveryEngine, type ForwarderLookup } from '../delivery/engine';
import type { DeliveryLedger } from '../delivery/ledger';
import { DynamoLedger } from '../store/dynamo-ledger';
import { planDelivery } from '../routing/planner';
import { DynamoRouteStore } from '../store/dynamo-route-store';
import { DEFAULT_MAX_ROUTES, RouteCache } from '../store/route-cache';
import type { RouteStore } from '../store/route-store';
import { DEFAULT_MAX_HOPS } from './hops';
import { HealthStore } from '../health/health-store';
import { HealthWatcher, type HealthSource } from '../health/health-watcher';
import { Router } from './router';

/** Everything the router reads from its environment (serverless.yml sets these). */
export interface RouterConfig {
  readonly tableName: string;
  /** ARN of the router's dead-letter queue. */
  readonly deadLetterQueue?: string;
  readonly epochCheckSeconds: number;
  readonly maxStaleSeconds: number;
  readonly negativeTtlSeconds: number;
  /** Most route-cache entries kept at once (RouteCacheOptions.maxRoutes); its default when absent. */
  readonly maxCachedRoutes?: number;
  /** Router hops an event may take before it is stopped as a loop (src/router/hops.ts). */
  readonly maxHops?: number;
}

/**
 * Reads the router's settings: PSARN_TABLE (required), PSARN_DLQ_ARN, PSARN_EPOCH_CHECK_SECONDS
 * (default 5), PSARN_MAX_STALE_SECONDS (default 300), PSARN_NEGATIVE_TTL_SECONDS (default 5),
 * PSARN_CACHE_MAX_ROUTES (default 10,000: ~2 KB a route keeps the cache near 20 MB, safe in a
 * 128 MB function), PSARN_MAX_HOPS (default 10: below Lambda's own loop cut-off of ~16).
 *
 * @example
 * routerConfigFromEnv({ PSARN_TABLE: 'psarn-prod-routes' }).epochCheckSeconds // 5
 */
export function routerConfigFromEnv(env: Readonly<Record<string, string | undefined>>): RouterConfig {
  const tableName = env['PSARN_TABLE'];
  if (tableName === undefined || tableName === '')
    throw new Error('PSARN_TABLE is not set: the router needs its route table');
  const seconds = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0)
      throw new Error(`${name} must be a non-negative number of seconds, got "${raw}"`);
    return value;
  };
  const rawMax = env['PSARN_CACHE_MAX_ROUTES'];
  const maxCachedRoutes = rawMax === undefined || rawMax === '' ? DEFAULT_MAX_ROUTES : Number(rawMax);
  if (!Number.isInteger(maxCachedRoutes) || maxCachedRoutes < 1)
    throw new Error(`PSARN_CACHE_MAX_ROUTES must be a positive integer, got "${rawMax}"`);
  const rawHops = env['PSARN_MAX_HOPS'];
  const maxHops = rawHops === undefined || rawHops === '' ? DEFAULT_MAX_HOPS : Number(rawHops);
  if (!Number.isInteger(maxHops) || maxHops < 1)
    throw new Error(`PSARN_MAX_HOPS must be a positive integer, got "${rawHops}"`);
  const dlq = env['PSARN_DLQ_ARN'];
  return {
    tableName,
    ...(dlq === undefined || dlq === '' ? {} : { deadLetterQueue: dlq }),
    epochCheckSeconds: seconds('PSARN_EPOCH_CHECK_SECONDS', 5),
    maxStaleSeconds: seconds('PSARN_MAX_STALE_SECONDS', 300),
    negativeTtlSeconds: seconds('PSARN_NEGATIVE_TTL_SECONDS', 5),
    maxCachedRoutes,
    maxHops,
  };
}

export interface RouterParts {
  readonly router: Router;
  readonly cache: RouteCache;
  readonly engine: DeliveryEngine;
}

/**
 * Builds a router from its parts: the same code runs in the Lambda handler, in the producer
 * client's direct mode and in tests (which pass their own store or forwarders).
 *
 * @example
 * const { router, cache } = createRouter(config, { dynamo: new DynamoDBClient({}), forwarders });
 */
export function createRouter(
  config: RouterConfig,
  deps: {
    readonly forwarders: ForwarderLookup;
    /** Default with `dynamo`: the route table's own ledger items; with `store`, none unless given. */
    readonly ledger?: DeliveryLedger;
    /**
     * Target health for the planner. Default with `dynamo`: the table's `#health` item, re-read
     * every epochCheckSeconds; with `store`, none (all healthy) unless given; `false`: none.
     */
    readonly health?: HealthSource | false;
  } & (
    | { readonly dynamo: DynamoDBClient; readonly store?: never }
    | { readonly store: RouteStore; readonly dynamo?: never }
  ),
): RouterParts {
  const store =
    deps.store ??
    new DynamoRouteStore({ client: deps.dynamo as DynamoDBClient, tableName: config.tableName });
  const cache = new RouteCache({
    store,
    epochCheckSeconds: config.epochCheckSeconds,
    maxStaleSeconds: config.maxStaleSeconds,
    negativeTtlSeconds: config.negativeTtlSeconds,
    ...(config.maxCachedRoutes === undefined ? {} : { maxRoutes: config.maxCachedRoutes }),
  });
  const ledger =
    deps.ledger ??
    (deps.dynamo === undefined
      ? undefined
      : new DynamoLedger({ client: deps.dynamo, tableName: config.tableName }));
  const engine = new DeliveryEngine({
    forwarders: deps.forwarders,
    ...(config.deadLetterQueue === undefined ? {} : { deadLetterQueue: config.deadLetterQueue }),
    ...(ledger === undefined ? {} : { ledger }),
  });
  const health =
    deps.health === false
      ? undefined
      : (deps.health ??
        (deps.dynamo === undefined
          ? undefined
          : watchHealth(new HealthStore({ client: deps.dynamo, tableName: config.tableName }), config)));
  const router = new Router({
    cache,
    engine,
    forwarders: deps.forwarders,
    plan: planDelivery,
    ...(config.maxHops === undefined ? {} : { maxHops: config.maxHops }),
    ...(config.deadLetterQueue === undefined ? {} : { deadLetterQueue: config.deadLetterQueue }),
    ...(health === undefined ? {} : { health }),
  });
  return { router, cache, engine };
}

function watchHealth(store: HealthStore, config: RouterConfig): HealthWatcher {
  return new HealthWatcher({
    read: (signal) => store.read({ signal }),
    everyMs: config.epochCheckSeconds * 1000,
  });
}
