import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateQueueCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import {
  clearRecords,
  purgeQueue,
  queueUrl,
  readRecords,
  receiveAll,
  sqsClient,
  stackVar,
} from '../support/stack';

describe('test/support/stack helpers', () => {
  // A queue of this file's own: purging a shared demo queue would race other test files.
  const name = `psarn-local-helpers-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    await sqsClient().send(new CreateQueueCommand({ QueueName: name }));
  });

  it('receiveAll returns once the expected count arrived, and returns what came on timeout', async () => {
    const url = await queueUrl(name);
    await sqsClient().send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: ['a', 'b', 'c'].map((body) => ({ Id: body, MessageBody: body })),
      }),
    );
    const three = await receiveAll(url, { expected: 3 });
    expect(three.map((m) => m.Body).sort()).toEqual(['a', 'b', 'c']);
    const started = Date.now();
    await expect(receiveAll(url, { expected: 1, timeoutMs: 300 })).resolves.toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('purgeQueue empties a queue', async () => {
    const url = await queueUrl(name);
    await sqsClient().send(
      new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: '1', MessageBody: 'x' }] }),
    );
    await purgeQueue(name);
    await expect(receiveAll(url)).resolves.toEqual([]);
  });

  it('readRecords parses a record file and clearRecords removes it', async () => {
    const fn = `psarn-local-helpers-${randomUUID().slice(0, 8)}`;
    const line = { function: fn, receivedAt: new Date().toISOString(), event: { n: 1 } };
    await writeFile(join(stackVar('PSARN_RECORD_DIR'), `${fn}.jsonl`), `${JSON.stringify(line)}\n`);
    await expect(readRecords(fn)).resolves.toEqual([line]);
    await clearRecords(fn);
    await expect(readRecords(fn)).resolves.toEqual([]);
  });
});
