import { createRouter } from '../../src/router/wiring';
import { parseEnvelope } from '../../src/router/envelope';
import { respond, type Observer, DeliveryIncompleteError } from '../../src/router/respond';
import { InMemoryRouteStore } from '../../src/store/in-memory-route-store';
import { RecordingForwarders } from '../support/recording-forwarders';
import { lambdaArn, psarnOf, route, snsArn, split, sqsArn, target } from '../support/routes';

const DLQ = sqsArn('router-dlq');
const single = route('/event/single', { targets: [split(lambdaArn('fn'), 1)] });
const fanned = route('/event/fanned', {
  targets: [split(lambdaArn('fn'), 1)],
  fanout: [target(snsArn('audit'))],
});
const alias = route('/event/alias', { targets: [split(single.psarn, 1)] });

async function setup() {
  const store = new InMemoryRouteStore();
  await store.publishRelease([single, fanned, alias], { by: 'test' });
  const fw = new RecordingForwarders();
  const { router, cache } = createRouter(
    {
      tableName: 't',
      deadLetterQueue: DLQ,
      epochCheckSeconds: 5,
      maxStaleSeconds: 60,
      negativeTtlSeconds: 5,
    },
    { store, forwarders: fw.lookup },
  );
  const seen = { accepted: 0, rejected: [] as string[], unsecured: 0 };
  const observer: Observer = {
    accepted: () => void seen.accepted++,
    rejected: (_psarn, error) => void seen.rejected.push(error.code),
    unsecured: () => void seen.unsecured++,
  };
  const send = async (event: unknown) => respond(router, parseEnvelope(event), observer);
  return { store, fw, cache, seen, send, parts: { router } };
}

describe('router responses', () => {
  it('returns a single Lambda target response unchanged to a direct invoke', async () => {
    const { send, fw } = await setup();
    await expect(send({ headers: { psarn: single.psarn }, payload: { id: 1 } })).resolves.toEqual({
      from: lambdaArn('fn'),
    });
    expect(fw.to(lambdaArn('fn'))[0]?.body).toBe('{"id":1}');
  });

  it('returns the delivery report when the plan has more than one target', async () => {
    const { send } = await setup();
    const report = await send({ headers: { psarn: fanned.psarn, 'psarn-trace-id': 't-1' }, payload: [1, 2] });
    expect(report).toEqual({
      psarn: fanned.psarn,
      routeVersion: 1,
      traceId: 't-1',
      deliveries: [
        { target: lambdaArn('fn'), role: 'split', status: 'delivered' },
        { target: snsArn('audit'), role: 'fanout', status: 'delivered' },
      ],
    });
  });

  it('follows an alias to the real target', async () => {
    const { send, fw } = await setup();
    await send({ headers: { psarn: alias.psarn }, payload: 'x' });
    expect(fw.to(lambdaArn('fn')).map((m) => m.body)).toEqual(['"x"']);
  });

  it('answers an unknown psARN and a malformed envelope with a typed error, not a crash', async () => {
    const { send, seen } = await setup();
    await expect(send({ headers: { psarn: psarnOf('/nope') }, payload: {} })).resolves.toEqual({
      psarn: psarnOf('/nope'),
      error: { code: 'ROUTE_NOT_FOUND', message: `no route for ${psarnOf('/nope')} in the live release` },
    });
    expect(() => parseEnvelope({ headers: {}, payload: {} })).toThrow(
      'malformed envelope: headers.psarn is missing',
    );
    expect(() => parseEnvelope({ payload: {} })).toThrow(/malformed envelope: expected \{"headers"/);
    expect(seen.rejected).toEqual(['ROUTE_NOT_FOUND']);
  });

  it('maps HTTP requests: x-psarn header in, JSON and status codes out', async () => {
    const { send } = await setup();
    const http = (psarn: string | undefined, body: string) => ({
      requestContext: { http: { method: 'POST' } },
      headers: {
        'content-type': 'application/json',
        ...(psarn === undefined ? {} : { 'X-Psarn': psarn }),
        'x-tenant': 'acme',
      },
      body: Buffer.from(body).toString('base64'),
      isBase64Encoded: true,
    });
    await expect(send(http(single.psarn, '{"a":1}'))).resolves.toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: lambdaArn('fn') }),
    });
    await expect(send(http(psarnOf('/nope'), '{}'))).resolves.toMatchObject({ statusCode: 404 });
    await expect(send(http(single.psarn, 'not json'))).rejects.toThrow('the HTTP body is not JSON');
  });

  it('passes HTTP producer headers on as metadata but not transport headers', async () => {
    const { send, fw } = await setup();
    await send({
      requestContext: { http: { method: 'POST' } },
      headers: {
        'x-psarn': fanned.psarn,
        'x-tenant': 'acme',
        host: 'abc.lambda-url.aws',
        'content-type': 'application/json',
      },
      body: '{}',
    });
    expect(fw.to(snsArn('audit'))[0]?.metadata['psarn-headers']).toBe('{"x-tenant":"acme","psarn-hops":"1"}');
  });

  it('reports SQS ingress failures per record and dead-letters records it rejects', async () => {
    const { send, fw } = await setup();
    fw.failing.add(lambdaArn('fn')).add(DLQ);
    const record = (id: string, psarn: string | undefined, body: string) => ({
      messageId: id,
      eventSource: 'aws:sqs',
      body,
      messageAttributes: psarn === undefined ? {} : { psarn: { stringValue: psarn, dataType: 'String' } },
    });
    const result = await send({
      Records: [
        record('m1', single.psarn, '{}'),
        record('m2', undefined, '{}'),
        record('m3', psarnOf('/nope'), '{}'),
      ],
    });
    // m1's target and the DLQ both fail: it cannot be secured and must be retried by SQS.
    expect(result).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm1' }, { itemIdentifier: 'm2' }, { itemIdentifier: 'm3' }],
    });
    fw.failing.clear();
    await expect(
      send({ Records: [record('m4', single.psarn, '{}'), record('m5', psarnOf('/nope'), '{"k":5}')] }),
    ).resolves.toEqual({
      batchItemFailures: [],
    });
    expect(fw.to(DLQ).at(-1)).toMatchObject({
      body: '{"k":5}',
      metadata: {
        'psarn-error': `ROUTE_NOT_FOUND: no route for ${psarnOf('/nope')} in the live release`,
        'psarn-park-reason': 'rejected',
      },
    });
  });

  it('fails the invocation when an event can be kept nowhere, so Lambda retries it', async () => {
    const { send, fw, seen } = await setup();
    fw.failing.add(lambdaArn('fn')).add(DLQ);
    await expect(send({ headers: { psarn: single.psarn }, payload: {} })).rejects.toBeInstanceOf(
      DeliveryIncompleteError,
    );
    expect(seen.unsecured).toBe(1);
  });

  it('rejects a payload larger than a target accepts before sending anything', async () => {
    const { send, fw } = await setup();
    // The recording forwarders accept 8 KiB, counted as the body's bytes.
    const big = 'x'.repeat(8200);
    await expect(send({ headers: { psarn: fanned.psarn }, payload: big })).resolves.toMatchObject({
      error: {
        code: 'PAYLOAD_TOO_LARGE',
        message: `payload with its headers and routing metadata of 8202 bytes exceeds 8192 bytes allowed by ${lambdaArn('fn')}`,
      },
    });
    expect(fw.sent).toEqual([]);
    await expect(
      send({ headers: { psarn: fanned.psarn }, payload: 'x'.repeat(8000) }),
    ).resolves.toMatchObject({
      deliveries: [{ status: 'delivered' }, { status: 'delivered' }],
    });
  });

  it('reads the store twice for a thousand events on one cached route', async () => {
    const { send, store, cache } = await setup();
    const before = store.reads;
    for (let i = 0; i < 1000; i++) await send({ headers: { psarn: single.psarn }, payload: i });
    expect(store.reads - before).toBe(2);
    expect(cache.stats.hits).toBe(999);
  });
});

describe('payload bytes', () => {
  it('forwards an HTTP or SQS body exactly as it arrived, whitespace and all', async () => {
    const { send, fw } = await setup();
    const text = '{ "b": 1,\n  "a": "é" }';
    await send({
      requestContext: { http: { method: 'POST' } },
      headers: { 'x-psarn': fanned.psarn },
      body: text,
    });
    await send({
      Records: [
        {
          messageId: 'm',
          eventSource: 'aws:sqs',
          body: text,
          messageAttributes: { psarn: { stringValue: fanned.psarn } },
        },
      ],
    });
    expect(fw.to(snsArn('audit')).map((m) => m.body)).toEqual([text, text]);
  });
});

describe('when the route table is unreachable', () => {
  it('fails a direct invoke (so it is retried) and reports SQS records for redelivery, dead-lettering nothing', async () => {
    const { send, store, fw } = await setup();
    store.failWith(new Error('connect ECONNREFUSED'));
    await expect(send({ headers: { psarn: single.psarn }, payload: {} })).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
    const result = await send({
      Records: [
        {
          messageId: 'm1',
          eventSource: 'aws:sqs',
          body: '{}',
          messageAttributes: { psarn: { stringValue: single.psarn } },
        },
      ],
    });
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(fw.to(DLQ)).toEqual([]);
  });
});

describe('trace ids and kept headers', () => {
  it("uses the invocation's request id as the trace id when the producer gave none", async () => {
    const { router } = (await setup()).parts;
    const report = (await respond(
      router,
      parseEnvelope({ headers: { psarn: fanned.psarn }, payload: {} }),
      { accepted: () => undefined, rejected: () => undefined, unsecured: () => undefined },
      { requestId: 'req-123' },
    )) as { traceId: string };
    expect(report.traceId).toBe('req-123');
  });

  it('keeps the producer headers of an SQS record it dead-letters', async () => {
    const { send, fw } = await setup();
    await send({
      Records: [
        {
          messageId: 'm9',
          eventSource: 'aws:sqs',
          body: '{}',
          messageAttributes: { psarn: { stringValue: psarnOf('/nope') }, tenant: { stringValue: 'acme' } },
        },
      ],
    });
    expect(fw.to(DLQ)[0]?.metadata['psarn-headers']).toBe('{"tenant":"acme"}');
  });
});

describe('HTTP psARN header', () => {
  it('takes the psARN from x-psarn only, never from a header named psarn', () => {
    expect(() =>
      parseEnvelope({
        requestContext: { http: { method: 'POST' } },
        headers: { psarn: single.psarn },
        body: '{}',
      }),
    ).toThrow('malformed envelope: header x-psarn is missing');
  });
});
