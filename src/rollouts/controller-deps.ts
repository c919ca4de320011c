import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoReleaseStore } from '../store/dynamo-release-store';
import { CloudWatchAlarmReader, type AlarmReader } from './alarms';
import type { RolloutDeps } from './controller';
import { DynamoCounterStore } from './counter-store';
import { DynamoRolloutStore } from './rollout-store';

/**
 * The rollout machinery of one route table: the one release store (every step a release), the
 * rollout items, the counters, and CloudWatch for `--alarm` (built on first use; pass `alarms` to
 * replace it — there is no CloudWatch emulator locally).
 *
 * @example
 * const deps = rolloutDeps({ client, tableName: 'psarn-prod-routes', by: 'psarn-controller' });
 */
export function rolloutDeps(options: {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly by: string;
  readonly alarms?: AlarmReader;
  readonly region?: string;
  readonly now?: () => number;
}): RolloutDeps {
  const { client, tableName } = options;
  let cloudWatch: AlarmReader | undefined;
  const alarms: AlarmReader = options.alarms ?? {
    states: (names) => {
      cloudWatch ??= new CloudWatchAlarmReader(
        new CloudWatchClient(options.region === undefined ? {} : { region: options.region }),
      );
      return cloudWatch.states(names);
    },
  };
  return {
    rollouts: new DynamoRolloutStore({ client, tableName }),
    releases: new DynamoReleaseStore({ client, tableName }),
    counters: new DynamoCounterStore({ client, tableName }),
    alarms,
    by: options.by,
    ...(options.now === undefined ? {} : { now: options.now }),
  };
}
