import type { DeliveryReport } from '../delivery/report';
import { answerEvent, routeOne, type Observer } from '../router/respond';
import type { InboundEvent } from '../router/envelope';
import { randomUUID } from 'node:crypto';
import { createRouter, type RouterParts } from '../router/wiring';
import type { CachedRoute } from '../store/route-cache';
import type { AwsClients } from '../targets/clients';
import { createForwarders } from '../targets/registry';
import { createRouterHealth } from '../health/router-health';

export interface DirectClientOptions {
  /**
   * The producer's own SDK clients (created once per process). Any left out are built from `env`
   * when a target of their kind is first met, so a producer whose routes only reach SQS never
   * builds a Lambda, SNS or EventBridge client.
   */
  readonly clients: Partial<Pick<AwsClients, 'dynamodb' | 'lambda' | 'sqs' | 'sns' | 'eventbridge'>>;
  /** Region, endpoints, timeouts and PSARN_TARGETS_BY_NAME of the clients it builds (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly tableName: string;
  /** Where copies that fail and have no park queue go; without it such a send throws. */
  readonly deadLetterQueue?: string;
  readonly epochCheckSeconds?: number;
}

const quiet: Observer = { accepted: () => undefined, rejected: () => undefined, unsecured: () => undefined };

/**
 * Client-side discovery: the producer resolves psARNs itself (same route table, same TTL cache)
 * and calls the targets directly, skipping the router hop. It runs the router's own delivery
 * code, so splits, sticky keys, fanout, parking and the nothing-lost rules are identical.
 *
 * @example
 * const client = new DirectClient({ clients: createAwsClients(), tableName: 'psarn-prod-routes' });
 * const report = await client.send('arn:aws:psarns:eu-west-1:123456789012:/event/newUser', { userId: 'u1' });
 */
export class DirectClient {
  private readonly parts: RouterParts;

  constructor(options: DirectClientOptions) {
    // Target health and circuit breakers as in the router: a trip any router shares through the
    // table stops this client sending too, within epochCheckSeconds (src/health/); its own trips
    // stay local to it.
    const health = createRouterHealth({
      dynamo: () => options.clients.dynamodb ?? registry.clients.dynamodb,
      tableName: options.tableName,
      epochCheckSeconds: options.epochCheckSeconds ?? 5,
      // Honours the fleet's trips, never writes its own: a producer's network is not the target's.
      shareTrips: false,
    });
    // The one composition point, as in the router: targets in other regions get clients of
    // their region (built from the environment), with the same timeouts and retries.
    const registry = createForwarders({
      clients: options.clients,
      ...(options.env === undefined ? {} : { env: options.env }),
      breaker: health.breakers,
    });
    this.parts = createRouter(
      {
        tableName: options.tableName,
        ...(options.deadLetterQueue === undefined ? {} : { deadLetterQueue: options.deadLetterQueue }),
        epochCheckSeconds: options.epochCheckSeconds ?? 5,
        maxStaleSeconds: 300,
        negativeTtlSeconds: 5,
      },
      {
        dynamo: options.clients.dynamodb ?? registry.clients.dynamodb,
        forwarders: registry.forwarderFor,
        health: health.watcher,
      },
    );
  }

  /** The live route of a psARN, from the cache when fresh. */
  resolve(psarn: string): Promise<CachedRoute> {
    return this.parts.cache.get(psarn);
  }

  /**
   * Delivers one event. Returns the single Lambda target's response (when the plan is exactly
   * that) or the delivery report; throws the typed PsarnError of a rejected event.
   */
  async send(
    psarn: string,
    payload: unknown,
    options: {
      readonly headers?: Readonly<Record<string, string>>;
      readonly traceId?: string;
      /** The event's own id (stable across the producer's retries of it): FIFO dedup and the ledger. */
      readonly eventId?: string;
    } = {},
  ): Promise<DeliveryReport | unknown> {
    const event: InboundEvent = {
      psarn,
      payload,
      headers: options.headers ?? {},
      ...(options.traceId === undefined ? {} : { traceId: options.traceId }),
      ...(options.eventId === undefined ? {} : { eventId: options.eventId }),
    };
    const result = await routeOne(this.parts.router, event, quiet);
    if ('error' in result) throw result.error;
    return result.outcome.response !== undefined ? result.outcome.response : result.outcome.report;
  }

  /**
   * Answers a direct envelope (`{ headers: { psarn, … }, payload }`) exactly as the router Lambda
   * does: the same envelope parsing, ids, admission checks, plan and delivery, and the same answer
   * (the single Lambda target's response, the delivery report, or `{ psarn, error }` for a
   * rejection). A fresh request id stands in for Lambda's, as the id of an event without one.
   * Throws where the router's invocation fails: an unreachable route table, an unsecured copy.
   */
  answer(envelope: unknown): Promise<unknown> {
    return answerEvent(this.parts.router, envelope, quiet, { requestId: randomUUID() });
  }

  /** The plan of one event (where each copy would go), without sending anything. */
  prepare(inbound: InboundEvent) {
    return this.parts.router.prepare(inbound, { passthrough: true });
  }

  /** Cache counters (hits, misses, store reads), e.g. for a producer's own metrics. */
  get stats() {
    return this.parts.cache.stats;
  }
}
