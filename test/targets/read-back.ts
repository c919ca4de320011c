import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** One copy as it reached the target: the body text, and the message attributes where the service has them. */
export interface Received {
  readonly body: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Copies that arrived, by the marker (`payload.id`) of the message they came from. */
export type Arrivals = Map<string, Received[]>;

/** Reads the marker a contract message carries; `undefined` for a body that is not one of ours. */
export function markerOf(body: unknown): string | undefined {
  const parsed: unknown = typeof body === 'string' ? safeParse(body) : body;
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const id = (parsed as { id?: unknown }).id;
  return typeof id === 'string' ? id : undefined;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Poll until `done` says the arrivals are complete, or the deadline passes. */
export async function pollUntil(
  read: () => Promise<Arrivals>,
  done: (arrivals: Arrivals) => boolean,
  timeoutMs = 20_000,
): Promise<Arrivals> {
  const deadline = Date.now() + timeoutMs;
  let arrivals = await read();
  while (!done(arrivals) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    arrivals = await read();
  }
  return arrivals;
}

/** A queue of this test file's own on fauxqs, so parallel suites never take each other's messages. */
export async function createTestQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string> = {},
): Promise<{ url: string; arn: string }> {
  const created = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const url = created.QueueUrl as string;
  const attrs = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  return { url, arn: attrs.Attributes?.['QueueArn'] as string };
}

export async function deleteTestQueue(sqs: SQSClient, url: string): Promise<void> {
  await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
}

/**
 * Everything received from a queue so far, accumulated across calls (each message is deleted
 * once read), with its String message attributes.
 */
export function queueReader(sqs: SQSClient, url: string): () => Promise<Arrivals> {
  const arrivals: Arrivals = new Map();
  return async () => {
    for (;;) {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          MessageAttributeNames: ['All'],
          WaitTimeSeconds: 0,
        }),
      );
      const messages = out.Messages ?? [];
      if (messages.length === 0) return arrivals;
      for (const m of messages) {
        const body = m.Body ?? '';
        const metadata = Object.fromEntries(
          Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? '']),
        );
        const marker = markerOf(body) ?? `unparsed:${body.slice(0, 40)}`;
        arrivals.set(marker, [...(arrivals.get(marker) ?? []), { body, metadata }]);
      }
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle as string })),
        }),
      );
    }
  };
}

/**
 * The events a demo recorder function wrote to `${PSARN_RECORD_DIR}/<function>.jsonl`, re-serialised
 * (serverless-offline hands the function parsed JSON). `pick` selects the part that is the body:
 * the event itself for a direct invoke, `detail` for an EventBridge rule target.
 */
export function recordReader(
  functionName: string,
  pick: (event: Record<string, unknown>) => unknown,
): () => Promise<Arrivals> {
  const file = join(process.env.PSARN_RECORD_DIR ?? '', `${functionName}.jsonl`);
  return async () => {
    const arrivals: Arrivals = new Map();
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return arrivals; // nothing recorded yet
    }
    // Only lines ended by a newline are complete: a function may be appending the last one now.
    const lines = text.split('\n').slice(0, -1);
    for (const line of lines) {
      if (line.trim() === '') continue;
      const record = JSON.parse(line) as { event: Record<string, unknown> };
      const picked = pick(record.event);
      const marker = markerOf(picked);
      if (marker === undefined) continue;
      arrivals.set(marker, [...(arrivals.get(marker) ?? []), { body: JSON.stringify(picked) }]);
    }
    return arrivals;
  };
}
