import { LOCAL_ACCOUNT, LOCAL_CREDENTIALS, LOCAL_REGION, LOCAL_STAGE, LOCAL_TABLE } from './demo-resources';

/** Endpoints of the local emulators, one per AWS service the project talks to. */
export interface StackEndpoints {
  readonly dynamodb: string;
  readonly sqs: string;
  readonly sns: string;
  readonly lambda: string;
  readonly eventbridge: string;
}

export interface StackEnvInput {
  readonly endpoints: StackEndpoints;
  readonly dlqUrl: string;
  readonly dlqArn: string;
  readonly recordDir: string;
}

/**
 * The environment that points the AWS SDK, the CLI, the router and the tests at the local stack:
 * the SDK's own per-service endpoint variables, so no code needs a flag for local use.
 *
 * @example
 * Object.assign(process.env, stackEnv({ endpoints, dlqUrl, dlqArn, recordDir }));
 */
export function stackEnv(input: StackEnvInput): Record<string, string> {
  return {
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: input.endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: input.endpoints.sqs,
    AWS_ENDPOINT_URL_SNS: input.endpoints.sns,
    AWS_ENDPOINT_URL_LAMBDA: input.endpoints.lambda,
    AWS_ENDPOINT_URL_EVENTBRIDGE: input.endpoints.eventbridge,
    PSARN_ACCOUNT: LOCAL_ACCOUNT,
    PSARN_STAGE: LOCAL_STAGE,
    PSARN_TABLE: LOCAL_TABLE,
    PSARN_DLQ_URL: input.dlqUrl,
    PSARN_DLQ_ARN: input.dlqArn,
    PSARN_RECORD_DIR: input.recordDir,
    // serverless-offline invokes functions by bare name and its EventBridge plugin matches buses by
    // name: said explicitly, because no other custom endpoint (VPC endpoint, proxy) implies it.
    PSARN_TARGETS_BY_NAME: 'true',
  };
}
