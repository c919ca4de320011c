import { RegionalForwarder } from '../../src/targets/regional';
import type { Forwarder, OutgoingMessage } from '../../src/targets/forwarder';
import type { TargetRef } from '../../src/routes/model';

/** A forwarder of our own port that records which region's instance was asked to send. */
function fake(region: string, calls: string[]): Forwarder {
  return {
    kind: 'sqs',
    maxPayloadBytes: 1_048_576,
    measure: () => 0,
    refuses: () => undefined,
    send: async (target: TargetRef, messages: readonly OutgoingMessage[]) => {
      calls.push(`${region} ${target.arn}`);
      return messages.map(() => ({ ok: true }));
    },
  };
}

describe('RegionalForwarder', () => {
  it("sends each target through a forwarder for the target's region, building each region once", async () => {
    const calls: string[] = [];
    const built: string[] = [];
    const forwarder = new RegionalForwarder(fake('eu-west-1', calls), 'eu-west-1', (region) => {
      built.push(region);
      return fake(region, calls);
    });
    const home = { arn: 'arn:aws:sqs:eu-west-1:123456789012:a', kind: 'sqs' as const };
    const away = { arn: 'arn:aws:sqs:us-east-2:123456789012:b', kind: 'sqs' as const };
    for (const target of [home, away, away, home]) await forwarder.send(target, [], { sync: true });
    expect(calls).toEqual([
      `eu-west-1 ${home.arn}`,
      `us-east-2 ${away.arn}`,
      `us-east-2 ${away.arn}`,
      `eu-west-1 ${home.arn}`,
    ]);
    expect(built).toEqual(['us-east-2']);
    expect(forwarder.maxPayloadBytes).toBe(1_048_576);
  });
});
