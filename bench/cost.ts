import { PRICES, ROUTER_FUNCTION } from './prices';

/** What one router invocation used, as the bench measured it. */
export interface InvocationUse {
  /** Wall time of the handler for the invocation, in milliseconds (Lambda bills it rounded up to 1 ms). */
  readonly durationMs: number;
  /** Events the invocation carried (1 for a direct invoke, up to 10 for an SQS ingress batch). */
  readonly events: number;
  /** DynamoDB read request units per event (route-table reads; 0.5 for an eventually consistent ≤4 KB read). */
  readonly readUnitsPerEvent: number;
  readonly memoryMb?: number;
  readonly architecture?: 'arm64' | 'x86_64';
}

/**
 * What the router adds, in USD, per million events: Lambda requests and GB-seconds, plus the
 * route-table reads its cache misses. The targets' own charges (SQS, SNS, …) are left out: a
 * producer calling them directly pays them too.
 *
 * @example
 * routerCostPerMillion({ durationMs: 3.2, events: 1, readUnitsPerEvent: 0.001 }) // ≈ 0.2 + 1e6 × 0.004 s × 0.5 GB × 1.33e-5
 */
export function routerCostPerMillion(use: InvocationUse): number {
  const memoryGb = (use.memoryMb ?? ROUTER_FUNCTION.memoryMb) / 1024;
  const billedSeconds = Math.max(1, Math.ceil(use.durationMs)) / 1000;
  const perInvocation =
    PRICES.lambdaPerRequest +
    billedSeconds * memoryGb * PRICES.lambdaGbSecond[use.architecture ?? ROUTER_FUNCTION.architecture];
  const invocations = 1e6 / use.events;
  return invocations * perInvocation + 1e6 * use.readUnitsPerEvent * PRICES.dynamoReadRequestUnit;
}
