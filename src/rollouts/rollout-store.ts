import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { ROLLOUT_PK } from '../store/table-layout';
import { RolloutConflictError, RolloutExistsError } from './rollout-errors';
import type { RolloutState } from './rollout-state';

/** The rollouts of a route table: one item per psARN, every write conditional. */
export interface RolloutStore {
  list(): Promise<readonly RolloutState[]>;
  get(psarn: string): Promise<RolloutState | undefined>;
  /** @throws RolloutExistsError when the psARN has a running or paused rollout. */
  create(state: RolloutState): Promise<void>;
  /**
   * Write `next` (whose `rev` is `previous.rev + 1`) only if the item still has `previous.rev`.
   * @throws RolloutConflictError when someone else wrote it since `previous` was read.
   */
  replace(previous: RolloutState, next: RolloutState): Promise<void>;
}

/**
 * Rollout items in the route table: `pk = #rollout`, `sk = <psARN>`, the state as one JSON
 * string (round-trips exactly, like routes), `status` and `rev` as attributes the conditions read.
 *
 * Two controllers, or a controller and an operator's `pause`, that read the same `rev` race on one
 * conditional PutItem: DynamoDB lets exactly one through, the other gets RolloutConflictError and
 * acts on nothing. Starting a rollout is a PutItem that only succeeds when the psARN has no active
 * one (a finished rollout's item is overwritten: its releases stay in `psarn history`).
 *
 * @example
 * const rollouts = new DynamoRolloutStore({ client, tableName: 'psarn-prod-routes' });
 */
export class DynamoRolloutStore implements RolloutStore {
  constructor(private readonly options: { readonly client: DynamoDBClient; readonly tableName: string }) {}

  async list(): Promise<readonly RolloutState[]> {
    const states: RolloutState[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const out = await this.options.client.send(
        new QueryCommand({
          TableName: this.options.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: ROLLOUT_PK } },
          ConsistentRead: true,
          ...(start === undefined ? {} : { ExclusiveStartKey: start }),
        }),
      );
      for (const item of out.Items ?? []) states.push(fromItem(item));
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return states;
  }

  async get(psarn: string): Promise<RolloutState | undefined> {
    const out = await this.options.client.send(
      new GetItemCommand({
        TableName: this.options.tableName,
        Key: { pk: { S: ROLLOUT_PK }, sk: { S: psarn } },
        ConsistentRead: true,
      }),
    );
    return out.Item === undefined ? undefined : fromItem(out.Item);
  }

  async create(state: RolloutState): Promise<void> {
    try {
      await this.options.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: toItem(state),
          ConditionExpression: 'attribute_not_exists(pk) OR NOT (#status IN (:running, :paused))',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':running': { S: 'running' }, ':paused': { S: 'paused' } },
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      const existing = await this.get(state.psarn);
      throw new RolloutExistsError(state.psarn, existing?.id ?? 'unknown', existing?.status ?? 'active');
    }
  }

  async replace(previous: RolloutState, next: RolloutState): Promise<void> {
    try {
      await this.options.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: toItem(next),
          ConditionExpression: 'rev = :rev AND id = :id',
          ExpressionAttributeValues: { ':rev': { N: String(previous.rev) }, ':id': { S: previous.id } },
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException)
        throw new RolloutConflictError(previous.psarn, previous.id);
      throw err;
    }
  }
}

function toItem(state: RolloutState): Record<string, AttributeValue> {
  return {
    pk: { S: ROLLOUT_PK },
    sk: { S: state.psarn },
    id: { S: state.id },
    status: { S: state.status },
    rev: { N: String(state.rev) },
    state: { S: JSON.stringify(state) },
  };
}

function fromItem(item: Record<string, AttributeValue>): RolloutState {
  return JSON.parse(item['state']?.S ?? '{}') as RolloutState;
}
