import { substitute, unknownVariables } from '../../src/routes/substitute';

describe('substitute', () => {
  it('replaces every known variable', () => {
    expect(
      substitute('arn:aws:sqs:${region}:${account}:psarn-${stage}-${stage}', {
        stage: 'dev',
        region: 'eu-west-1',
        account: '123456789012',
      }),
    ).toEqual({ ok: true, value: 'arn:aws:sqs:eu-west-1:123456789012:psarn-dev-dev' });
  });

  it('leaves text without variables, and a lone $, alone', () => {
    expect(substitute('cost $5 {x}', { stage: 'dev' })).toEqual({ ok: true, value: 'cost $5 {x}' });
  });

  it('names every unknown or unset variable once', () => {
    expect(substitute('${region}:${account}:${region}:${tenant}', { stage: 'dev' })).toEqual({
      ok: false,
      problems: [
        {
          variable: 'tenant',
          message: 'unknown variable ${tenant}: only ${stage}, ${region} and ${account} are substituted',
        },
        { variable: 'region', message: '${region} has no value: pass --region or set AWS_REGION' },
        { variable: 'account', message: '${account} has no value: pass --account or set PSARN_ACCOUNT' },
      ],
    });
  });

  it('treats an empty value as unset', () => {
    expect(substitute('${region}', { stage: 'dev', region: '' })).toMatchObject({ ok: false });
  });
});

describe('unknownVariables', () => {
  it('finds only names that are not stage, region or account', () => {
    expect(unknownVariables('${stage}${Stage}${}').map((p) => p.variable)).toEqual(['Stage', '']);
  });
});
