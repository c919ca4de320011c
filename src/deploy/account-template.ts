import type { CfnValue } from './iam-statements';

/**
 * Two 12-digit stand-ins for `${account}` when packaging without knowing the account (offline,
 * no credentials). Routes are loaded once with each: an ARN that differs between the two loads
 * took its account from `${account}`; one that does not is literal.
 */
export const PLACEHOLDER_ACCOUNTS = ['111111111111', '222222222222'] as const;

/**
 * The IAM resource for an ARN resolved twice, once per placeholder account: the ARN itself when
 * both agree (written literally in the route file), else a `Fn::Sub` naming `${AWS::AccountId}`
 * wherever `${account}` stood, so CloudFormation fills in the account it deploys to. Throws when
 * the two cannot be explained by `${account}` alone (a literal that happens to contain the
 * placeholder next to a substituted one), asking for the account instead.
 *
 * @example
 * accountTemplate(
 *   'arn:aws:sqs:eu-west-1:111111111111:orders',
 *   'arn:aws:sqs:eu-west-1:222222222222:orders',
 * ) // { 'Fn::Sub': 'arn:aws:sqs:eu-west-1:${AWS::AccountId}:orders' }
 */
export function accountTemplate(withFirst: string, withSecond: string): CfnValue {
  if (withFirst === withSecond) return withFirst;
  const [first, second] = PLACEHOLDER_ACCOUNTS;
  const parts = withFirst.split(first);
  if (parts.join(second) !== withSecond) {
    throw new Error(
      `cannot tell which part of ${withFirst} is \${account}: set custom.psarn.account or PSARN_ACCOUNT`,
    );
  }
  // Fn::Sub reads `${…}` as a reference: a literal one in the ARN is escaped as `${!…}`.
  return { 'Fn::Sub': parts.map((part) => part.replaceAll('${', '${!')).join('${AWS::AccountId}') };
}
