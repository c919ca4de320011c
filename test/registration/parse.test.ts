import { parseRegistration } from '../../src/registration/parse';

const context = { region: 'eu-west-1', account: '123456789012' };
const arn = 'arn:aws:lambda:eu-west-1:123456789012:function:signup-prod-signupV3';
const where = 'custom.psarn.register[0]';

describe('parseRegistration', () => {
  it('completes a psARN path with the stage region and account', () => {
    expect(
      parseRegistration({ psarn: '/event/newUser', arn, split: { weight: 10 } }, where, context),
    ).toEqual({
      psarn: 'arn:aws:psarns:eu-west-1:123456789012:/event/newUser',
      target: { arn, kind: 'lambda' },
      role: 'split',
      weight: 10,
    });
  });

  it('gives an EventBridge fanout target the default source, as a route file would', () => {
    const bus = 'arn:aws:events:eu-west-1:123456789012:event-bus/signup';
    expect(
      parseRegistration({ psarn: '/event/newUser', arn: bus, fanout: true, create: true }, where, context),
    ).toEqual({
      psarn: 'arn:aws:psarns:eu-west-1:123456789012:/event/newUser',
      target: { arn: bus, kind: 'events', source: 'psarn' },
      role: 'fanout',
      create: {},
    });
  });

  it.each([
    [{ psarn: '/event/newUser', arn }, /split: \{ weight: N \}` or `fanout: true`/],
    [{ psarn: '/event/newUser', arn, split: { weight: 10 }, fanout: true }, /one of them/],
    [
      { psarn: '/event/newUser', arn, split: { weight: 0 } },
      /split\.weight: must be a number greater than 0/,
    ],
    [{ psarn: '/event/new User', arn, fanout: true }, /register\[0\]\.psarn: invalid psARN/],
    [
      { psarn: '/event/newUser', arn: 'arn:aws:sqs:eu-west-1:123456789012:orders.fifo', fanout: true },
      /needs `groupBy`/,
    ],
    [{ psarn: '/event/newUser', arn, fanout: true, wieght: 3 } as never, /unknown key `wieght`/],
    [
      { psarn: '/event/newUser', arn, fanout: true, create: { ttl: -1 } },
      /create\.ttl: must be a whole number/,
    ],
  ])('refuses %j with a message naming the field', (raw, message) => {
    expect(() => parseRegistration(raw, where, context)).toThrow(
      expect.objectContaining({ code: 'REGISTRATION_INVALID', message: expect.stringMatching(message) }),
    );
  });
});
