import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import type { RecordLine } from '../../demo/functions/recorder';
import { LOCAL_QUEUES, LOCAL_STAGE, localName } from '../../src/local/demo-resources';
import { PROBE_DETAIL_TYPE } from '../../src/local/probe-eventbridge';

/**
 * Helpers for integration tests against the local stack that test/setup/global-setup.ts starts
 * once per jest run. Everything is found through the environment the setup exports (the SDK's own
 * AWS_ENDPOINT_URL_* variables, PSARN_*), so clients here are plain SDK clients.
 *
 * The stack is shared by all test files and jest runs two at once: tag what you send with a
 * unique id and look for that id, rather than expecting a queue or record file to be empty.
 */

/** A variable the global setup exports; a clear error when the stack is not running. */
export function stackVar(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(
      `${name} is not set: the local stack is not running for this test run ` +
        `(global-setup skips it for pure-only runs; PSARN_LOCAL_STACK=on forces it)`,
    );
  }
  return value;
}

// One client per service per jest worker, built lazily from the environment.
let sqs: SQSClient | undefined;
let sns: SNSClient | undefined;
let lambda: LambdaClient | undefined;
let eventBridge: EventBridgeClient | undefined;
let dynamo: DynamoDBClient | undefined;

/**
 * SQS client on the local stack. fauxqs queue URLs name `sqs.<region>.localhost`, which need not
 * resolve, so the client sends to the endpoint variable and never to the URL's host.
 *
 * @example
 * await sqsClient().send(new SendMessageCommand({ QueueUrl: await queueUrl('orders'), MessageBody: 'x' }));
 */
export function sqsClient(): SQSClient {
  stackVar('AWS_ENDPOINT_URL_SQS');
  sqs ??= new SQSClient({ useQueueUrlAsEndpoint: false });
  return sqs;
}

/** SNS client on the local stack (fauxqs). */
export function snsClient(): SNSClient {
  stackVar('AWS_ENDPOINT_URL_SNS');
  sns ??= new SNSClient({});
  return sns;
}

/** Lambda client on serverless-offline: invoke functions by name (`psarn-local-…`), never by ARN. */
export function lambdaClient(): LambdaClient {
  stackVar('AWS_ENDPOINT_URL_LAMBDA');
  lambda ??= new LambdaClient({});
  return lambda;
}

/** EventBridge client on serverless-offline-aws-eventbridge (PutEvents only). */
export function eventBridgeClient(): EventBridgeClient {
  stackVar('AWS_ENDPOINT_URL_EVENTBRIDGE');
  eventBridge ??= new EventBridgeClient({});
  return eventBridge;
}

/** DynamoDB client on the stack's dynalite. */
export function dynamoClient(): DynamoDBClient {
  stackVar('AWS_ENDPOINT_URL_DYNAMODB');
  dynamo ??= new DynamoDBClient({});
  return dynamo;
}

/** `orders` → `psarn-local-orders`; a name already in that form is kept. */
export function fullName(name: string): string {
  return name.startsWith(`psarn-${LOCAL_STAGE}-`) ? name : localName(name);
}

/** Every demo queue's full name, e.g. for purging them all. */
export const LOCAL_QUEUE_NAMES: readonly string[] = LOCAL_QUEUES.map((q) => q.name);

const urls = new Map<string, string>();

/**
 * URL of a demo queue (`orders` or `psarn-local-orders`), as fauxqs names it.
 *
 * @example
 * const url = await queueUrl('orders.fifo');
 */
export async function queueUrl(name: string): Promise<string> {
  const queueName = fullName(name);
  const cached = urls.get(queueName);
  if (cached !== undefined) return cached;
  const out = await sqsClient().send(new GetQueueUrlCommand({ QueueName: queueName }));
  if (out.QueueUrl === undefined) throw new Error(`GetQueueUrl ${queueName} returned no QueueUrl`);
  urls.set(queueName, out.QueueUrl);
  return out.QueueUrl;
}

export interface ReceiveOptions {
  /** Stop as soon as this many messages (that pass `filter`) have arrived. */
  readonly expected?: number;
  /** Give up after this long and return what arrived; default 5000 ms. */
  readonly timeoutMs?: number;
  /** Keep only matching messages (others are left on the queue, visible again after 1 s). */
  readonly filter?: (message: Message) => boolean;
}

/**
 * Receive (and delete) messages from a queue until `expected` matching ones have arrived or the
 * timeout passes. Without `expected`, returns once a receive comes back empty. Message and system
 * attributes are included.
 *
 * @example
 * const [message] = await receiveAll(await queueUrl('orders'), { expected: 1, filter: (m) => m.Body?.includes(id) === true });
 */
export async function receiveAll(url: string, options: ReceiveOptions = {}): Promise<Message[]> {
  const deadline = Date.now() + (options.timeoutMs ?? 5000);
  const got: Message[] = [];
  for (;;) {
    const out = await sqsClient().send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: options.expected === undefined ? 0 : 1,
        // Messages another test's filter rejects come back quickly for that test.
        VisibilityTimeout: options.filter === undefined ? 30 : 1,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const messages = out.Messages ?? [];
    const mine = options.filter === undefined ? messages : messages.filter(options.filter);
    got.push(...mine);
    if (mine.length > 0) {
      await sqsClient().send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: mine.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
    if (options.expected !== undefined && got.length >= options.expected) return got;
    if (options.expected === undefined && messages.length === 0) return got;
    if (Date.now() > deadline) return got;
  }
}

/**
 * Messages in a queue, visible or in flight (received but not deleted): 0 means truly empty,
 * which a receive alone cannot tell.
 *
 * @example
 * expect(await queueDepth(url)).toBe(0);
 */
export async function queueDepth(url: string): Promise<number> {
  const out = await sqsClient().send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/** Empty one demo queue (PurgeQueue). Only for queues no concurrently running file uses. */
export async function purgeQueue(name: string): Promise<void> {
  await sqsClient().send(new PurgeQueueCommand({ QueueUrl: await queueUrl(name) }));
}

/** Empty every demo queue. */
export async function purgeAllQueues(): Promise<void> {
  await Promise.all(LOCAL_QUEUE_NAMES.map((name) => purgeQueue(name)));
}

function recordFile(functionName: string): string {
  return join(stackVar('PSARN_RECORD_DIR'), `${fullName(functionName)}.jsonl`);
}

/**
 * What a demo function recorded, oldest first (`signupV1` or `psarn-local-signupV1`). The stack's
 * own EventBridge readiness probe is left out.
 *
 * @example
 * const records = await readRecords('signupV1');
 * records.at(-1)?.event // the event it received
 */
export async function readRecords(functionName: string): Promise<RecordLine[]> {
  const text = await readFile(recordFile(functionName), 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  });
  // Only lines ended by a newline are complete: a function may be appending the last one now.
  return text
    .split('\n')
    .slice(0, -1)
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as RecordLine)
    .filter(
      (record) => (record.event as { 'detail-type'?: unknown } | null)?.['detail-type'] !== PROBE_DETAIL_TYPE,
    );
}

/**
 * Poll a function's records until `count` of them match `predicate` (default: any), or fail after
 * `timeoutMs` naming the function and what was there.
 *
 * @example
 * const [record] = await waitForRecords('busListener', (r) => JSON.stringify(r.event).includes(id));
 */
export async function waitForRecords(
  functionName: string,
  predicate: (record: RecordLine) => boolean = () => true,
  options: { readonly count?: number; readonly timeoutMs?: number } = {},
): Promise<RecordLine[]> {
  const count = options.count ?? 1;
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    const all = await readRecords(functionName);
    const matching = all.filter(predicate);
    if (matching.length >= count) return matching;
    if (Date.now() > deadline) {
      throw new Error(
        `${fullName(functionName)} recorded ${matching.length} matching event(s), expected ${count} ` +
          `(${all.length} record(s) in ${recordFile(functionName)})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Forget what one demo function (or, without a name, every function) recorded. */
export async function clearRecords(functionName?: string): Promise<void> {
  if (functionName !== undefined) {
    await rm(recordFile(functionName), { force: true });
    return;
  }
  const dir = stackVar('PSARN_RECORD_DIR');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.jsonl'));
  await Promise.all(files.map((f) => rm(join(dir, f), { force: true })));
}
