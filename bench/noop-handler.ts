/**
 * The router handler's work with the network taken out: the composition of src/router/handler.ts
 * (middy, answerEvent, the EMF Tally flushed once per invocation) over a route cache and delivery
 * engine whose store and forwarders answer at once. What it measures is the router's own CPU per
 * invocation, the figure a no-op target would add to a direct call.
 */
import middy from '@middy/core';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { answerEvent, type Observer } from '../src/router/respond';
import { Tally } from '../src/router/telemetry';
import { createRouter, type RouterParts } from '../src/router/wiring';
import { parseTargetArn } from '../src/psarn/target-arn';
import type { ForwarderLookup } from '../src/delivery/engine';
import type { Forwarder, SendOutcome } from '../src/targets/forwarder';
import type { RouteStore } from '../src/store/route-store';
import type { TargetKind } from '../src/psarn/target-arn';

const OK: SendOutcome = { ok: true };

/** Forwarders that accept every message at once (limits as the real ones would be irrelevant here). */
export const noopForwarders: ForwarderLookup = (kind: TargetKind): Forwarder => ({
  kind,
  maxPayloadBytes: 1_048_576,
  measure: (_target, message) => Buffer.byteLength(message.body),
  refuses: () => undefined,
  send: (_target, messages) => Promise.resolve(messages.map(() => OK)),
});

export interface BenchHandler {
  readonly handler: (event: unknown, context: Context) => Promise<unknown>;
  readonly parts: RouterParts;
  /** Bytes of EMF the Tally would have written to stdout. */
  readonly emfBytes: () => number;
}

export function benchHandler(options: {
  readonly store?: RouteStore;
  readonly forwarders?: ForwarderLookup;
  readonly maxCachedRoutes?: number;
  readonly dynamo?: DynamoDBClient;
  readonly tableName?: string;
}): BenchHandler {
  let emf = 0;
  const tally = new Tally({
    namespace: 'psarn',
    serviceName: 'psarn-router',
    write: (text) => void (emf += text.length),
  });
  const config = {
    tableName: options.tableName ?? 'bench',
    epochCheckSeconds: 5,
    maxStaleSeconds: 300,
    negativeTtlSeconds: 5,
    ...(options.maxCachedRoutes === undefined ? {} : { maxCachedRoutes: options.maxCachedRoutes }),
  };
  const forwarders = options.forwarders ?? noopForwarders;
  const parts =
    options.store !== undefined
      ? createRouter(config, { store: options.store, forwarders })
      : createRouter(config, { dynamo: requireDynamo(options.dynamo), forwarders });
  const kinds = new Map<string, string>();
  const kindOf = (arn: string): string => {
    let kind = kinds.get(arn);
    if (kind === undefined) kinds.set(arn, (kind = parseTargetArn(arn).kind));
    return kind;
  };
  const observer: Observer = {
    accepted(outcome) {
      tally.event(outcome.report.psarn);
      tally.outcome(outcome, kindOf);
    },
    rejected(psarn) {
      tally.rejected(psarn ?? Tally.UNROUTED);
    },
    unsecured(outcome) {
      tally.event(outcome.report.psarn);
      tally.outcome(outcome, kindOf);
    },
  };
  const route = (event: unknown, context: Context): Promise<unknown> =>
    answerEvent(parts.router, event, observer, {
      requestId: context.awsRequestId,
      deadline: Date.now() + context.getRemainingTimeInMillis() - 500,
      retried: false,
    });
  const handler = middy(route).use({
    after: () => tally.flush(parts.cache.stats),
    onError: () => tally.flush(parts.cache.stats),
  });
  return { handler: (event, context) => handler(event, context), parts, emfBytes: () => emf };
}

/** A Lambda context good enough for the handler: a request id and 30 s remaining. */
export function benchContext(i: number): Context {
  return {
    awsRequestId: `bench-${i}`,
    getRemainingTimeInMillis: () => 30_000,
    functionName: 'psarn-bench-router',
  } as unknown as Context;
}

function requireDynamo(client: DynamoDBClient | undefined): DynamoDBClient {
  if (client === undefined) throw new Error('benchHandler needs a store or a DynamoDB client');
  return client;
}
