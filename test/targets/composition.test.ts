/**
 * What the one composition point (createForwarders) puts around every forwarder, shown with
 * SDK-level fakes where no emulator can produce the failure (entries a service fails on its side,
 * throttled entries, a call that never answers) and a real socket that never answers for the
 * client timeouts. Defects of "Nothing lost under faults": items 3, 4, 9, 10, 12.
 */
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { createAwsClients } from '../../src/targets/clients';
import { createForwarders, type ForwarderClients } from '../../src/targets/registry';
import { DynamoRouteStore } from '../../src/store/dynamo-route-store';
import { StoreUnavailableError } from '../../src/errors';
import { fakeClient, type SentCommand } from './fake-client';
import { message } from './messages';

const URL = 'http://sqs.us-east-1.localhost/000000000000/q';
type Entry = { Id: string; MessageGroupId?: string; MessageBody: string };
/** The messages an SQS request carried: a batch's entries, or the one message of a SendMessage. */
const entriesOf = (c: SentCommand): Entry[] =>
  c.name === 'SendMessageCommand' ? [c.input as unknown as Entry] : ((c.input['Entries'] ?? []) as Entry[]);
const isSend = (c: SentCommand): boolean =>
  c.name === 'SendMessageBatchCommand' || c.name === 'SendMessageCommand';
const env = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' };

/** A TCP server that accepts connections and never answers: a hung AWS endpoint. */
async function blackhole(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('every AWS call has a timeout (defect 3)', () => {
  it('a route table that never answers fails the read in bounded time instead of hanging', async () => {
    const hole = await blackhole();
    try {
      const clients = createAwsClients({
        ...env,
        AWS_ENDPOINT_URL_DYNAMODB: hole.url,
        PSARN_DYNAMODB_TIMEOUT_MS: '300',
      });
      const store = new DynamoRouteStore({ client: clients.dynamodb, tableName: 't' });
      const started = Date.now();
      await expect(store.readControl()).rejects.toBeInstanceOf(StoreUnavailableError);
      // Two attempts of 300 ms and the SDK's backoff: far below the test's own timeout.
      expect(Date.now() - started).toBeLessThan(5000);
      clients.dynamodb.destroy();
    } finally {
      await hole.close();
    }
  });
});

/** A Lambda client whose invoke never answers, but honours the abort signal as the SDK does. */
function hangingLambda(): { client: LambdaClient; aborted: () => number } {
  let aborted = 0;
  const client = {
    send: (_command: unknown, options?: { abortSignal?: AbortSignal }) =>
      new Promise((_resolve, reject) => {
        options?.abortSignal?.addEventListener('abort', () => {
          aborted++;
          reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }));
        });
      }),
  };
  return { client: client as unknown as LambdaClient, aborted: () => aborted };
}

describe('the deadline (defect 4)', () => {
  it('ends a call that would outlive the deadline: DEADLINE_EXCEEDED, the call aborted', async () => {
    const { client, aborted } = hangingLambda();
    const { forwarderFor } = createForwarders({ env, clients: { lambda: client } });
    const started = Date.now();
    const fn = { arn: 'arn:aws:lambda:us-east-1:000000000000:function:slow', kind: 'lambda' as const };
    const [outcome] = await forwarderFor('lambda').send(fn, [message(1)], {
      sync: true,
      deadline: Date.now() + 200,
    });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(outcome?.ok === false && (outcome.error as { code?: string }).code).toBe('DEADLINE_EXCEEDED');
    expect(aborted()).toBe(1);
  });

  it('starts no call once the deadline has passed', async () => {
    const { client, sent } = fakeClient<SQSClient>(() => ({ QueueUrl: URL }));
    const { forwarderFor } = createForwarders({ env, clients: { sqs: client } });
    const q = { arn: 'arn:aws:sqs:us-east-1:000000000000:q', kind: 'sqs' as const };
    const [outcome] = await forwarderFor('sqs').send(q, [message(1)], {
      sync: true,
      deadline: Date.now() - 1,
    });
    expect(outcome?.ok === false && (outcome.error as { code?: string }).code).toBe('DEADLINE_EXCEEDED');
    expect(sent).toEqual([]);
  });
});

describe('retries of what a later attempt can get past (defect 12)', () => {
  it('puts an EventBridge entry again after ThrottlingException / InternalFailure, only that entry', async () => {
    let call = 0;
    const { client, sent } = fakeClient<EventBridgeClient>((c) => {
      call++;
      const entries = (c.input['Entries'] ?? []) as unknown[];
      return {
        FailedEntryCount: call === 1 ? 2 : 0,
        Entries: entries.map((_, i) =>
          call === 1 && i === 1
            ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }
            : call === 1 && i === 2
              ? { ErrorCode: 'InternalFailure', ErrorMessage: 'oops' }
              : { EventId: `e${call}-${i}` },
        ),
      };
    });
    const { forwarderFor } = createForwarders({ env, clients: { eventbridge: client } });
    const bus = { arn: 'arn:aws:events:us-east-1:000000000000:event-bus/b', kind: 'events' as const };
    const outcomes = await forwarderFor('events').send(
      bus,
      [message({ a: 0 }), message({ a: 1 }), message({ a: 2 })],
      {
        sync: true,
      },
    );
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true]);
    expect(sent.map((c) => ((c.input['Entries'] ?? []) as unknown[]).length)).toEqual([3, 2]);
  });

  it('sends an SQS entry again when SQS failed it on its side (SenderFault false), not when the sender was at fault', async () => {
    let batch = 0;
    const { client, sent } = fakeClient<SQSClient>((c) => {
      if (c.name === 'GetQueueUrlCommand') return { QueueUrl: URL };
      batch++;
      if (c.name === 'SendMessageCommand') return { MessageId: `m-${batch}` };
      const entries = entriesOf(c);
      const failed = batch === 1 ? entries : [];
      return {
        Successful: entries.filter((e) => !failed.includes(e)).map((e) => ({ Id: e.Id })),
        Failed: failed.map((e) => ({
          Id: e.Id,
          Code: e.MessageBody === '"server"' ? 'InternalError' : 'InvalidParameterValue',
          Message: 'x',
          SenderFault: e.MessageBody !== '"server"',
        })),
      };
    });
    const { forwarderFor } = createForwarders({ env, clients: { sqs: client } });
    const q = { arn: 'arn:aws:sqs:us-east-1:000000000000:q', kind: 'sqs' as const };
    const outcomes = await forwarderFor('sqs').send(q, [message('server'), message('sender')], {
      sync: true,
    });
    expect(outcomes.map((o) => o.ok)).toEqual([true, false]);
    // The retry carries the one entry SQS failed on its side: alone, it goes out as SendMessage.
    expect(sent.filter(isSend).map((c) => [c.name, entriesOf(c).length])).toEqual([
      ['SendMessageBatchCommand', 2],
      ['SendMessageCommand', 1],
    ]);
  });
});

describe('FIFO order on partial failure (defect 9)', () => {
  it('holds later messages of a group behind one that failed, and lets other groups through', async () => {
    let batch = 0;
    const { client, sent } = fakeClient<SQSClient>((c) => {
      if (c.name === 'GetQueueUrlCommand') return { QueueUrl: URL };
      batch++;
      if (c.name === 'SendMessageCommand') return { MessageId: `m-${batch}` };
      const entries = entriesOf(c);
      // The first entry of group g1 is refused (for what it is: no retry can help).
      const failed = batch === 1 ? entries.filter((e) => e.MessageBody === '{"g":"g1","n":0}') : [];
      return {
        Successful: entries.filter((e) => !failed.includes(e)).map((e) => ({ Id: e.Id })),
        Failed: failed.map((e) => ({
          Id: e.Id,
          Code: 'InvalidMessageContents',
          Message: 'x',
          SenderFault: true,
        })),
      };
    });
    const { forwarderFor } = createForwarders({ env, clients: { sqs: client } });
    const fifo = {
      arn: 'arn:aws:sqs:us-east-1:000000000000:q.fifo',
      kind: 'sqs' as const,
      groupBy: 'payload.g',
    };
    // 10 per batch: the first batch carries g1/0 and g2/1..9; the second g1/10 and g2/11.
    const messages = Array.from({ length: 12 }, (_, n) =>
      message({ g: n === 0 || n === 10 ? 'g1' : 'g2', n }),
    );
    const outcomes = await forwarderFor('sqs').send(fifo, messages, { sync: true });
    expect(outcomes[0]?.ok).toBe(false);
    const held = outcomes[10];
    expect(held?.ok === false && (held.error as { code?: string }).code).toBe('FIFO_ORDER_HELD');
    expect(outcomes.filter((o) => o.ok)).toHaveLength(10);
    // The second batch is left with g2/11 alone once g1/10 is held back: a SendMessage.
    const sentBodies = sent.filter(isSend).flatMap((c) => entriesOf(c).map((e) => e.MessageBody));
    expect(sentBodies).not.toContain('{"g":"g1","n":10}');
    expect(sentBodies).toContain('{"g":"g2","n":11}');
  });
});

describe('targets in other regions, for every caller (defect 10)', () => {
  it("sends another region's queue through a client of that region, with no option given", async () => {
    const regions: string[] = [];
    const clientFor = (region: string): ForwarderClients => {
      const { client } = fakeClient<SQSClient>((c) => {
        regions.push(region);
        if (c.name === 'GetQueueUrlCommand') return { QueueUrl: URL };
        return { Successful: entriesOf(c).map((e) => ({ Id: e.Id })), Failed: [] };
      });
      return { sqs: client } as unknown as ForwarderClients;
    };
    const { client: homeSqs } = fakeClient<SQSClient>((c) => {
      regions.push('home');
      if (c.name === 'GetQueueUrlCommand') return { QueueUrl: URL };
      return { Successful: entriesOf(c).map((e) => ({ Id: e.Id })), Failed: [] };
    });
    const { forwarderFor } = createForwarders({ env, clients: { sqs: homeSqs }, clientsFor: clientFor });
    await forwarderFor('sqs').send(
      { arn: 'arn:aws:sqs:eu-west-2:000000000000:q', kind: 'sqs' },
      [message(1)],
      { sync: true },
    );
    await forwarderFor('sqs').send(
      { arn: 'arn:aws:sqs:us-east-1:000000000000:q', kind: 'sqs' },
      [message(1)],
      { sync: true },
    );
    expect(regions).toEqual(['eu-west-2', 'eu-west-2', 'home', 'home']);
  });
});

describe('the deadline keeps what already succeeded (review of issue 7)', () => {
  it('fails only the copies still unsettled when a call ignores the abort', async () => {
    let calls = 0;
    // The first invoke answers; the second never settles, not even on abort (an SDK sleeping in a
    // retry backoff, or a credential lookup, does not see the signal).
    const client = {
      send: () => {
        calls++;
        return calls === 1
          ? Promise.resolve({ StatusCode: 200, Payload: new TextEncoder().encode('{"ok":true}') })
          : new Promise(() => undefined);
      },
    } as unknown as LambdaClient;
    const { forwarderFor } = createForwarders({
      env,
      clients: { lambda: client },
      lambda: { concurrency: 1 },
    });
    const fn = { arn: 'arn:aws:lambda:us-east-1:000000000000:function:f', kind: 'lambda' as const };
    const outcomes = await forwarderFor('lambda').send(fn, [message(1), message(2)], {
      sync: true,
      deadline: Date.now() + 200,
    });
    expect(outcomes[0]?.ok).toBe(true);
    expect(outcomes[1]?.ok === false && (outcomes[1].error as { code?: string }).code).toBe(
      'DEADLINE_EXCEEDED',
    );
  });
});
