import { randomUUID } from 'node:crypto';
import { describeError, InvalidPsarnError, PsarnError } from '../errors';
import { psarnProblem } from '../psarn/psarn';
import type { Route } from '../routes/model';
import { MAX_ALIAS_HOPS } from '../routes/model';
import type { Planner, Random, RouteLookup, RoutedEvent } from '../routing/plan';
import type { RouteCache } from '../store/route-cache';
import type { DeliverOptions, DeliveryEngine, DeliveryItem, ForwarderLookup } from '../delivery/engine';
import type { DeliveryOutcome } from '../delivery/report';
import type { InboundEvent } from './envelope';
import { checkAliasContracts, checkContract, checkHeaders, checkPlan, payloadText } from './admission';
import { CALLER_HEADER, callerIdentity } from './caller';
import { routeForCaller } from '../contracts/caller-variants';
import { eventRandom, reseedEventRandom } from '../routing/event-random';
import { DEFAULT_MAX_HOPS, nextHop } from './hops';
import type { HealthSource } from '../health/health-watcher';

export interface RouterOptions {
  readonly cache: RouteCache;
  readonly engine: DeliveryEngine;
  readonly forwarders: ForwarderLookup;
  readonly plan: Planner;
  readonly random?: Random;
  /** Makes ids for events that arrive without one (trace and event ids); default randomUUID. */
  readonly newTraceId?: () => string;
  /** Router hops an event may take before it is stopped as a loop (hops.ts); default 10. */
  readonly maxHops?: number;
  /** The router's DLQ: where `onInvalid: park` keeps invalid payloads of routes without a park queue. */
  readonly deadLetterQueue?: string;
  /** Which targets are unhealthy (src/health/): the planner routes around them. None: all healthy. */
  readonly health?: HealthSource;
}

/** How the router may treat an event: from the envelope form and the invocation. */
export interface PrepareOptions {
  /** A synchronous producer call: a single Lambda target's response is handed back unchanged. */
  readonly passthrough: boolean;
  /** May be a retry of an event an earlier attempt failed on: the ledger says what is missing. */
  readonly retry?: boolean;
}

/** An event the router accepted: planned and measured, ready for the delivery engine. */
export type Prepared =
  | { readonly ok: true; readonly item: DeliveryItem }
  | {
      readonly ok: false;
      readonly error: PsarnError;
      /** The psARN names a live route (so it may name a metric); false for unknown or malformed ones. */
      readonly routed: boolean;
    };

const NO_ALIASES: RouteLookup = () => undefined;
const aliasTargetsOf = new WeakMap<Route, readonly string[]>();

/**
 * Looks routes up, plans each event and hands the plans to the delivery engine. Everything an
 * envelope form needs (direct, HTTP, SQS) is here; the Lambda handler only translates.
 */
export class Router {
  /** Injected randomness (tests); by default each event draws from its own id (event-random.ts). */
  private readonly random: Random | undefined;
  private readonly newTraceId: () => string;
  private readonly maxHops: number;

  constructor(private readonly options: RouterOptions) {
    this.random = options.random;
    this.newTraceId = options.newTraceId ?? randomUUID;
    this.maxHops = options.maxHops ?? DEFAULT_MAX_HOPS;
  }

  /**
   * Route lookup, plan and admission checks for one event: a psARN that is not one, headers, ids
   * and payloads no target or kept copy could carry, copies over a limit. A rejection is returned,
   * not thrown: the event was never accepted, and nothing was sent.
   */
  async prepare(inbound: InboundEvent, options: PrepareOptions): Promise<Prepared> {
    let routed = false;
    // A due `#health` re-read starts now, so it overlaps the route lookup instead of following it.
    const healthDue = this.options.health?.ready();
    try {
      const { cache } = this.options;
      // Fast path: a fresh cached route costs no I/O and no promise.
      let cached = cache.peek(inbound.psarn);
      if (cached === undefined) {
        // Only psARNs reach the store: a made-up or hostile string costs no read and is never retried.
        const problem = psarnProblem(inbound.psarn);
        if (problem !== undefined)
          throw new InvalidPsarnError(inbound.psarn.slice(0, 300), problem.part, problem.reason);
        cached = await cache.get(inbound.psarn);
      }
      routed = true;
      // The route as this caller sees it (`callers:` overrides); the route itself for most.
      const caller = callerIdentity(inbound.headers[CALLER_HEADER], inbound.principal);
      if (caller instanceof PsarnError) return { ok: false, error: caller, routed };
      const route = routeForCaller(cached.route, caller);
      // No promise for the common case of a route without aliases.
      const lookup = aliasTargets(route).length === 0 ? NO_ALIASES : await this.aliasLookup(route, caller);
      // Every copy carries the hop count on: a loop through queues or consumers ends here, kept.
      const headers = nextHop(inbound.psarn, inbound.headers, this.maxHops);
      if (headers instanceof PsarnError) return { ok: false, error: headers, routed };
      const traceId = inbound.traceId ?? this.newTraceId();
      const event: RoutedEvent = {
        psarn: inbound.psarn,
        payload: inbound.payload,
        headers,
        traceId,
        // Without an id of its own (DirectClient), an event gets a fresh one: never the trace id.
        eventId: inbound.eventId ?? (inbound.traceId === undefined ? traceId : this.newTraceId()),
      };
      const headerProblem = checkHeaders(event);
      if (headerProblem !== undefined) return { ok: false, error: headerProblem, routed };
      const body = payloadText(inbound.payload, inbound.body);
      if (typeof body !== 'string') return { ok: false, error: body, routed };
      // Only when a `#health` re-read is due (every epochCheckSeconds) does an event wait, briefly.
      // Before the reseed below: eventRandom is shared, and nothing may yield between the reseed
      // and the plan, or a concurrent event would draw from this event's seed.
      if (healthDue !== undefined) await healthDue;
      const health = this.options.health?.view();
      // A retry of this event draws the same split as its first attempt: the ledger then holds its
      // copies, whichever alias the split led through.
      let random = this.random;
      if (random === undefined) {
        reseedEventRandom(event.eventId);
        random = eventRandom;
      }
      const verdict = checkContract(cached.route, route, inbound.payload, this.options.deadLetterQueue);
      if (verdict !== undefined && 'error' in verdict) return { ok: false, error: verdict.error, routed };
      const plan =
        verdict === undefined ? this.options.plan(route, event, random, lookup, health) : verdict.plan;
      const aliasProblem =
        lookup === NO_ALIASES ? undefined : checkAliasContracts(plan, route, inbound.payload);
      if (aliasProblem !== undefined) return { ok: false, error: aliasProblem, routed };
      const planProblem = checkPlan(plan, event, body, cached.release, this.options.forwarders);
      if (planProblem !== undefined) return { ok: false, error: planProblem, routed };
      return {
        ok: true,
        item: {
          event,
          plan,
          body,
          routeVersion: cached.release,
          passthrough: options.passthrough,
          ...(options.retry === true ? { retry: true } : {}),
          ...(verdict === undefined ? {} : { kept: verdict.kept }),
        },
      };
    } catch (err) {
      if (err instanceof PsarnError) return { ok: false, error: err, routed };
      throw err;
    }
  }

  deliver(items: readonly DeliveryItem[], options: DeliverOptions = {}): Promise<DeliveryOutcome[]> {
    return this.options.engine.deliver(items, options);
  }

  /** Keeps rejected queue records in the router's DLQ with their error; per record, whether it worked. */
  deadLetter(
    rejected: Parameters<DeliveryEngine['deadLetter']>[0],
    options: DeliverOptions = {},
  ): Promise<boolean[]> {
    return this.options.engine.deadLetter(rejected, options);
  }

  /**
   * Loads the routes of every psARN the route aliases (transitively), so the synchronous planner
   * can follow them. Bounded: the planner itself reports cycles and chains that are too long.
   */
  private async aliasLookup(route: Route, caller: ReturnType<typeof callerIdentity>): Promise<RouteLookup> {
    const direct = aliasTargets(route);
    if (direct.length === 0) return NO_ALIASES;
    const found = new Map<string, Route>();
    let frontier = direct;
    for (let hop = 0; hop <= MAX_ALIAS_HOPS && frontier.length > 0; hop++) {
      const next: string[] = [];
      for (const psarn of frontier) {
        if (found.has(psarn)) continue;
        const { cache } = this.options;
        // An aliased route's own `callers:` apply to the same caller.
        const stored = (cache.peek(psarn) ?? (await cache.get(psarn))).route;
        const aliased = caller instanceof PsarnError ? stored : routeForCaller(stored, caller);
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
