import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoCounterStore, type CounterStore } from './counter-store';
import { OutcomeCounters } from './outcome-counters';

/**
 * The router's outcome counters, writing to its route table with the router's own DynamoDB
 * client. Both are handed over lazily: the forwarders (which need the observer) are built before
 * the client exists.
 *
 * @example
 * const counters = routerOutcomeCounters(() => registry.clients.dynamodb, config.tableName);
 * const registry = createForwarders({ observe: counters.observe });
 */
export function routerOutcomeCounters(client: () => DynamoDBClient, tableName: string): OutcomeCounters {
  let store: CounterStore | undefined;
  return new OutcomeCounters({
    store: () => (store ??= new DynamoCounterStore({ client: client(), tableName })),
  });
}
