import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { LOCAL_BUS, LOCAL_CREDENTIALS, LOCAL_REGION, localName } from './demo-resources';

/** detail-type of the stack's own readiness event; test helpers skip records that carry it. */
export const PROBE_DETAIL_TYPE = 'psarn.local-stack.probe';

/**
 * Put one event on the local bus and wait until busListener has recorded it. The EventBridge
 * plugin's HTTP server answers before its internal MQTT subscriber is connected, and events put
 * in that gap are dropped silently; only a round trip proves the path is open. The probe's record
 * file is removed afterwards so tests start from nothing.
 *
 * @example
 * await probeEventBridge({ endpoint: 'http://127.0.0.1:4010', recordDir });
 */
export async function probeEventBridge(options: {
  readonly endpoint: string;
  readonly recordDir: string;
  readonly timeoutMs?: number;
}): Promise<void> {
  const client = new EventBridgeClient({
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    endpoint: options.endpoint,
  });
  const probe = randomUUID();
  const file = join(options.recordDir, `${localName('busListener')}.jsonl`);
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  try {
    while (Date.now() < deadline) {
      await client.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: LOCAL_BUS,
              Source: 'psarn',
              DetailType: PROBE_DETAIL_TYPE,
              Detail: JSON.stringify({ probe }),
            },
          ],
        }),
      );
      const resendAt = Date.now() + 1000;
      while (Date.now() < resendAt) {
        if ((await readFile(file, 'utf8').catch(() => '')).includes(probe)) {
          await rm(file, { force: true });
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
    throw new Error(
      `an event put on ${LOCAL_BUS} at ${options.endpoint} did not reach ${localName('busListener')} ` +
        `(no record in ${file}); see the serverless-offline log in .local-stack/`,
    );
  } finally {
    client.destroy();
  }
}
