// The EventBridge client, a chunk (bin/esbuild-chunks.cjs): the router loads it at its first
// EventBridge delivery, never at init; its SDK core is shared with the other clients (issue 11).
export { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
