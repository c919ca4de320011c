import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { runControllerOnce, type TickReport } from './controller';
import { rolloutDeps } from './controller-deps';

// Module scope: a warm invocation reuses the clients and their connections.
const tableName = process.env['PSARN_TABLE'];
const client = new DynamoDBClient({});
const by = `psarn-controller@${process.env['AWS_LAMBDA_FUNCTION_NAME'] ?? 'lambda'}`;

/**
 * The rollout controller, run on a schedule (serverless/functions.js): one pass over every
 * rollout of the stage's route table — advance, roll back on a breach, finish what a crashed
 * pass claimed. Two passes at once are safe: every change is a conditional write that only one
 * wins. Each report is one JSON log line; the invocation fails only when the table is unreadable,
 * so Lambda's own error metric shows a controller that cannot work.
 */
export async function handler(): Promise<{ readonly reports: readonly TickReport[] }> {
  if (tableName === undefined || tableName === '')
    throw new Error('PSARN_TABLE is not set: the rollout controller needs its route table');
  const reports = await runControllerOnce(rolloutDeps({ client, tableName, by }));
  for (const report of reports) process.stdout.write(`${JSON.stringify({ rollout: report })}\n`);
  return { reports };
}
