/**
 * Public AWS prices the cost figures use: us-east-1 (eu-west-1 charges the same for these), on
 * demand, first pricing tier, no free tier. Checked 2026-12-01 against AWS's Lambda and DynamoDB
 * pricing pages as quoted by third-party summaries (the pages themselves were out of reach): Lambda
 * arm64 $0.0000133334 per GB-s, x86 $0.0000166667 per GB-s, $0.20 per 1M requests, billed per
 * 1 ms; DynamoDB on-demand $0.125 per 1M read request units and $0.625 per 1M write request units
 * since the 50% cut of 2024-11-01. Change them here when AWS does.
 */
export const PRICES = {
  checked: '2026-12-01',
  region: 'us-east-1',
  lambdaGbSecond: { arm64: 0.0000133334, x86_64: 0.0000166667 },
  lambdaPerRequest: 0.2 / 1e6,
  dynamoReadRequestUnit: 0.125 / 1e6,
  dynamoWriteRequestUnit: 0.625 / 1e6,
} as const;

/** What serverless.yml and serverless/functions.js deploy the router with. */
export const ROUTER_FUNCTION = { architecture: 'arm64', memoryMb: 512 } as const;
