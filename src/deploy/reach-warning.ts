import type { CliIo } from '../cli/io';
import { dynamoClientFor, resolveStoreTarget, type StoreFlags } from '../cli/store-options';
import { describeError } from '../errors';
import type { Route } from '../routes/model';
import { readDeployRecord, type DeployRecord } from './deploy-record';
import { unreachableTargets } from './reach';
import type { NamedTarget } from './route-targets';

/**
 * The warning `psarn apply` prints when routes name targets the deployed router role cannot
 * reach, or '' when it can reach them all. The router would fail those deliveries with
 * AccessDenied and park or dead-letter the events, so the fix (a deploy) is named.
 *
 * @example
 * formatReachWarning(unreachable, record)
 * // warning: the router role of stage prod (iam exact, deployed 2026-11-22T09:00:00.000Z by ci) cannot reach 1 target:
 * //   arn:aws:lambda:eu-west-1:123456789012:function:new  (arn:aws:psarns:…:/event/x targets[0])
 * // Deliveries to it will fail and be parked or dead-lettered until `npx serverless deploy --stage prod` grants it.
 */
export function formatReachWarning(unreachable: readonly NamedTarget[], record: DeployRecord): string {
  if (unreachable.length === 0) return '';
  const count = `${unreachable.length} target${unreachable.length === 1 ? '' : 's'}`;
  const lines = [
    `warning: the router role of stage ${record.stage} (iam ${record.iam}, deployed ${record.at} by ${record.by}) cannot reach ${count}:`,
    ...unreachable.map((t) => `  ${t.arn}  (${t.psarn} ${t.path})`),
    `Deliveries to ${unreachable.length === 1 ? 'it' : 'them'} will fail and be parked or dead-lettered until \`npx serverless deploy --stage ${record.stage}\` grants ${unreachable.length === 1 ? 'it' : 'them'}.`,
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * Compare routes about to be applied with the deploy record of the route table and print a
 * warning (stderr, never an error) naming every target the deployed role cannot reach. A table
 * without a record (local stack, never deployed with the plugin) is not checked. Called by
 * `psarn apply` before it shows the plan.
 *
 * @example
 * await warnUnreachableTargets(routes, flags, io);
 */
export async function warnUnreachableTargets(
  routes: readonly Route[],
  flags: StoreFlags,
  io: CliIo,
): Promise<void> {
  const target = resolveStoreTarget(flags, io.env);
  const client = dynamoClientFor(target, io.env);
  let record: DeployRecord | undefined;
  try {
    record = await readDeployRecord(client, target.tableName);
  } catch (err) {
    // Apply itself reports a table it cannot reach; the check only says it did not happen.
    io.stderr(`warning: target reach not checked: ${describeError(err).message}\n`);
    return;
  } finally {
    client.destroy();
  }
  if (record === undefined) return;
  io.stderr(formatReachWarning(unreachableTargets(routes, record.allowed), record));
}
