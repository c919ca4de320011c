/**
 * What a producer sees when health leaves a route no split target: with nothing to park the event
 * in, it is refused before anything is sent with ALL_TARGETS_UNHEALTHY — retryable, so an SQS
 * ingress record goes back to SQS (batchItemFailures) rather than to the DLQ or nowhere, and an
 * HTTP producer gets 503. The router, store and engine are the real ones over the Forwarder port.
 */
import { viewOf } from '../../src/health/health-view';
import { parseEnvelope } from '../../src/router/envelope';
import { respond, type Observer } from '../../src/router/respond';
import { createRouter } from '../../src/router/wiring';
import { InMemoryRouteStore } from '../../src/store/in-memory-route-store';
import { RecordingForwarders } from '../support/recording-forwarders';
import { lambdaArn, route, split, sqsArn } from '../support/routes';

const a = lambdaArn('a');
const b = lambdaArn('b');
const noop: Observer = { accepted: () => undefined, rejected: () => undefined, unsecured: () => undefined };

async function routerWith(health: ReturnType<typeof viewOf>) {
  const store = new InMemoryRouteStore();
  const r = route('/event/u', { targets: [split(a, 1), split(b, 1)] });
  await store.publishRelease([r], { by: 'test' });
  const fw = new RecordingForwarders();
  const { router } = createRouter(
    {
      tableName: 't',
      deadLetterQueue: sqsArn('dlq'),
      epochCheckSeconds: 5,
      maxStaleSeconds: 60,
      negativeTtlSeconds: 5,
    },
    { store, forwarders: fw.lookup, health: { view: () => health, ready: () => undefined } },
  );
  return { router, fw, psarn: r.psarn };
}

const mark = { status: 'removed' as const, reason: 'does not exist' };

it('returns an SQS ingress record to SQS when no split target is healthy and the route cannot park', async () => {
  const { router, fw, psarn } = await routerWith(
    viewOf(
      new Map([
        [a, mark],
        [b, mark],
      ]),
    ),
  );
  const result = await respond(
    router,
    parseEnvelope({
      Records: [
        {
          messageId: 'm1',
          eventSource: 'aws:sqs',
          body: '{}',
          messageAttributes: { psarn: { stringValue: psarn, dataType: 'String' } },
        },
      ],
    }),
    noop,
  );
  expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
  expect(fw.sent).toEqual([]);
});

it('answers an HTTP producer 503 with the code and what to do', async () => {
  const { router, fw, psarn } = await routerWith(
    viewOf(
      new Map([
        [a, mark],
        [b, mark],
      ]),
    ),
  );
  const result = (await respond(
    router,
    parseEnvelope({
      headers: { 'x-psarn': psarn },
      body: '{}',
      requestContext: { http: { method: 'POST' } },
    }),
    noop,
  )) as { statusCode: number; body: string };
  expect(result.statusCode).toBe(503);
  expect(JSON.parse(result.body)).toMatchObject({
    error: {
      code: 'ALL_TARGETS_UNHEALTHY',
      message: expect.stringMatching(/no park queue: nothing was sent/),
    },
  });
  expect(fw.sent).toEqual([]);
});

it('sends to the healthy target only while the other is out', async () => {
  const { router, fw, psarn } = await routerWith(viewOf(new Map([[a, mark]])));
  for (let i = 0; i < 20; i++)
    await respond(router, parseEnvelope({ headers: { psarn }, payload: { i } }), noop);
  expect(fw.to(a)).toHaveLength(0);
  expect(fw.to(b)).toHaveLength(20);
});

it('splits concurrent events exactly as sequential ones while a #health read is due (the seed is not shared across an await)', async () => {
  const store = new InMemoryRouteStore();
  const r = route('/event/seeded', { targets: [split(a, 1), split(b, 1)] });
  await store.publishRelease([r], { by: 'test' });
  const build = (ready: () => Promise<void> | undefined) => {
    const fw = new RecordingForwarders();
    const { router } = createRouter(
      {
        tableName: 't',
        deadLetterQueue: sqsArn('dlq'),
        epochCheckSeconds: 5,
        maxStaleSeconds: 60,
        negativeTtlSeconds: 5,
      },
      { store, forwarders: fw.lookup, health: { view: () => viewOf(new Map()), ready } },
    );
    return { router, fw };
  };
  const ids = Array.from({ length: 100 }, (_, i) => `evt-${i}`);
  const send = (router: ReturnType<typeof build>['router'], id: string) =>
    respond(
      router,
      parseEnvelope({ headers: { psarn: r.psarn, 'psarn-event-id': id }, payload: { id } }),
      noop,
    );
  const where = (fw: RecordingForwarders) =>
    Object.fromEntries(fw.sent.flatMap((s) => s.messages.map((m) => [m.event.eventId, s.target])));

  const sequential = build(() => undefined);
  for (const id of ids) await send(sequential.router, id);
  // Every event waits for a "due read" that answers after a different delay, so they interleave.
  let n = 0;
  const concurrent = build(() => new Promise((resolve) => setTimeout(resolve, (n++ * 7) % 5)));
  await Promise.all(ids.map((id) => send(concurrent.router, id)));
  expect(where(concurrent.fw)).toEqual(where(sequential.fw));
});
