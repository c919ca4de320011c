import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { describeError, PsarnError } from '../errors';
import { parseTargetArn } from '../psarn/target-arn';
import { createAwsClients, regionalClients } from '../targets/clients';
import { createForwarders } from '../targets/registry';
import { parseEnvelope } from './envelope';
import { respond, type Observer } from './respond';
import { errorBody } from './router';
import { Tally } from './telemetry';
import { createRouter, routerConfigFromEnv } from './wiring';

// Created once per process (module scope): every warm invocation reuses the SDK clients, their
// connections and the route cache.
const logger = new Logger({ serviceName: 'psarn-router' });
const metrics = new Metrics({ namespace: 'psarn', serviceName: 'psarn-router' });
const clients = createAwsClients();
const homeRegion = process.env['AWS_REGION'];
// Targets in other regions (allowed by the route files, with a warning) get clients of their own.
const registry = createForwarders(
  clients,
  homeRegion === undefined ? {} : { regional: { home: homeRegion, clientsFor: regionalClients() } },
);
const { router, cache } = createRouter(routerConfigFromEnv(process.env), {
  dynamo: clients.dynamodb,
  forwarders: registry.forwarderFor,
});
const tally = new Tally(metrics);
const logPayloads = process.env['PSARN_LOG_PAYLOAD'] === 'true';

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
          ...d,
        });
      }
    }
  },
  rejected(psarn, error) {
    tally.rejected(psarn);
    logger.warn('event rejected', { psarn, ...error.toJSON() });
  },
  unsecured(outcome) {
    tally.event(outcome.report.psarn);
    tally.outcome(outcome, kindOf);
    logger.error('event could not be secured; failing the invocation so AWS retries', {
      psarn: outcome.report.psarn,
      traceId: outcome.report.traceId,
      unsecured: outcome.unsecured,
    });
  },
};

async function route(event: unknown, context: Context): Promise<unknown> {
  let envelope;
  try {
    envelope = parseEnvelope(event);
  } catch (err) {
    if (!(err instanceof PsarnError)) throw err;
    // An SQS batch the router cannot read must fail whole: an answer without batchItemFailures
    // would tell Lambda every record succeeded, and SQS would delete them.
    if (typeof event === 'object' && event !== null && 'Records' in event) throw err;
    logger.warn('malformed envelope', { ...err.toJSON(), ...(logPayloads ? { event } : {}) });
    tally.rejected('malformed');
    const isHttp = typeof event === 'object' && event !== null && 'requestContext' in event;
    return isHttp
      ? {
          statusCode: 400,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(errorBody(err)),
        }
      : errorBody(err);
  }
  // The request id is the same on Lambda's retries of an async invoke: as the default trace id it
  // makes a retried event's FIFO dedup id equal to the first attempt's.
  return respond(router, envelope, observer, context.awsRequestId);
}

/** The router Lambda: direct invoke, Function URL / API Gateway v2, or SQS ingress batch. */
export const handler = middy(route).use({
  // Metrics are EMF lines on stdout, written once at the end of an invocation, never per event.
  after: () => tally.flush(cache.stats),
  onError: (request) => {
    tally.flush(cache.stats);
    logger.error('router invocation failed', describeError(request.error));
  },
});
