import { PayloadTooLargeError } from '../../src/errors';
import { checkPayloadSize, PayloadLimits, payloadLimit } from '../../src/targets/limits';

describe('payload limits', () => {
  it('uses the current service limits: SQS 1 MiB, SNS 256 KiB, EventBridge 1 MiB, Lambda 1 MiB async / 6 MiB sync', () => {
    expect(payloadLimit('sqs')).toBe(1_048_576);
    expect(payloadLimit('sns')).toBe(262_144);
    expect(payloadLimit('events')).toBe(1_048_576);
    expect(payloadLimit('lambda')).toBe(1_048_576);
    expect(payloadLimit('lambda', { sync: true })).toBe(6_291_456);
    expect(payloadLimit('psarn')).toBeUndefined();
  });

  it('accepts a body of exactly the limit and refuses one byte more, naming the target', () => {
    const target = { arn: 'arn:aws:sns:eu-west-1:000000000000:audit', kind: 'sns' as const };
    expect(checkPayloadSize(target, 'x'.repeat(PayloadLimits.sns.message))).toBeUndefined();
    const error = checkPayloadSize(target, 'x'.repeat(PayloadLimits.sns.message + 1));
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error?.message).toContain(target.arn);
    expect(error?.context).toMatchObject({ bytes: 262_145, limit: 262_144 });
  });

  it('counts UTF-8 bytes, not characters', () => {
    const target = { arn: 'arn:aws:sns:eu-west-1:000000000000:audit', kind: 'sns' as const };
    // 'é' is 2 bytes: half the limit in characters is exactly the limit in bytes.
    expect(checkPayloadSize(target, 'é'.repeat(PayloadLimits.sns.message / 2))).toBeUndefined();
    expect(checkPayloadSize(target, 'é'.repeat(PayloadLimits.sns.message / 2) + 'x')).toBeInstanceOf(
      PayloadTooLargeError,
    );
  });
});
