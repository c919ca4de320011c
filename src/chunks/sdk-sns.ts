// The SNS client (with its XML protocol), a chunk (bin/esbuild-chunks.cjs): the router loads it at
// its first SNS delivery, never at init; its SDK core is shared with the other clients (issue 11).
export { PublishBatchCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
