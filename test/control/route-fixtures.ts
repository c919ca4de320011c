import type { Route, SplitTarget, TargetRef } from '../../src/routes/model';
import { parseTargetArn } from '../../src/psarn/target-arn';

/** Hand-made routes for control-plane tests. */
export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';

export const psarnOf = (name: string): string => `arn:aws:psarns:${REGION}:${ACCOUNT}:/event/${name}`;
export const lambdaArn = (name: string): string => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
export const sqsArn = (name: string): string => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
export const snsArn = (name: string): string => `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;

export function ref(arn: string, extra: Partial<Omit<TargetRef, 'arn' | 'kind'>> = {}): TargetRef {
  return { arn, kind: parseTargetArn(arn).kind, ...extra };
}

export function split(arn: string, weight: number): SplitTarget {
  return { ...ref(arn), weight };
}

export function route(name: string, overrides: Partial<Route> = {}): Route {
  return {
    psarn: psarnOf(name),
    ttl: 60,
    targets: [split(lambdaArn(name), 100)],
    fanout: [],
    onFailure: 'dlq',
    ...overrides,
  };
}
