import { createAwsClients, regionalClients } from '../targets/clients';
import { createForwarders } from '../targets/registry';
import { runHealthCheck, type HealthCheckRun } from './run-check';

// Module scope: a warm instance reuses its clients between scheduled runs.
const clients = createAwsClients(process.env);
const clientsFor = regionalClients(process.env);
// Auto-drain's forwarders: no breaker (the check itself decided the target's circuit is closed).
const registry = createForwarders({ clients, clientsFor });

/**
 * The scheduled health check (serverless.yml `custom.psarn.healthCheck`, every 5 minutes by
 * default): probes every target of the live release and records the result in the table's
 * health state, so routers route around unhealthy targets within epochCheckSeconds. One JSON log
 * line per run (and the counts per status for a metric filter); a failed run throws, so Lambda's
 * error metric shows it, and the routers keep the health state of the last run.
 *
 * Every run also auto-drains: for routes with `autoDrain: true`, the copies an open circuit (or
 * an unhealthy mark) parked go back to their target once it recovered (src/health/auto-drain.ts),
 * listed in the log line's `drained`.
 */
export async function handler(): Promise<HealthCheckRun> {
  const tableName = process.env['PSARN_TABLE'];
  if (tableName === undefined || tableName === '')
    throw new Error('PSARN_TABLE is not set: the health check needs the route table');
  const run = await runHealthCheck({
    dynamo: clients.dynamodb,
    tableName,
    clientsFor,
    autoDrain: { registry },
  });
  const drained = run.drained ?? [];
  const count = (status: string): number => run.targets.filter((t) => t.status === status).length;
  process.stdout.write(
    `${JSON.stringify({
      level: count('unhealthy') + count('removed') > 0 || drained.some((d) => d.kept > 0) ? 'WARN' : 'INFO',
      message: 'health check',
      release: run.release,
      healthVersion: run.healthVersion,
      healthy: count('healthy'),
      unhealthy: count('unhealthy'),
      removed: count('removed'),
      unknown: count('unknown'),
      targets: run.targets.filter((t) => t.status !== 'healthy'),
      drained,
    })}\n`,
  );
  return run;
}
