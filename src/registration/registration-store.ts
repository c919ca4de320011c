import {
  DeleteItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { PsarnError, StoreUnavailableError } from '../errors';
import { causeText } from '../store/cause-text';
import { TableKey } from '../store/table-layout';
import type { Registration, RegistrationSet } from './model';

type Item = Record<string, AttributeValue>;

/**
 * The registration items of a stage's route table (`#registration` / `<service>/<stage>`, see
 * src/store/table-layout.ts): the durable layer `apply` re-merges into every release. They are
 * separate from route items, so publishing a release never loses them and routers never read
 * them (their pk starts with `#`). One item per registrant: writing it replaces the set whole,
 * which makes a re-deploy idempotent.
 *
 * @example
 * const sets = await new RegistrationStore(client, 'psarn-prod-routes').list();
 */
export class RegistrationStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /** Every registration set, read strongly consistent (a publish must see the latest write). */
  async list(): Promise<RegistrationSet[]> {
    const sets: RegistrationSet[] = [];
    let start: Item | undefined;
    do {
      const out = await this.io('reading the registrations', () =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': { S: TableKey.registrationPk } },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const item of out.Items ?? []) sets.push(this.fromItem(item));
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return sets;
  }

  /**
   * Replace `registrant`'s set. `since` survives the replace (if_not_exists), so a service that
   * registered a target first keeps precedence over a later one across its re-deploys.
   */
  async put(
    registrant: string,
    registrations: readonly Registration[],
    at: string,
    by: string,
  ): Promise<void> {
    await this.io(`writing the registrations of ${registrant}`, () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: { S: TableKey.registrationPk }, sk: { S: registrant } },
          UpdateExpression: 'SET #regs = :regs, #at = :at, #by = :by, #since = if_not_exists(#since, :at)',
          ExpressionAttributeNames: { '#regs': 'registrations', '#at': 'at', '#by': 'by', '#since': 'since' },
          ExpressionAttributeValues: {
            ':regs': { S: JSON.stringify(registrations) },
            ':at': { S: at },
            ':by': { S: by },
          },
        }),
      ),
    );
  }

  /** Delete `registrant`'s set; true when there was one. */
  async delete(registrant: string): Promise<boolean> {
    const out = await this.io(`deleting the registrations of ${registrant}`, () =>
      this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: { pk: { S: TableKey.registrationPk }, sk: { S: registrant } },
          ReturnValues: 'ALL_OLD',
        }),
      ),
    );
    return out.Attributes !== undefined;
  }

  private fromItem(item: Item): RegistrationSet {
    const registrant = item['sk']?.S ?? '';
    const json = item['registrations']?.S ?? '[]';
    let registrations: Registration[];
    try {
      registrations = JSON.parse(json) as Registration[];
    } catch (err) {
      throw new StoreUnavailableError(
        `the registration item of ${registrant} in ${this.tableName} is not JSON (${causeText(err)}): run \`psarn deregister --service … --stage …\` for it and register again`,
        err,
      );
    }
    return {
      registrant,
      registrations,
      since: item['since']?.S ?? '',
      at: item['at']?.S ?? '',
      by: item['by']?.S ?? '',
    };
  }

  private async io<T>(step: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof PsarnError) throw err;
      throw new StoreUnavailableError(`${step} in table ${this.tableName} failed: ${causeText(err)}`, err);
    }
  }
}
