import { UsageError } from '../errors';
import { sendHeartbeat } from '../health/heartbeat';
import type { RegisterCommand } from './commands';
import {
  dynamoClientFor,
  guardStage,
  resolveStoreTarget,
  withStoreOptions,
  type StoreFlags,
} from './store-options';

interface HeartbeatFlags extends StoreFlags {
  readonly ttl: string;
  readonly status?: string;
  readonly reason?: string;
  readonly json?: boolean;
}

/**
 * A duration flag: `60`, `60s`, `5m`, `1h` (seconds by default).
 *
 * @example
 * parseSeconds('5m', '--ttl') // 300
 */
export function parseSeconds(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(s|m|h)?$/.exec(text.trim());
  if (match === null) throw new UsageError(`${flag} must be a duration like 60s, 5m or 1h, got "${text}"`);
  const unit = match[2] === 'h' ? 3600 : match[2] === 'm' ? 60 : 1;
  return Number(match[1]) * unit;
}

/**
 * `psarn heartbeat <target-arn> --ttl 60s [--status healthy|unhealthy]`: a consumer vouches for
 * itself for the TTL. Once a target has beaten, routers route around it when a beat is missed.
 *
 * @example
 * psarn heartbeat arn:aws:sqs:eu-west-1:123456789012:orders --ttl 60s
 */
export const registerHeartbeat: RegisterCommand = (program, io) => {
  withStoreOptions(program.command('heartbeat'))
    .description("report a target's own health for a TTL (missing the next beat marks it unhealthy)")
    .argument('<target-arn>', 'the function, queue, topic or bus the beat is for')
    .requiredOption('--ttl <duration>', 'how long the beat holds: 60s, 5m, 1h')
    .option('--status <status>', 'healthy (default) or unhealthy')
    .option('--reason <text>', 'why, shown by psarn check and resolve')
    .option('--json', 'print machine-readable JSON')
    .action(async (arn: string, flags: HeartbeatFlags) => {
      const status = flags.status ?? 'healthy';
      if (status !== 'healthy' && status !== 'unhealthy')
        throw new UsageError(`--status must be healthy or unhealthy, got "${status}"`);
      const ttlSeconds = parseSeconds(flags.ttl, '--ttl');
      const target = resolveStoreTarget(flags, io.env);
      const client = dynamoClientFor(target, io.env);
      try {
        await guardStage(flags, io.env, target, client);
        const beat = await sendHeartbeat(client, target.tableName, arn, {
          ttlSeconds,
          status,
          ...(flags.reason === undefined ? {} : { reason: flags.reason }),
        });
        io.stdout(
          flags.json === true
            ? `${JSON.stringify(beat)}\n`
            : `${arn} is ${beat.status} until ${new Date(beat.expiresAt).toISOString()}: beat again before then\n`,
        );
      } finally {
        client.destroy();
      }
    });
};
