/**
 * What the producer-client tests share: the shipped routes/ live in the stack's own route table
 * (the one the router Lambda in serverless-offline reads), and a real Lambda client that counts
 * the invokes it sends per function.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { main } from '../../src/cli/main';
import { DynamoRouteStore } from '../../src/store/dynamo-route-store';
import { captureIo } from '../support/cli';
import { dynamoClient, stackVar } from '../support/stack';

export const localPsarn = (path: string): string =>
  `arn:aws:psarns:${stackVar('AWS_REGION')}:${stackVar('PSARN_ACCOUNT')}:${path}`;

/**
 * Make sure the shipped routes/ are live in the local table, as test/e2e/router-offline.test.ts
 * applies them. Only routes/ as shipped is ever written (so the e2e file's own `apply` of it is a
 * no-op), and only when it is not live yet: that file may be applying it at this moment, so its
 * release is awaited first, and a release conflict with it is retried rather than failed.
 */
export async function ensureShippedRoutes(): Promise<void> {
  const store = new DynamoRouteStore({ client: dynamoClient(), tableName: stackVar('PSARN_TABLE') });
  const live = async () => {
    const { release } = await store.readControl();
    return release > 0 && (await store.getRoute(localPsarn('/event/orderPlaced'), release)) !== undefined;
  };
  for (let wait = 0; wait < 20; wait++) {
    if (await live()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    const io = captureIo();
    if ((await main(['apply', '--yes', '--stage', 'local'], io)) === 0) return;
    if (await live()) return;
    if (!io.err().includes('RELEASE_CONFLICT')) throw new Error(`psarn apply failed: ${io.err()}`);
  }
  throw new Error('routes/ could not be applied to the local route table');
}

/** A real Lambda client on the stack that counts, per function name, the Invoke calls it sends. */
export function countingLambda(): { lambda: LambdaClient; invokes: (fn: string) => number } {
  const counts = new Map<string, number>();
  const lambda = new LambdaClient({});
  lambda.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'InvokeCommand') {
        const fn = String((args.input as { FunctionName?: unknown }).FunctionName);
        counts.set(fn, (counts.get(fn) ?? 0) + 1);
      }
      return next(args);
    },
    { step: 'initialize', name: 'countInvokes' },
  );
  return { lambda, invokes: (fn) => counts.get(fn) ?? 0 };
}
