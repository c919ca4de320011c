/**
 * Counts the API calls an SDK client makes, by command name, with a middleware at the start of
 * its stack (each command once, whatever its retries): how the bench reads "DynamoDB reads per
 * 1,000 events" and "API calls per event" from the real clients, not from the cache's own counters.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';

export interface CallCounter {
  readonly calls: Map<string, number>;
  total(names?: readonly string[]): number;
  reset(): void;
}

type Counted = Pick<DynamoDBClient, 'middlewareStack'> | Pick<SQSClient, 'middlewareStack'>;

export function countCalls(client: Counted, name: string): CallCounter {
  const calls = new Map<string, number>();
  // Both stacks take the same initialize-step middleware; one type is enough to write it.
  (client.middlewareStack as DynamoDBClient['middlewareStack']).add(
    (next, context) => (args) => {
      const command = context.commandName ?? 'unknown';
      calls.set(command, (calls.get(command) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: `psarnBenchCount${name}` },
  );
  return {
    calls,
    total: (names) =>
      [...calls]
        .filter(([command]) => names === undefined || names.includes(command))
        .reduce((n, [, c]) => n + c, 0),
    reset: () => calls.clear(),
  };
}

/** DynamoDB commands that read the route table. */
export const DYNAMO_READS = ['GetItemCommand', 'QueryCommand', 'BatchGetItemCommand', 'ScanCommand'];
