/**
 * Routes without a schema never load ajv (src/chunks/json-schema.ts): checked in a fresh module
 * registry, through the router's own prepare path, before and after a route with a schema.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- a fresh module registry (jest.isolateModules) is only reachable through require */
import type { Route } from '../../src/routes/model';
import { route, sqsArn, split } from '../support/routes';

describe('the JSON Schema chunk', () => {
  it('is loaded only once a route with a schema is met', async () => {
    let check: Promise<void> = Promise.resolve();
    let loads = 0;
    jest.isolateModules(() => {
      // Counts every load of the chunk, by whatever module requires it (a static import included).
      jest.doMock('../../src/chunks/json-schema', () => {
        loads++;
        return jest.requireActual('../../src/chunks/json-schema');
      });
      check = (async () => {
        const { Router } = require('../../src/router/router') as typeof import('../../src/router/router');
        const { RouteCache } =
          require('../../src/store/route-cache') as typeof import('../../src/store/route-cache');
        const { InMemoryRouteStore } =
          require('../../src/store/in-memory-route-store') as typeof import('../../src/store/in-memory-route-store');
        const { planDelivery } =
          require('../../src/routing/planner') as typeof import('../../src/routing/planner');
        const { normaliseRoute } =
          require('../../src/routes/normalise') as typeof import('../../src/routes/normalise');
        const { createForwarders } =
          require('../../src/targets/registry') as typeof import('../../src/targets/registry');
        const { DeliveryEngine } =
          require('../../src/delivery/engine') as typeof import('../../src/delivery/engine');

        const plain = route('/event/plain', { targets: [split(sqsArn('q'), 1)] });
        const typed = route('/event/typed', {
          targets: [split(sqsArn('q'), 1)],
          schema: { type: 'object' },
          onInvalid: 'reject',
        });
        const store = new InMemoryRouteStore();
        await store.publishRelease([plain, typed] as Route[], { by: 'test' });
        const forwarders = createForwarders().forwarderFor;
        const router = new Router({
          cache: new RouteCache({ store }),
          engine: new DeliveryEngine({ forwarders }),
          forwarders,
          plan: planDelivery,
        });
        // Loading and normalising route files without a schema does not load it either.
        normaliseRoute({ psarn: plain.psarn, targets: [{ arn: sqsArn('q') }] }, () => undefined);
        const ok = await router.prepare(
          { psarn: plain.psarn, payload: [1], headers: {} },
          { passthrough: false },
        );
        expect(ok.ok).toBe(true);
        expect(loads).toBe(0);

        const refused = await router.prepare(
          { psarn: typed.psarn, payload: [1], headers: {} },
          { passthrough: false },
        );
        expect(refused.ok).toBe(false);
        expect(loads).toBe(1);
      })();
    });
    await check;
  });
});
