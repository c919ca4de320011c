import { ErrorCode, PsarnError } from '../../src/errors';
import { answerEvent, type Observer } from '../../src/router/respond';
import type { Prepared, Router } from '../../src/router/router';
import { createRouter } from '../../src/router/wiring';
import type { DeliveryItem } from '../../src/delivery/engine';
import type { DeliveryOutcome } from '../../src/delivery/report';
import { InMemoryRouteStore } from '../../src/store/in-memory-route-store';
import { busArn, lambdaArn, psarnOf, route, snsArn, split, sqsArn, target } from '../support/routes';
import { ServiceForwarders, type RefusedCopy, type SentCopy } from './service-forwarders';

/**
 * The router as the Lambda handler runs it (src/router/handler.ts `route`): parseEnvelope, the
 * handler's own answer when that throws, else respond() over the real Router, DeliveryEngine and
 * RouteCache, with an in-memory route table and forwarders that record what they were given.
 * Every call records what the router prepared, delivered and sent, so a property can tie what
 * went out to the events that were accepted.
 */
export const DLQ = sqsArn('router-dlq');

export const ROUTES = {
  split: route('/fuzz/split', {
    targets: [split(lambdaArn('v1'), 90), split(lambdaArn('v2'), 10)],
    stickyBy: 'payload.userId',
  }),
  fanout: route('/fuzz/fanout', {
    targets: [split(lambdaArn('main'), 1)],
    fanout: [target(snsArn('audit')), target(sqsArn('copy'))],
  }),
  parked: route('/fuzz/parked', {
    targets: [split(lambdaArn('parked-fn'), 1)],
    park: { queue: sqsArn('holding'), enabled: true },
    onFailure: 'park',
  }),
  alias: route('/fuzz/alias', { targets: [split(psarnOf('/fuzz/split'), 1)] }),
  fifo: route('/fuzz/orders', {
    targets: [split(lambdaArn('orders'), 1)],
    fanout: [target(sqsArn('orders.fifo'), { groupBy: 'payload.customerId' })],
    park: { queue: sqsArn('orders-holding'), enabled: false },
    onFailure: 'park',
  }),
  bus: route('/fuzz/bus', {
    fanout: [target(busArn('bus'), { detailType: 'Fuzzed', source: 'psarn' })],
  }),
} as const;

export const ROUTE_PSARNS: readonly string[] = Object.values(ROUTES).map((r) => r.psarn);
export const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/** What one invocation did, beyond its answer. */
export interface Invocation {
  /** The answer, or what was thrown. */
  readonly result: { readonly returned: unknown } | { readonly thrown: unknown };
  /** True when parseEnvelope threw (the handler then answered on its own). */
  readonly malformed: boolean;
  /** Every Router.prepare result, in call order. */
  readonly prepared: readonly Prepared[];
  /** Items handed to the delivery engine, each with its outcome. */
  readonly delivered: readonly { item: DeliveryItem; outcome: DeliveryOutcome | undefined }[];
  /** Codes the observer was told were rejected. */
  readonly rejectedCodes: readonly unknown[];
  /** Copies the (emulated) services took. */
  readonly sent: readonly SentCopy[];
  /** Copies the (emulated) services refused, with why. */
  readonly refused: readonly RefusedCopy[];
}

export interface Harness {
  readonly forwarders: ServiceForwarders;
  readonly store: InMemoryRouteStore;
  readonly router: Router;
  invoke(event: unknown, requestId?: string): Promise<Invocation>;
}

export async function createHarness(forwarders = new ServiceForwarders()): Promise<Harness> {
  const store = new InMemoryRouteStore();
  await store.publishRelease(Object.values(ROUTES), { by: 'fuzz' });
  const { router } = createRouter(
    {
      tableName: 't',
      deadLetterQueue: DLQ,
      epochCheckSeconds: 5,
      maxStaleSeconds: 60,
      negativeTtlSeconds: 5,
    },
    { store, forwarders: forwarders.lookup },
  );

  let prepared: Prepared[] = [];
  let delivered: { item: DeliveryItem; outcome: DeliveryOutcome | undefined }[] = [];
  let rejectedCodes: unknown[] = [];
  // Record around the real methods; the router's own code runs unchanged.
  const realPrepare = router.prepare.bind(router);
  const realDeliver = router.deliver.bind(router);
  router.prepare = async (...args) => {
    const result = await realPrepare(...args);
    prepared.push(result);
    return result;
  };
  router.deliver = async (...args) => {
    const [items] = args;
    const outcomes = await realDeliver(...args);
    items.forEach((item, i) => delivered.push({ item, outcome: outcomes[i] }));
    return outcomes;
  };
  let invocations = 0;
  const observer: Observer = {
    accepted: () => undefined,
    rejected: (_psarn, error) => void rejectedCodes.push((error as { code?: unknown }).code),
    unsecured: () => undefined,
  };

  return {
    forwarders,
    store,
    router,
    // Each invocation its own request id, as Lambda gives them.
    async invoke(event, requestId = `req-${++invocations}`) {
      prepared = [];
      delivered = [];
      rejectedCodes = [];
      forwarders.reset();
      let malformed = false;
      let result: Invocation['result'];
      // The handler's own flow (answerEvent), with an observer in place of its logs and metrics.
      const seen: Observer = { ...observer, malformed: () => void (malformed = true) };
      try {
        result = { returned: await answerEvent(router, event, seen, { requestId }) };
      } catch (thrown) {
        // An SQS batch the router cannot read is thrown whole, before the observer hears of it.
        if (thrown instanceof PsarnError && thrown.code === 'MALFORMED_ENVELOPE') malformed = true;
        result = { thrown };
      }
      return {
        result,
        malformed,
        prepared,
        delivered,
        rejectedCodes,
        sent: [...forwarders.sent],
        refused: [...forwarders.refused],
      };

    },
  };
}

/** A thrown value is acceptable only as a PsarnError with a known code. */
export function typedProblem(thrown: unknown): string | undefined {
  if (thrown instanceof PsarnError && KNOWN_CODES.has(thrown.code)) return undefined;
  const name = thrown instanceof Error ? thrown.constructor.name : typeof thrown;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return `untyped error thrown: ${name}: ${message.slice(0, 200)}`;
}

/**
 * Violations of the properties every invocation must keep, whatever its form:
 * - nothing is thrown but a PsarnError with a code from ErrorCode;
 * - the answer can be serialised (Lambda JSON-encodes it);
 * - every item delivered has an outcome whose report lists one status per planned target;
 * - nothing is sent for an event that was not accepted (the router DLQ excepted, which keeps
 *   rejected SQS records), and when the invocation fails or answers with an error nothing
 *   went out at all.
 */
export function commonViolations(inv: Invocation): string[] {
  const problems: string[] = [];
  if ('thrown' in inv.result) {
    const problem = typedProblem(inv.result.thrown);
    if (problem !== undefined) problems.push(problem);
  } else {
    try {
      JSON.stringify(inv.result.returned);
    } catch (err) {
      problems.push(`answer cannot be serialised: ${String(err)}`);
    }
  }
  for (const code of inv.rejectedCodes) {
    if (typeof code !== 'string' || !KNOWN_CODES.has(code))
      problems.push(`rejection without a known code: ${String(code)}`);
  }
  for (const p of inv.prepared) {
    if (!p.ok && !KNOWN_CODES.has(p.error.code))
      problems.push(`prepare rejected with unknown code ${p.error.code}`);
  }
  for (const { item, outcome } of inv.delivered) {
    if (outcome === undefined) {
      problems.push('delivery engine returned no outcome for an item');
      continue;
    }
    const planned = item.plan.deliveries.map((d) => d.target.arn).sort();
    const reported = outcome.report.deliveries.map((d) => d.target).sort();
    const lost = outcome.unsecured.map((u) => u.target);
    const accounted = [...reported, ...lost].sort();
    if (JSON.stringify(planned) !== JSON.stringify(accounted)) {
      problems.push(
        `report lists ${JSON.stringify(reported)} (+ unsecured ${JSON.stringify(lost)}) for planned ${JSON.stringify(planned)}`,
      );
    }
    for (const d of outcome.report.deliveries) {
      if (!['delivered', 'parked', 'dead-lettered'].includes(d.status))
        problems.push(`report status ${d.status}`);
    }
  }
  const acceptedEvents = new Set(inv.delivered.map((d) => d.item.event));
  const failedWhole = 'thrown' in inv.result || inv.malformed || isErrorAnswer(inv.result.returned);
  for (const sent of inv.sent) {
    if (failedWhole) {
      problems.push(`a copy went to ${sent.target} although the invocation was rejected or failed`);
      break;
    }
    if (sent.target !== DLQ && !acceptedEvents.has(sent.message.event)) {
      problems.push(`a copy went to ${sent.target} for an event the router did not accept`);
      break;
    }
  }
  return problems;
}

/** A direct answer `{error: {code}}` or an HTTP answer with a status other than 200. */
export function isErrorAnswer(answer: unknown): boolean {
  if (!isObject(answer)) return false;
  if ('error' in answer) return true;
  return typeof answer['statusCode'] === 'number' && answer['statusCode'] !== 200;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
