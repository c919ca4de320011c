/**
 * The short name a reviewer recognises a target by: the last `:` segment of its ARN, and of that
 * the last `/` segment (`function:newUser:live` → `live`, `event-bus/default` → `default`).
 * When two ARNs in `all` share a short name, the full ARN is used so a label is never ambiguous.
 *
 * @example
 * shortLabel('arn:aws:lambda:eu-west-1:123456789012:function:newUser:canary', []) // 'canary'
 */
export function shortLabel(arn: string, all: readonly string[]): string {
  const short = lastSegment(arn);
  const clash = all.some((other) => other !== arn && lastSegment(other) === short);
  return clash ? arn : short;
}

function lastSegment(arn: string): string {
  const afterColon = arn.slice(arn.lastIndexOf(':') + 1);
  return afterColon.slice(afterColon.lastIndexOf('/') + 1) || afterColon || arn;
}
