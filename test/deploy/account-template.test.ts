import fc from 'fast-check';
import { accountTemplate, PLACEHOLDER_ACCOUNTS } from '../../src/deploy/account-template';

const [A, B] = PLACEHOLDER_ACCOUNTS;

describe('accountTemplate', () => {
  it('keeps an ARN written with a literal account as it is', () => {
    const arn = 'arn:aws:sqs:eu-west-1:123456789012:orders';
    expect(accountTemplate(arn, arn)).toBe(arn);
  });

  it('keeps a literal ARN that happens to contain a placeholder account', () => {
    const arn = `arn:aws:sqs:eu-west-1:${A}:orders`;
    expect(accountTemplate(arn, arn)).toBe(arn);
  });

  it('turns every ${account} into ${AWS::AccountId}', () => {
    expect(
      accountTemplate(
        `arn:aws:lambda:eu-west-1:${A}:function:f-${A}:live`,
        `arn:aws:lambda:eu-west-1:${B}:function:f-${B}:live`,
      ),
    ).toEqual({ 'Fn::Sub': 'arn:aws:lambda:eu-west-1:${AWS::AccountId}:function:f-${AWS::AccountId}:live' });
  });

  it('refuses ARNs that ${account} alone cannot explain, asking for the account', () => {
    expect(() =>
      accountTemplate(`arn:aws:sqs:eu-west-1:${A}:q-${A}`, `arn:aws:sqs:eu-west-1:${B}:q-${A}`),
    ).toThrow(/set custom\.psarn\.account or PSARN_ACCOUNT/);
  });

  it('gives back the ARN for any account once CloudFormation substitutes it (property)', () => {
    const piece = fc.stringMatching(/^[a-z:/-]{0,12}$/);
    fc.assert(
      fc.property(
        fc.array(piece, { minLength: 2, maxLength: 4 }),
        fc.stringMatching(/^\d{12}$/),
        (parts, account) => {
          const withA = parts.join(A);
          const withB = parts.join(B);
          const value = accountTemplate(withA, withB);
          const sub = typeof value === 'string' ? value : (value['Fn::Sub'] as string);
          expect(sub.replaceAll('${AWS::AccountId}', account)).toBe(parts.join(account));
        },
      ),
    );
  });
});
