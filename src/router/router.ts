import { randomUUID } from 'node:crypto';
import { describeError, PayloadTooLargeError, PsarnError } from '../errors';
import type { Route } from '../routes/model';
import { MAX_ALIAS_HOPS } from '../routes/model';
import type { DeliveryPlan, Planner, Random, RouteLookup, RoutedEvent } from '../routing/plan';
import type { RouteCache } from '../store/route-cache';
import type { DeliveryEngine, DeliveryItem, ForwarderLookup } from '../delivery/engine';
import type { DeliveryOutcome } from '../delivery/report';
import type { InboundEvent } from './envelope';

export interface RouterOptions {
  readonly cache: RouteCache;
  readonly engine: DeliveryEngine;
  readonly forwarders: ForwarderLookup;
  readonly plan: Planner;
  readonly random?: Random;
  readonly newTraceId?: () => string;
}

/** An event the router accepted: planned and measured, ready for the delivery engine. */
export type Prepared =
  { readonly ok: true; readonly item: DeliveryItem } | { readonly ok: false; readonly error: PsarnError };

const NO_ALIASES: RouteLookup = () => undefined;
/** Room kept below every size limit for message attributes (routing metadata, a kept copy's error). */
export const METADATA_RESERVE_BYTES = 4096;
const aliasTargetsOf = new WeakMap<Route, readonly string[]>();

/**
 * Looks routes up, plans each event and hands the plans to the delivery engine. Everything an
 * envelope form needs (direct, HTTP, SQS) is here; the Lambda handler only translates.
 */
export class Router {
  private readonly random: Random;
  private readonly newTraceId: () => string;

  constructor(private readonly options: RouterOptions) {
    this.random = options.random ?? Math.random;
    this.newTraceId = options.newTraceId ?? randomUUID;
  }

  /**
   * Route lookup, plan and size check for one event. A rejection (unknown psARN, alias loop,
   * oversize payload) is returned, not thrown: the event was never accepted.
   */
  async prepare(inbound: InboundEvent, passthrough: boolean): Promise<Prepared> {
    try {
      const { cache } = this.options;
      // Fast path: a fresh cached route costs no I/O and no promise.
      const cached = cache.peek(inbound.psarn) ?? (await cache.get(inbound.psarn));
      // No promise for the common case of a route without aliases.
      const lookup =
        aliasTargets(cached.route).length === 0 ? NO_ALIASES : await this.aliasLookup(cached.route);
      const event: RoutedEvent = {
        psarn: inbound.psarn,
        payload: inbound.payload,
        headers: inbound.headers,
        traceId: inbound.traceId ?? this.newTraceId(),
      };
      const plan = this.options.plan(cached.route, event, this.random, lookup);
      const body = inbound.body ?? JSON.stringify(inbound.payload) ?? 'null';
      this.assertFits(plan, body);
      return { ok: true, item: { event, plan, body, routeVersion: cached.release, passthrough } };
    } catch (err) {
      if (err instanceof PsarnError) return { ok: false, error: err };
      throw err;
    }
  }

  deliver(items: readonly DeliveryItem[]): Promise<DeliveryOutcome[]> {
    return this.options.engine.deliver(items);
  }

  /** Keeps rejected queue records in the router's DLQ with their error; per record, whether it worked. */
  deadLetter(rejected: Parameters<DeliveryEngine['deadLetter']>[0]): Promise<boolean[]> {
    return this.options.engine.deadLetter(rejected);
  }

  /** Rejects before sending: a payload too large for one target would otherwise be half-delivered. */
  private assertFits(plan: DeliveryPlan, body: string): void {
    // Any copy may have to be parked or dead-lettered in SQS, with up to 10 attributes (the error
    // text among them): the body must fit there too, with room for the metadata.
    const fallback = this.options.forwarders('sqs').maxPayloadBytes - METADATA_RESERVE_BYTES;
    let bytes = -1;
    for (const delivery of plan.deliveries) {
      const limit = Math.min(
        this.options.forwarders(delivery.target.kind).maxPayloadBytes - METADATA_RESERVE_BYTES,
        fallback,
      );
      if (body.length * 3 <= limit) continue; // cannot exceed: skip the byte count
      if (bytes < 0) bytes = Buffer.byteLength(body);
      if (bytes > limit) throw new PayloadTooLargeError(delivery.target.arn, bytes, limit);
    }
  }

  /**
   * Loads the routes of every psARN the route aliases (transitively), so the synchronous planner
   * can follow them. Bounded: the planner itself reports cycles and chains that are too long.
   */
  private async aliasLookup(route: Route): Promise<RouteLookup> {
    const direct = aliasTargets(route);
    if (direct.length === 0) return NO_ALIASES;
    const found = new Map<string, Route>();
    let frontier = direct;
    for (let hop = 0; hop <= MAX_ALIAS_HOPS && frontier.length > 0; hop++) {
      const next: string[] = [];
      for (const psarn of frontier) {
        if (found.has(psarn)) continue;
        const { cache } = this.options;
        const aliased = (cache.peek(psarn) ?? (await cache.get(psarn))).route;
        found.set(psarn, aliased);
        next.push(...aliasTargets(aliased));
      }
      frontier = next;
    }
    return (psarn) => found.get(psarn);
  }
}

function aliasTargets(route: Route): readonly string[] {
  let list = aliasTargetsOf.get(route);
  if (list === undefined) {
    list = [...route.targets, ...route.fanout].filter((t) => t.kind === 'psarn').map((t) => t.arn);
    aliasTargetsOf.set(route, list);
  }
  return list;
}

/** The error body producers get: code and message, never a stack. */
export function errorBody(err: unknown): { error: { code: string; message: string } } {
  return { error: describeError(err) };
}
