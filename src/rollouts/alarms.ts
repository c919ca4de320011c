import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import type { AlarmStates } from './gate';

/** Reads CloudWatch alarm states for the gate; injectable (there is no CloudWatch emulator). */
export interface AlarmReader {
  states(names: readonly string[]): Promise<AlarmStates>;
}

/** The part of the CloudWatch client the reader uses, so a test can hand in an SDK-level fake. */
export type CloudWatchSend = Pick<CloudWatchClient, 'send'>;

/** DescribeAlarms takes at most 100 names per call. */
const MAX_NAMES = 100;

/**
 * Alarm states from CloudWatch `DescribeAlarms` (metric and composite alarms, by name). A name
 * CloudWatch does not return is `missing`: the gate holds the step rather than pass on an alarm
 * that cannot fire.
 *
 * @example
 * const reader = new CloudWatchAlarmReader(new CloudWatchClient({}));
 * (await reader.states(['signup-errors'])).inAlarm // ['signup-errors'] while it fires
 */
export class CloudWatchAlarmReader implements AlarmReader {
  constructor(private readonly client: CloudWatchSend = new CloudWatchClient({})) {}

  async states(names: readonly string[]): Promise<AlarmStates> {
    const seen = new Map<string, string>();
    for (let i = 0; i < names.length; i += MAX_NAMES) {
      const chunk = names.slice(i, i + MAX_NAMES);
      let token: string | undefined;
      do {
        const out = await this.client.send(
          new DescribeAlarmsCommand({
            AlarmNames: chunk,
            AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
            ...(token === undefined ? {} : { NextToken: token }),
          }),
          { abortSignal: AbortSignal.timeout(5000) },
        );
        for (const a of [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])]) {
          if (a.AlarmName !== undefined) seen.set(a.AlarmName, a.StateValue ?? 'INSUFFICIENT_DATA');
        }
        token = out.NextToken;
      } while (token !== undefined);
    }
    return {
      inAlarm: names.filter((n) => seen.get(n) === 'ALARM'),
      missing: names.filter((n) => !seen.has(n)),
    };
  }
}
