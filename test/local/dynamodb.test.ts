import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { dynamoClient, stackVar } from '../support/stack';

describe('the local stack route table (dynalite)', () => {
  it('exists as PSARN_TABLE with pk/sk string keys, on demand', async () => {
    const out = await dynamoClient().send(new DescribeTableCommand({ TableName: stackVar('PSARN_TABLE') }));
    expect(out.Table?.TableName).toBe('psarn-local-routes');
    expect(out.Table?.TableStatus).toBe('ACTIVE');
    expect(out.Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(out.Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
  });
});
