// serverless/resources.js called as osls calls a `${file(...)}` resolver, with the variables it asks for.
type Resolver = (ctx: { resolveVariable: (name: string) => Promise<unknown> }) => Promise<{
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
}>;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const resources = require('../../serverless/resources') as Resolver;

function resolveFor(stage: string, custom: Record<string, string> = {}) {
  return async (name: string): Promise<unknown> => {
    if (name === 'self:service') return 'psarn';
    if (name === 'sls:stage') return stage;
    const match = /^self:custom\.psarn\.(\w+), null$/.exec(name);
    if (match?.[1] !== undefined) return custom[match[1]] ?? null;
    throw new Error(`unexpected variable ${name}`);
  };
}

describe('serverless/resources.js', () => {
  it('keeps the local stage to the table and the DLQ the local stack creates', async () => {
    const out = await resources({ resolveVariable: resolveFor('local') });
    expect(Object.keys(out.Resources)).toEqual(['RouteTable', 'RouterDlq']);
    expect(out.Resources['RouteTable']?.Properties).not.toHaveProperty('DeletionProtectionEnabled');
  });

  it('sends no alarm anywhere unless a topic or an e-mail is configured', async () => {
    const out = await resources({ resolveVariable: resolveFor('prod') });
    expect(out.Resources['AlarmTopic']).toBeUndefined();
    expect(out.Resources['RouterErrorsAlarm']?.Properties).not.toHaveProperty('AlarmActions');
  });

  it('creates an e-mail alarm topic and notifies it from every alarm', async () => {
    const out = await resources({ resolveVariable: resolveFor('prod', { alarmEmail: 'ops@example.com' }) });
    expect(out.Resources['AlarmTopic']?.Properties).toEqual({
      TopicName: 'psarn-prod-alarms',
      Subscription: [{ Protocol: 'email', Endpoint: 'ops@example.com' }],
    });
    const alarms = Object.values(out.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    expect(alarms).toHaveLength(3);
    for (const alarm of alarms) expect(alarm.Properties['AlarmActions']).toEqual([{ Ref: 'AlarmTopic' }]);
  });

  it('notifies an existing topic instead when one is named', async () => {
    const topic = 'arn:aws:sns:eu-west-1:123456789012:oncall';
    const out = await resources({ resolveVariable: resolveFor('prod', { alarmTopicArn: topic }) });
    expect(out.Resources['AlarmTopic']).toBeUndefined();
    expect(out.Resources['RouterDlqDepthAlarm']?.Properties['AlarmActions']).toEqual([topic]);
  });
});
