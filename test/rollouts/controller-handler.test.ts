/**
 * The scheduled controller's Lambda entry (src/rollouts/controller-handler.ts), loaded as Lambda
 * loads it, against a route table of its own in the local stack's dynalite.
 */
import { randomUUID } from 'node:crypto';
import { startRollout } from '../../src/rollouts/controller';
import { rolloutDeps } from '../../src/rollouts/controller-deps';
import type { TickReport } from '../../src/rollouts/controller';
import { createRouteTable } from '../../src/store/create-route-table';
import { dynamoClient, stackVar } from '../support/stack';
import { lambdaArn, route, split } from '../support/routes';

type Handler = () => Promise<{ reports: readonly TickReport[] }>;

function loadHandler(env: Record<string, string | undefined>): Handler {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    let handler: Handler | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      handler = (require('../../src/rollouts/controller-handler') as { handler: Handler }).handler;
    });
    return handler as Handler;
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

it('advances a rollout whose step passed, and logs one JSON line per rollout', async () => {
  stackVar('AWS_ENDPOINT_URL_DYNAMODB');
  const tableName = `controller-${randomUUID().slice(0, 8)}`;
  await createRouteTable(dynamoClient(), tableName);
  const deps = rolloutDeps({
    client: dynamoClient(),
    tableName,
    by: 'setup',
    now: () => Date.now() - 120_000,
  });
  const base = route('/event/scheduled', { targets: [split(lambdaArn('v1'), 1)] });
  await deps.releases.publishRelease([base], { by: 'setup' });
  // Started two minutes ago (the deps' clock), gate of 0 events: the step is due.
  await startRollout(deps, {
    psarn: base.psarn,
    canary: lambdaArn('v2'),
    settings: { steps: [50, 100], intervalMs: 60_000, maxFailureRate: 0.01, minEvents: 0, alarms: [] },
  });
  const handler = loadHandler({
    PSARN_TABLE: tableName,
    AWS_LAMBDA_FUNCTION_NAME: 'psarn-test-rolloutController',
  });
  const lines: string[] = [];
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  let result: { reports: readonly TickReport[] };
  try {
    result = await handler();
  } finally {
    out.mockRestore();
  }
  expect(result.reports).toEqual([expect.objectContaining({ psarn: base.psarn, outcome: 'completed' })]);
  expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([{ rollout: result.reports[0] }]);
  const records = await deps.releases.listReleases();
  expect(records.at(-1)).toMatchObject({ by: 'psarn-controller@psarn-test-rolloutController' });
});

it('fails the invocation, saying why, when it has no table', async () => {
  const handler = loadHandler({ PSARN_TABLE: '' });
  await expect(handler()).rejects.toThrow(
    'PSARN_TABLE is not set: the rollout controller needs its route table',
  );
});
