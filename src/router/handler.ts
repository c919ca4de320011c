import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { describeError } from '../errors';
import { parseTargetArn } from '../psarn/target-arn';
import { routerOutcomeCounters } from '../rollouts/router-counters';
import { createForwarders } from '../targets/registry';
import { failureFields } from './log-fields';
import { answerEvent, type Observer } from './respond';
import { RecentIds } from './recent-ids';
import { Tally } from './telemetry';
import { createRouter, routerConfigFromEnv } from './wiring';
import { circuitChangeLine } from '../health/circuit-telemetry';
import { createRouterHealth } from '../health/router-health';

// Created once per process (module scope): every warm invocation reuses the SDK clients, their
// connections and the route cache.
const logger = new Logger({ serviceName: 'psarn-router' });
const config = routerConfigFromEnv(process.env);
// Target health and circuit breakers on the route table (src/health/): trips are shared with every
// other instance through `#health`, one EMF + log line per circuit change.
const health = createRouterHealth({
  dynamo: () => registry.clients.dynamodb,
  tableName: config.tableName,
  epochCheckSeconds: config.epochCheckSeconds,
  onCircuitChange: (change) =>
    process.stdout.write(`${circuitChangeLine(change, 'psarn', 'psarn-router')}\n`),
  onShareFailed: (target, err) => logger.warn('circuit change not shared', { target, ...failureFields(err) }),
});
// Per-target outcome counts for the rollout gate: counted in memory, flushed in the background.
const counters = routerOutcomeCounters(() => registry.clients.dynamodb, config.tableName);
// The one composition point: regions, timeouts, deadline, retries, breaker, outcome counts
// (src/targets/registry.ts).
const registry = createForwarders({ breaker: health.breakers, observe: counters.observe });
const { router, cache } = createRouter(config, {
  dynamo: registry.clients.dynamodb,
  forwarders: registry.forwarderFor,
  health: health.watcher,
});
const tally = new Tally({ namespace: 'psarn', serviceName: 'psarn-router' });
const logPayloads = process.env['PSARN_LOG_PAYLOAD'] === 'true';
// Request ids of invocations this instance failed: Lambda retries an async invoke with the same
// id, and then only the copies the ledger does not hold are sent again.
const failedRequests = new RecentIds(10_000);
/** Time kept back from Lambda's remaining time to answer and flush metrics. */
const ANSWER_MARGIN_MS = 500;
/** The longest the end of an invocation waits for a circuit change's shared write. */
const SHARE_TIMEOUT_MS = 1000;
/** Time kept back from the end-of-invocation wait, so it always ends before Lambda's timeout. */
const SETTLE_MARGIN_MS = 100;

const kinds = new Map<string, string>();
function kindOf(arn: string): string {
  let kind = kinds.get(arn);
  if (kind === undefined) {
    kind = parseTargetArn(arn).kind;
    kinds.set(arn, kind);
  }
  return kind;
}

const observer: Observer = {
  accepted(outcome) {
    tally.event(outcome.report.psarn);
    tally.outcome(outcome, kindOf);
    for (const d of outcome.report.deliveries) {
      if (d.error !== undefined) {
        logger.warn('delivery failed; event kept', {
          psarn: outcome.report.psarn,
          traceId: outcome.report.traceId,
          target: d.target,
          role: d.role,
          status: d.status,
          ...failureFields(d.error),
        });
      }
    }
  },
  rejected(psarn, error) {
    // Only psARNs of live routes name a metric: a producer's made-up string must not make a series.
    tally.rejected(psarn ?? Tally.UNROUTED);
    logger.warn('event rejected', { psarn: psarn ?? 'unrouted', ...failureFields(error) });
  },
  malformed(error, event) {
    logger.warn('malformed envelope', { ...failureFields(error), ...(logPayloads ? { event } : {}) });
    tally.rejected(Tally.UNROUTED);
  },
  unsecured(outcome) {
    tally.event(outcome.report.psarn);
    tally.outcome(outcome, kindOf);
    logger.error('event could not be secured; failing the invocation so AWS retries', {
      psarn: outcome.report.psarn,
      traceId: outcome.report.traceId,
      errorCode: 'DELIVERY_INCOMPLETE',
      errorMessage: outcome.unsecured.map((u) => `${u.target}: ${u.error}`).join('; '),
    });
  },
};

async function route(event: unknown, context: Context): Promise<unknown> {
  const requestId = context.awsRequestId;
  const remaining =
    typeof context.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : undefined;
  try {
    return await answerEvent(router, event, observer, {
      ...(requestId === undefined ? {} : { requestId }),
      ...(remaining === undefined ? {} : { deadline: Date.now() + remaining - ANSWER_MARGIN_MS }),
      retried: requestId !== undefined && failedRequests.has(requestId),
    });
  } catch (err) {
    if (requestId !== undefined) failedRequests.add(requestId);
    throw err;
  }
}

/** The router Lambda: direct invoke, Function URL / API Gateway v2, or SQS ingress batch. */
export const handler = middy(route).use({
  // Metrics are EMF lines on stdout, written once at the end of an invocation, never per event.
  // A circuit change's shared write is waited for here (bounded by its timeout), not per event:
  // a frozen instance would otherwise hold it until its next invocation.
  after: async (request) => {
    tally.flush(cache.stats);
    // Never past the invocation's own time: a timeout now, with every copy secured, would make
    // AWS redeliver the batch (or retry the invoke) and re-send copies that already arrived.
    const left =
      typeof request.context.getRemainingTimeInMillis === 'function'
        ? request.context.getRemainingTimeInMillis() - SETTLE_MARGIN_MS
        : SHARE_TIMEOUT_MS;
    await health.shared.settled(Math.min(SHARE_TIMEOUT_MS, left));
  },
  onError: (request) => {
    tally.flush(cache.stats);
    const { code, message } = describeError(request.error);
    logger.error('router invocation failed', { errorCode: code, errorMessage: message });
  },
});
