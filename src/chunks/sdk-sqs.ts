// The SQS client, a chunk (bin/esbuild-chunks.cjs): the router loads it at its first SQS delivery,
// never at init; its SDK core is shared with the other clients (issue 11).
export {
  GetQueueUrlCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
