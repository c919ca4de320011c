/**
 * Defect of "Nothing lost under faults" (item 14), through the real Lambda handler on the local
 * stack's route table: a producer's made-up psARNs must not become metric dimensions (one series
 * each; a secret put in a psARN would land in metrics), and every failure log line carries its
 * code and reason (Powertools Logger drops an extra attribute named `message`).
 */
import type { Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { psarnOf } from '../support/routes';
import { stackVar } from '../support/stack';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

function loadHandler(): Handler {
  stackVar('PSARN_TABLE');
  let handler: Handler | undefined;
  // A fresh module: the handler's module-scope cache and metrics are this test's own. Jest's
  // module registry is reached through require (esbuild's transform keeps import() native).
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handler = (require('../../src/router/handler') as { handler: Handler }).handler;
  });
  return handler as Handler;
}

const context = (): Context =>
  ({
    awsRequestId: randomUUID(),
    getRemainingTimeInMillis: () => 10_000,
    functionName: 'psarn-local-router',
  }) as unknown as Context;

async function captured(fn: () => Promise<void>): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    await fn();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return lines
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

it('names no metric after made-up psARNs, and logs every rejection with its code and message', async () => {
  const handler = loadHandler();
  const secret = `secret-${randomUUID()}`;
  const records = await captured(async () => {
    for (let i = 0; i < 20; i++) {
      await handler({ headers: { psarn: psarnOf(`/made-up/${secret}/${i}`) }, payload: {} }, context());
    }
    await handler({ headers: { psarn: 'not-a-psarn' }, payload: {} }, context());
    await handler({ payload: {} }, context());
  });
  const emf = records.filter((r) => '_aws' in r);
  const logs = records.filter((r) => !('_aws' in r));
  const dimensionValues = emf.map((r) => r['psarn']).filter((v) => v !== undefined);
  expect(dimensionValues.length).toBeGreaterThan(0);
  expect(new Set(dimensionValues)).toEqual(new Set(['unrouted']));
  expect(JSON.stringify(emf)).not.toContain(secret);
  const failures = logs.filter((l) => l['level'] === 'WARN' || l['level'] === 'ERROR');
  expect(failures).toHaveLength(22);
  for (const line of failures) {
    expect(line['errorCode']).toEqual(expect.any(String));
    expect(line['errorMessage']).toEqual(expect.any(String));
  }
  expect(failures.map((l) => l['errorCode'])).toEqual([
    ...Array.from({ length: 20 }, () => 'ROUTE_NOT_FOUND'),
    'INVALID_PSARN',
    'MALFORMED_ENVELOPE',
  ]);
});
