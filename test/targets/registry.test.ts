import { TargetFailedError } from '../../src/errors';
import { createForwarders } from '../../src/targets/registry';

describe('createForwarders', () => {
  const registry = createForwarders({ env: { AWS_REGION: 'eu-west-1' } });

  it('has one forwarder per real target kind, found by kind', () => {
    for (const kind of ['lambda', 'sqs', 'sns', 'events'] as const) {
      expect(registry.forwarderFor(kind).kind).toBe(kind);
    }
    expect(registry.forwarders.map((f) => f.kind).sort()).toEqual(['events', 'lambda', 'sns', 'sqs']);
  });

  it('has no forwarder for psARN aliases, and says why', () => {
    expect(() => registry.forwarderFor('psarn')).toThrow(TargetFailedError);
    expect(() => registry.forwarderFor('psarn')).toThrow(/planned away/);
  });

  it('lets a caller pass forwarderFor around unbound', () => {
    const { forwarderFor } = registry;
    expect(forwarderFor('sqs').maxPayloadBytes).toBe(1_048_576);
  });

  it('passes per-kind options, e.g. a topic raised to 1 MiB', () => {
    const raised = createForwarders({
      env: { AWS_REGION: 'eu-west-1' },
      sns: { maxPayloadBytes: 1_048_576 },
    });
    expect(raised.forwarderFor('sns').maxPayloadBytes).toBe(1_048_576);
  });
});
