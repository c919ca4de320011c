import { parseTargetArn, type TargetKind } from '../psarn/target-arn';
import type { TargetRef } from '../routes/model';
import type { RoutedEvent } from '../routing/plan';
import type { Forwarder, OutgoingMessage, SendOptions, SendOutcome } from './forwarder';

/**
 * Routes may name targets in another region than the router's own (validation warns, but allows
 * it). An SDK client talks to one region, so this forwarder sends each target through a forwarder
 * built for the target's region: the home region's as given, others created on first use.
 *
 * @example
 * new RegionalForwarder(homeSqs, 'eu-west-1', (region) => new SqsForwarder(sqsClientFor(region)))
 */
export class RegionalForwarder implements Forwarder {
  readonly kind: TargetKind;
  readonly maxPayloadBytes: number;
  private readonly byRegion = new Map<string, Forwarder>();
  private readonly regionOf = new Map<string, string>();

  constructor(
    private readonly home: Forwarder,
    private readonly homeRegion: string,
    private readonly build: (region: string) => Forwarder,
  ) {
    this.kind = home.kind;
    this.maxPayloadBytes = home.maxPayloadBytes;
    this.byRegion.set(homeRegion, home);
  }

  measure(target: TargetRef, message: OutgoingMessage): number {
    return this.home.measure(target, message);
  }

  refuses(target: TargetRef, event: RoutedEvent): string | undefined {
    return this.home.refuses(target, event);
  }

  send(
    target: TargetRef,
    messages: readonly OutgoingMessage[],
    options: SendOptions,
  ): Promise<SendOutcome[]> {
    return this.forRegion(this.region(target.arn)).send(target, messages, options);
  }

  private region(arn: string): string {
    let region = this.regionOf.get(arn);
    if (region === undefined) {
      try {
        region = parseTargetArn(arn).region;
      } catch {
        region = this.homeRegion; // the home forwarder reports the bad ARN as a failed outcome
      }
      this.regionOf.set(arn, region);
    }
    return region;
  }

  private forRegion(region: string): Forwarder {
    let forwarder = this.byRegion.get(region);
    if (forwarder === undefined) {
      forwarder = this.build(region);
      this.byRegion.set(region, forwarder);
    }
    return forwarder;
  }
}
