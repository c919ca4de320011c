// `provider.environment` of serverless.yml. Deployed stages reference their own table and DLQ;
// the `local` stage takes everything from the environment the local stack starts
// `serverless offline` with (src/local/stack-env.ts), because its emulators run on ports chosen
// at start time. serverless-offline runs handlers in worker threads that see only this
// environment (plus the parent's AWS_* variables), not the parent's whole process.env.
'use strict';

const local = require('./local-stage.json');

const LOCAL_VARIABLES = [
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_ENDPOINT_URL_SQS',
  'AWS_ENDPOINT_URL_SNS',
  'AWS_ENDPOINT_URL_LAMBDA',
  'AWS_ENDPOINT_URL_EVENTBRIDGE',
  'PSARN_ACCOUNT',
  'PSARN_STAGE',
  'PSARN_TABLE',
  'PSARN_DLQ_URL',
  'PSARN_DLQ_ARN',
  'PSARN_RECORD_DIR',
  'PSARN_EPOCH_CHECK_SECONDS',
  'PSARN_TARGETS_BY_NAME',
];

module.exports = async ({ resolveVariable }) => {
  const stage = await resolveVariable('sls:stage');
  if (stage === local.stage) {
    const env = {};
    for (const name of LOCAL_VARIABLES) {
      if (process.env[name] !== undefined) env[name] = process.env[name];
    }
    return env;
  }
  return {
    PSARN_STAGE: stage,
    PSARN_TABLE: { Ref: 'RouteTable' },
    PSARN_DLQ_URL: { Ref: 'RouterDlq' },
    PSARN_DLQ_ARN: { 'Fn::GetAtt': ['RouterDlq', 'Arn'] },
  };
};
