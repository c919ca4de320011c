import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchAlarmReader, type CloudWatchSend } from '../../src/rollouts/alarms';

/**
 * An SDK-level fake of CloudWatch: no local emulator serves DescribeAlarms (dynalite, fauxqs and
 * serverless-offline have no CloudWatch), so the reader is checked against the SDK's own command
 * objects and response shapes here, and the gate against a fake reader in controller.test.ts.
 */
function fakeCloudWatch(pages: Record<string, unknown>[]): CloudWatchSend & { inputs: unknown[] } {
  const inputs: unknown[] = [];
  let page = 0;
  return {
    inputs,
    send: (async (command: unknown) => {
      if (!(command instanceof DescribeAlarmsCommand)) throw new Error('only DescribeAlarms is expected');
      inputs.push(command.input);
      return pages[page++] ?? {};
    }) as CloudWatchSend['send'],
  };
}

describe('CloudWatch alarm reader', () => {
  it('reads metric and composite alarms across pages, and names those in ALARM and those missing', async () => {
    const cw = fakeCloudWatch([
      { MetricAlarms: [{ AlarmName: 'errors', StateValue: 'ALARM' }], NextToken: 'p2' },
      { CompositeAlarms: [{ AlarmName: 'latency', StateValue: 'OK' }] },
    ]);
    const states = await new CloudWatchAlarmReader(cw).states(['errors', 'latency', 'gone']);
    expect(states).toEqual({ inAlarm: ['errors'], missing: ['gone'] });
    expect(cw.inputs).toEqual([
      { AlarmNames: ['errors', 'latency', 'gone'], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] },
      {
        AlarmNames: ['errors', 'latency', 'gone'],
        AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
        NextToken: 'p2',
      },
    ]);
  });

  it('asks at most 100 names per call, as DescribeAlarms allows', async () => {
    const names = Array.from({ length: 150 }, (_, i) => `a${i}`);
    const cw = fakeCloudWatch([{}, {}]);
    const states = await new CloudWatchAlarmReader(cw).states(names);
    expect(cw.inputs.map((i) => (i as { AlarmNames: string[] }).AlarmNames.length)).toEqual([100, 50]);
    expect(states.missing).toHaveLength(150);
  });
});
