/** The routes the bench publishes to the local stack's table, and the names they use. */
import { LOCAL_ACCOUNT, LOCAL_REGION, localName } from '../src/local/demo-resources';
import type { Route, TargetRef } from '../src/routes/model';

export const psarn = (path: string): string => `arn:aws:psarns:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${path}`;
export const queueArn = (name: string): string => `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${name}`;
const lambdaArn = (name: string): string =>
  `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}`;

export const BENCH_QUEUE = 'psarn-bench';
/** A demo function serverless-offline runs (it records what it gets and answers it back). */
export const BENCH_FUNCTION = localName('signupV1');
export const FANOUT_WIDTHS = [1, 5, 20] as const;
export const fanoutQueue = (i: number): string => `psarn-bench-fanout-${i}`;

const toQueue = (name: string): TargetRef => ({ arn: queueArn(name), kind: 'sqs' });
const base = { ttl: 300, onFailure: 'dlq' } as const;

export const ROUTES = {
  queue: {
    ...base,
    psarn: psarn('/bench/queue'),
    targets: [{ ...toQueue(BENCH_QUEUE), weight: 1 }],
    fanout: [],
  },
  // TTL 0: every event finds the route expired and the cache reads it again.
  expired: {
    ...base,
    ttl: 0,
    psarn: psarn('/bench/expired'),
    targets: [{ ...toQueue(BENCH_QUEUE), weight: 1 }],
    fanout: [],
  },
  lambda: {
    ...base,
    psarn: psarn('/bench/lambda'),
    targets: [{ arn: lambdaArn(BENCH_FUNCTION), kind: 'lambda', weight: 1 }],
    fanout: [],
  },
  canary: {
    ...base,
    psarn: psarn('/bench/canary'),
    targets: [
      { arn: lambdaArn('v1'), kind: 'lambda', weight: 90 },
      { arn: lambdaArn('v2'), kind: 'lambda', weight: 10 },
    ],
    fanout: [],
  },
} satisfies Record<string, Route>;

export const STICKY: Route = { ...ROUTES.canary, psarn: psarn('/bench/sticky'), stickyBy: 'payload.userId' };

/** `/bench/fanout-<w>`: one event copied to w queues. */
export function fanoutRoute(width: number): Route {
  return {
    ...base,
    psarn: psarn(`/bench/fanout-${width}`),
    targets: [],
    fanout: Array.from({ length: width }, (_, i) => toQueue(fanoutQueue(i))),
  };
}
