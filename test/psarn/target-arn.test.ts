import { InvalidTargetArnError } from '../../src/errors';
import { parseTargetArn } from '../../src/psarn/target-arn';

describe('parseTargetArn', () => {
  it('reads a Lambda function with and without a qualifier', () => {
    expect(parseTargetArn('arn:aws:lambda:eu-west-1:123456789012:function:newUser:live')).toEqual({
      arn: 'arn:aws:lambda:eu-west-1:123456789012:function:newUser:live',
      kind: 'lambda',
      region: 'eu-west-1',
      account: '123456789012',
      name: 'newUser',
      qualifier: 'live',
      fifo: false,
    });
    const bare = parseTargetArn('arn:aws:lambda:eu-west-1:123456789012:function:newUser');
    expect(bare.name).toBe('newUser');
    expect('qualifier' in bare).toBe(false);
    expect(parseTargetArn('arn:aws:lambda:eu-west-1:123456789012:function:f:$LATEST').qualifier).toBe(
      '$LATEST',
    );
  });

  it('reads standard and FIFO SQS queues', () => {
    expect(parseTargetArn('arn:aws:sqs:us-east-1:000000000000:orders')).toMatchObject({
      kind: 'sqs',
      name: 'orders',
      fifo: false,
    });
    expect(parseTargetArn('arn:aws:sqs:us-east-1:000000000000:orders.fifo')).toMatchObject({
      kind: 'sqs',
      name: 'orders.fifo',
      fifo: true,
    });
  });

  it('reads SNS topics, EventBridge buses and psARN aliases', () => {
    expect(parseTargetArn('arn:aws:sns:us-east-1:000000000000:audit')).toMatchObject({
      kind: 'sns',
      name: 'audit',
    });
    expect(parseTargetArn('arn:aws:events:us-east-1:000000000000:event-bus/default')).toMatchObject({
      kind: 'events',
      name: 'default',
    });
    expect(parseTargetArn('arn:aws:psarns:us-east-1:000000000000:/event/newUser')).toMatchObject({
      kind: 'psarn',
      name: '/event/newUser',
    });
  });

  it.each([
    [
      'orders',
      'invalid target ARN "orders": expected arn:<partition>:<service>:<region>:<account>:<resource>',
    ],
    [
      'arn:aws:lambda:eu-west:123456789012:function:f',
      'invalid target ARN "arn:aws:lambda:eu-west:123456789012:function:f": region "eu-west" is not like eu-west-1',
    ],
    [
      'arn:aws:lambda:eu-west-1:1234:function:f',
      'invalid target ARN "arn:aws:lambda:eu-west-1:1234:function:f": account "1234" is not 12 digits',
    ],
    [
      'arn:aws:lambda:eu-west-1:123456789012:fn:f',
      'invalid target ARN "arn:aws:lambda:eu-west-1:123456789012:fn:f": a Lambda ARN ends in function:<name> or function:<name>:<qualifier>',
    ],
    [
      'arn:aws:sqs:eu-west-1:123456789012:bad queue',
      'invalid target ARN "arn:aws:sqs:eu-west-1:123456789012:bad queue": queue name "bad queue" is not valid',
    ],
    [
      'arn:aws:events:eu-west-1:123456789012:rule/x',
      'invalid target ARN "arn:aws:events:eu-west-1:123456789012:rule/x": an EventBridge ARN ends in event-bus/<name>',
    ],
    [
      'arn:aws:dynamodb:eu-west-1:123456789012:table/t',
      'invalid target ARN "arn:aws:dynamodb:eu-west-1:123456789012:table/t": service "dynamodb" is not a target kind (lambda, sqs, sns, events, psarns)',
    ],
    [
      'arn:aws:psarns:eu-west-1:123456789012:/event/new user',
      'invalid target ARN "arn:aws:psarns:eu-west-1:123456789012:/event/new user": psARN path segment 2 "new user" contains " ": only letters, digits, ".", "_" and "-" are allowed',
    ],
  ])('rejects %s saying what is wrong', (arn, message) => {
    expect(() => parseTargetArn(arn)).toThrow(InvalidTargetArnError);
    expect(() => parseTargetArn(arn)).toThrow(message);
  });
});
