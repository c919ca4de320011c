import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { UsageError } from '../errors';
import { parseTargetArn } from '../psarn/target-arn';
import type { Heartbeat } from './health-state';
import { HealthStore } from './health-store';

export interface HeartbeatOptions {
  /** How long the beat vouches for the target; a router marks it unhealthy once it has passed. */
  readonly ttlSeconds: number;
  /** Default `healthy`; a consumer that knows it cannot cope says `unhealthy` (and why). */
  readonly status?: Heartbeat['status'];
  readonly reason?: string;
  readonly signal?: AbortSignal;
  readonly now?: () => number;
}

/** The longest TTL a beat may claim: a day. A consumer that stops beating must not stay "healthy" for weeks. */
export const MAX_HEARTBEAT_TTL_SECONDS = 86_400;

/**
 * A consumer's heartbeat: records in the route table's `#health` item that `targetArn` is healthy
 * (or not) for `ttlSeconds`. Once a target has sent one, routers treat a missed beat (expired by
 * more than the allowed clock skew) as unhealthy and route around it. Send one well within the
 * TTL (every TTL / 3 is a good rhythm); each beat is one UpdateItem.
 *
 * @throws UsageError for an ARN that is no target, or a TTL outside 1 s .. 1 day.
 *
 * @example
 * await sendHeartbeat(dynamo, 'psarn-prod-routes', 'arn:aws:sqs:eu-west-1:123456789012:orders', { ttlSeconds: 60 });
 */
export async function sendHeartbeat(
  client: DynamoDBClient,
  tableName: string,
  targetArn: string,
  options: HeartbeatOptions,
): Promise<Heartbeat> {
  const target = parseTargetArn(targetArn);
  if (target.kind === 'psarn')
    throw new UsageError(
      `${targetArn} is a psARN: heartbeats are sent for real targets (a function, queue, topic or bus)`,
    );
  const ttl = options.ttlSeconds;
  if (!Number.isFinite(ttl) || ttl < 1 || ttl > MAX_HEARTBEAT_TTL_SECONDS)
    throw new UsageError(`heartbeat TTL must be 1 s .. ${MAX_HEARTBEAT_TTL_SECONDS} s, got ${ttl}`);
  const now = (options.now ?? Date.now)();
  const beat: Heartbeat = {
    arn: targetArn,
    status: options.status ?? 'healthy',
    expiresAt: now + Math.round(ttl * 1000),
    ...(options.reason === undefined ? {} : { reason: options.reason.slice(0, 500) }),
  };
  await new HealthStore({ client, tableName }).write(
    'heartbeats',
    [beat],
    options.signal === undefined ? {} : { signal: options.signal },
  );
  return beat;
}
