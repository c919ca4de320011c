import type { RouteIssue } from '../../src/errors';
import type { RouteContext } from '../../src/routes/model';

/** The context most route tests validate for. */
export const CONTEXT: RouteContext = { stage: 'dev', region: 'eu-west-1', account: '123456789012' };

export const PSARN = 'arn:aws:psarns:eu-west-1:123456789012';
export const LAMBDA = 'arn:aws:lambda:eu-west-1:123456789012:function';
export const SQS = 'arn:aws:sqs:eu-west-1:123456789012';
export const SNS = 'arn:aws:sns:eu-west-1:123456789012';
export const BUS = 'arn:aws:events:eu-west-1:123456789012:event-bus';

/** Issues as one line each, `line:column severity path: message`, for exact comparisons. */
export function lines(issues: readonly RouteIssue[]): string[] {
  return issues.map((i) => `${i.line}:${i.column} ${i.severity} ${i.path}: ${i.message}`);
}

/** Join YAML lines, so a test's line numbers can be read off its array index + 1. */
export function yaml(...text: string[]): string {
  return `${text.join('\n')}\n`;
}
