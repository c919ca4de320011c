import { routeContextFrom } from '../../src/routes/load';

describe('routeContextFrom', () => {
  it('prefers flags over the environment', () => {
    const env = { PSARN_STAGE: 'qa', AWS_REGION: 'eu-west-1', PSARN_ACCOUNT: '111111111111' };
    expect(routeContextFrom({ stage: 'prod', region: 'us-east-1', account: '000000000000' }, env)).toEqual({
      stage: 'prod',
      region: 'us-east-1',
      account: '000000000000',
    });
  });

  it('falls back to PSARN_STAGE, AWS_REGION and PSARN_ACCOUNT', () => {
    const env = {
      PSARN_STAGE: 'qa',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      PSARN_ACCOUNT: '111111111111',
      AWS_ACCOUNT_ID: '222222222222',
    };
    expect(routeContextFrom({}, env)).toEqual({ stage: 'qa', region: 'eu-west-1', account: '111111111111' });
  });

  it('then to AWS_DEFAULT_REGION and AWS_ACCOUNT_ID, treating empty values as unset', () => {
    const env = {
      AWS_REGION: '',
      AWS_DEFAULT_REGION: 'us-east-1',
      PSARN_ACCOUNT: '',
      AWS_ACCOUNT_ID: '222222222222',
    };
    expect(routeContextFrom({ stage: undefined }, env)).toEqual({
      stage: 'dev',
      region: 'us-east-1',
      account: '222222222222',
    });
  });

  it('leaves region and account out when nothing sets them, and defaults the stage to dev', () => {
    expect(routeContextFrom({}, {})).toEqual({ stage: 'dev' });
  });
});
