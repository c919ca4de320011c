import type { Route, SplitTarget, TargetRef } from '../../src/routes/model';
import { parseTargetArn } from '../../src/psarn/target-arn';

/** Builders for hand-made routes in unit tests. */
export const REGION = 'us-east-1';
export const ACCOUNT = '000000000000';

export const psarnOf = (path: string): string => `arn:aws:psarns:${REGION}:${ACCOUNT}:${path}`;
export const lambdaArn = (name: string): string => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
export const sqsArn = (name: string): string => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
export const snsArn = (name: string): string => `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;
export const busArn = (name: string): string => `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${name}`;

export function target(arn: string, extra: Partial<Omit<TargetRef, 'arn' | 'kind'>> = {}): TargetRef {
  return { arn, kind: parseTargetArn(arn).kind, ...extra };
}

export function split(
  arn: string,
  weight: number,
  extra: Partial<Omit<TargetRef, 'arn' | 'kind'>> = {},
): SplitTarget {
  return { ...target(arn, extra), weight };
}

export function route(path: string, overrides: Partial<Route> = {}): Route {
  return { psarn: psarnOf(path), ttl: 60, targets: [], fanout: [], onFailure: 'dlq', ...overrides };
}
