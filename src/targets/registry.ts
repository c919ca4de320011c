import { TargetFailedError } from '../errors';
import type { TargetKind } from '../psarn/target-arn';
import { createAwsClients, regionalClients, type AwsClients } from './clients';
import type { CircuitBreakers } from '../health/circuit-breakers';
import { withBreaker } from './breaker';
import { withDeadline } from './deadline';
import { EventBridgeForwarder, type EventBridgeForwarderOptions } from './eventbridge';
import type { Forwarder } from './forwarder';
import { LambdaForwarder, type LambdaForwarderOptions } from './lambda';
import { withOutcomes, type OutcomeObserver } from './observed';
import { RegionalForwarder } from './regional';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from './retry';
import { SnsForwarder, type SnsForwarderOptions } from './sns';
import { SqsForwarder, type SqsForwarderOptions } from './sqs';

/** The clients the forwarders need (a subset of `AwsClients`, so tests can pass only these). */
export type ForwarderClients = Pick<AwsClients, 'lambda' | 'sqs' | 'sns' | 'eventbridge'>;

type Env = Readonly<Record<string, string | undefined>>;

export interface ForwarderSettings {
  /**
   * Where the region, endpoints, profile, client timeouts and `PSARN_TARGETS_BY_NAME` come from
   * (default process.env). A CLI passes its injected environment with its flags applied.
   */
  readonly env?: Env;
  /** The home region's clients (default: built from `env`, each on first use). */
  readonly clients?: Partial<ForwarderClients>;
  /** Clients of another region (default: built from `env` with that region, on first use). */
  readonly clientsFor?: (region: string) => ForwarderClients;
  /** Per-copy retries of what a later attempt can get past; `false` turns them off. */
  readonly retry?: RetryPolicy | false;
  /** Told every copy's final outcome (metrics now; health and a breaker later). */
  readonly observe?: OutcomeObserver;
  /**
   * Per-target circuit breakers (src/health/circuit-breakers.ts): the router and the direct client
   * pass theirs; drain and send go without, so an operator's re-drive is never refused.
   */
  readonly breaker?: CircuitBreakers;
  readonly lambda?: LambdaForwarderOptions;
  readonly sqs?: SqsForwarderOptions;
  readonly sns?: SnsForwarderOptions;
  readonly events?: EventBridgeForwarderOptions;
}

/** Finds the forwarder of a kind; the only dispatch on target kind in the product. */
export interface ForwarderRegistry {
  /** @throws TargetFailedError for `psarn`: aliases are resolved by the planner and never sent. */
  forwarderFor(kind: TargetKind): Forwarder;
  readonly forwarders: readonly Forwarder[];
  /** The home region's clients the forwarders use (built on first use). */
  readonly clients: AwsClients;
}

/**
 * The one place that builds what sends: the router's handler, the direct client, `psarn drain`,
 * `psarn send` and the benchmark all get their forwarders here, so they behave alike. Each kind's
 * forwarder is wrapped, inside out, in one order:
 *
 * 1. region — a target in another region goes through clients of its region (made on first use);
 * 2. deadline — calls get the invocation's deadline as an abort signal, late copies fail with
 *    DEADLINE_EXCEEDED in time to be parked or dead-lettered (client timeouts bound every call);
 * 3. retry — throttled and transient copies are sent again with backoff, within the deadline;
 * 4. circuit breaker — with `breaker`: an open circuit refuses copies at once (CIRCUIT_OPEN, kept
 *    by the engine), counting each copy's final outcome after its retries;
 * 5. outcome reporting — an observer sees every copy's final outcome, circuit-open ones included.
 *
 * Lambda functions and EventBridge buses are named by bare name only when the environment says so
 * (`PSARN_TARGETS_BY_NAME=true`, which the local stack sets for serverless-offline); a custom
 * endpoint alone never implies it.
 *
 * @example
 * const { forwarderFor } = createForwarders(); // module scope of the handler
 */
export function createForwarders(settings: ForwarderSettings = {}): ForwarderRegistry {
  const env = settings.env ?? process.env;
  const clients = createAwsClients(env, settings.clients ?? {});
  const byName = env['PSARN_TARGETS_BY_NAME'] === 'true';
  const lambdaOptions: LambdaForwarderOptions = {
    ...(byName ? { invokeBy: 'name' } : {}),
    ...settings.lambda,
  };
  const eventOptions: EventBridgeForwarderOptions = {
    ...(byName ? { busBy: 'name' } : {}),
    ...settings.events,
  };
  // Clients are handed over as providers: a kind's SDK client is built when it first sends, so
  // a router whose routes only use SQS never loads the Lambda client.
  const build = (c: () => ForwarderClients): Forwarder[] => [
    new LambdaForwarder(() => c().lambda, lambdaOptions),
    new SqsForwarder(() => c().sqs, settings.sqs),
    new SnsForwarder(() => c().sns, settings.sns),
    new EventBridgeForwarder(() => c().eventbridge, eventOptions),
  ];
  const home = env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'];
  const clientsFor = settings.clientsFor ?? regionalClients(env);
  const retry = settings.retry === undefined ? DEFAULT_RETRY : settings.retry;
  const own = build(() => clients);
  const compose = (index: number): Forwarder => {
    const inHome = own[index] as Forwarder;
    let forwarder: Forwarder =
      home === undefined
        ? inHome
        : new RegionalForwarder(
            inHome,
            home,
            (region) => build(() => clientsFor(region))[index] as Forwarder,
          );
    forwarder = withDeadline(forwarder);
    if (retry !== false) forwarder = withRetry(forwarder, retry);
    if (settings.breaker !== undefined) forwarder = withBreaker(forwarder, settings.breaker);
    if (settings.observe !== undefined) forwarder = withOutcomes(forwarder, settings.observe);
    return forwarder;
  };
  const forwarders = own.map((_, i) => compose(i));
  const byKind = new Map<TargetKind, Forwarder>(forwarders.map((f) => [f.kind, f]));
  return {
    forwarders,
    clients,
    forwarderFor: (kind) => {
      const forwarder = byKind.get(kind);
      if (forwarder === undefined) {
        throw new TargetFailedError(
          kind,
          `no forwarder for target kind "${kind}" (psARN aliases are planned away)`,
        );
      }
      return forwarder;
    },
  };
}
