// The Lambda client, a chunk (bin/esbuild-chunks.cjs): the router loads it at its first Lambda
// delivery, never at init. Its SDK core (@smithy/core, @aws-sdk/core) lives in a chunk shared with
// the other clients, so it is not loaded twice (issue 11).
export { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
