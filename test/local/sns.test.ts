import { randomUUID } from 'node:crypto';
import { ListTopicsCommand, PublishCommand } from '@aws-sdk/client-sns';
import { LOCAL_TOPIC } from '../../src/local/demo-resources';
import { queueUrl, receiveAll, snsClient, stackVar } from '../support/stack';

const topicArn = (): string =>
  `arn:aws:sns:${stackVar('AWS_REGION')}:${stackVar('PSARN_ACCOUNT')}:${LOCAL_TOPIC}`;

describe('the local stack audit topic (fauxqs SNS)', () => {
  it('exists under the account and region the stack exports', async () => {
    const out = await snsClient().send(new ListTopicsCommand({}));
    expect(out.Topics?.map((t) => t.TopicArn)).toContain(topicArn());
  });

  it('delivers a published message to psarn-local-audit-copy byte-for-byte (raw delivery)', async () => {
    // Odd spacing, key order, unicode and escapes: anything re-serialised would differ.
    const message = `{ "id":"${randomUUID()}" ,"b":1,"a":[ "ü", "\\u00fc", "tab\\t" ],  "emoji":"🚀" }\n`;
    await snsClient().send(
      new PublishCommand({
        TopicArn: topicArn(),
        Message: message,
        MessageAttributes: {
          psarn: { DataType: 'String', StringValue: 'arn:aws:psarns:us-east-1:000000000000:/t' },
        },
      }),
    );
    const got = await receiveAll(await queueUrl('audit-copy'), {
      expected: 1,
      filter: (m) => m.Body === message,
    });
    expect(got).toHaveLength(1);
    expect(Buffer.from(got[0]?.Body ?? '', 'utf8').equals(Buffer.from(message, 'utf8'))).toBe(true);
  });
});
