import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';

/** One line of `${PSARN_RECORD_DIR}/${function}.jsonl`: what a demo target received, and when. */
export interface RecordLine {
  readonly function: string;
  readonly receivedAt: string;
  readonly event: unknown;
}

/** What the recorder returns: tests of sync passthrough compare against it. */
export interface RecorderResponse {
  readonly ok: true;
  readonly function: string;
  readonly received: unknown;
}

/**
 * A demo target Lambda: appends each event it receives as one JSON line to
 * `${PSARN_RECORD_DIR}/${functionName}.jsonl` and returns it, so tests and the demo can see exactly
 * what reached which function.
 *
 * @example
 * // invoked as psarn-local-signupV1 with {"a":1}:
 * // → {"ok":true,"function":"psarn-local-signupV1","received":{"a":1}}
 * // and .../psarn-local-signupV1.jsonl gains {"function":"psarn-local-signupV1","receivedAt":"…","event":{"a":1}}
 */
export async function handler(event: unknown, context: Context): Promise<RecorderResponse> {
  const dir = process.env.PSARN_RECORD_DIR;
  if (dir === undefined || dir === '') {
    throw new Error(`${context.functionName}: PSARN_RECORD_DIR is not set, nowhere to record the event`);
  }
  const line: RecordLine = { function: context.functionName, receivedAt: new Date().toISOString(), event };
  await mkdir(dir, { recursive: true });
  // One write per line with O_APPEND: concurrent invocations never interleave inside a line.
  await appendFile(join(dir, `${context.functionName}.jsonl`), `${JSON.stringify(line)}\n`);
  return { ok: true, function: context.functionName, received: event };
}
