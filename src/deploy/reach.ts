import type { Route } from '../routes/model';
import { IamMode, WILDCARD_RESOURCES } from './iam-statements';
import { namedTargets, type NamedTarget } from './route-targets';

/**
 * Whether an IAM resource pattern covers an ARN: `*` matches any run of characters, `?` one
 * character, everything else itself (case-sensitive, as IAM compares ARNs).
 *
 * @example
 * arnPatternMatches('arn:aws:sqs:*:*:*', 'arn:aws:sqs:eu-west-1:123456789012:orders') // true
 * arnPatternMatches('arn:aws:lambda:eu-west-1:123456789012:function:f', 'arn:aws:lambda:eu-west-1:123456789012:function:f:live') // false
 */
export function arnPatternMatches(pattern: string, arn: string): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's').test(arn);
}

/**
 * The resource patterns the router role allows for targets, as the deploy record keeps them:
 * the distinct ARNs the routes name (`exact`), or one pattern per service (`wildcard`) in the
 * partition deployed to.
 *
 * @example
 * allowedTargetPatterns(routes, 'wildcard', 'aws') // ['arn:aws:lambda:*:*:function:*', 'arn:aws:sqs:*:*:*', …]
 */
export function allowedTargetPatterns(routes: readonly Route[], mode: IamMode, partition: string): string[] {
  if (mode === IamMode.wildcard) {
    return Object.values(WILDCARD_RESOURCES).map((pattern) =>
      pattern.replace('${AWS::Partition}', partition),
    );
  }
  return [...new Set(namedTargets(routes).flatMap((t) => (t.kind === 'psarn' ? [] : [t.arn])))].sort();
}

/**
 * The targets the routes name that none of the allowed patterns covers: what a role deployed
 * with those patterns would be denied. psARN aliases need no permission and never count.
 *
 * @example
 * unreachableTargets(routes, ['arn:aws:sqs:eu-west-1:123456789012:orders'])
 * // [{ psarn: 'arn:aws:psarns:…:/event/x', arn: 'arn:aws:sns:…:audit', role: 'fanout', path: 'fanout[0]', kind: 'sns' }]
 */
export function unreachableTargets(routes: readonly Route[], allowed: readonly string[]): NamedTarget[] {
  return namedTargets(routes).filter(
    (t) => t.kind !== 'psarn' && !allowed.some((pattern) => arnPatternMatches(pattern, t.arn)),
  );
}

/**
 * The AWS partition of a region, for writing wildcard patterns the way IAM will see them.
 *
 * @example
 * partitionOfRegion('cn-north-1') // 'aws-cn'
 */
export function partitionOfRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}
