import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { TargetFailedError } from '../errors';
import type { TargetKind } from '../psarn/target-arn';
import { EventBridgeForwarder, type EventBridgeForwarderOptions } from './eventbridge';
import type { Forwarder } from './forwarder';
import { LambdaForwarder, type LambdaForwarderOptions } from './lambda';
import { SnsForwarder, type SnsForwarderOptions } from './sns';
import { SqsForwarder, type SqsForwarderOptions } from './sqs';
import { RegionalForwarder } from './regional';

/** The clients the forwarders need (a subset of `AwsClients`, so tests can pass only these). */
export interface ForwarderClients {
  readonly lambda: LambdaClient;
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  readonly eventbridge: EventBridgeClient;
}

export interface ForwarderOptions {
  /**
   * Targets in other regions than `home` go through clients made for their region (created on
   * first use). Without it every target uses the given clients' region.
   */
  readonly regional?: { readonly home: string; readonly clientsFor: (region: string) => ForwarderClients };
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
}

/**
 * One forwarder per real target kind, built once per process over the injected clients.
 * `forwarderFor` is a plain function (safe to pass around unbound).
 *
 * @example
 * const registry = createForwarders(createAwsClients());
 * await registry.forwarderFor('sqs').send(target, messages, { sync: false });
 */
export function createForwarders(
  clients: ForwarderClients,
  options: ForwarderOptions = {},
): ForwarderRegistry {
  const build = (c: ForwarderClients): Forwarder[] => [
    new LambdaForwarder(c.lambda, options.lambda),
    new SqsForwarder(c.sqs, options.sqs),
    new SnsForwarder(c.sns, options.sns),
    new EventBridgeForwarder(c.eventbridge, options.events),
  ];
  const home = build(clients);
  const regional = options.regional;
  const forwarders: Forwarder[] =
    regional === undefined
      ? home
      : home.map(
          (forwarder, i) =>
            new RegionalForwarder(
              forwarder,
              regional.home,
              (region) => build(regional.clientsFor(region))[i] as Forwarder,
            ),
        );
  const byKind = new Map<TargetKind, Forwarder>(forwarders.map((f) => [f.kind, f]));
  return {
    forwarders,
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
