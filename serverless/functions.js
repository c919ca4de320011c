// `functions:` of serverless.yml, per stage. Every stage gets the router; the `local` stage also
// gets the demo target functions the route examples and integration tests deliver to, so
// `serverless package --stage prod` contains the router alone.
'use strict';

const { existsSync } = require('node:fs');
const { join } = require('node:path');
// Shared with src/local/demo-resources.ts: one list of the local stage's names.
const local = require('./local-stage.json');

/** Ship one esbuild bundle per function and nothing else (the bundle carries its dependencies). */
// Source maps stay out: 2-3x the bundle's size for stack traces nobody reads without
// --enable-source-maps, which itself slows every error.
const onlyBundle = (file) => ({ patterns: ['!**', `dist/${file}.js`] });
// The router is an ES module: dist/router.mjs (the handler `dist/router.handler` finds it, as
// Lambda looks for .js, .mjs, .cjs in turn) with its chunks, shared and loaded on first use
// (esbuild.config.mjs); a package.json would decide nothing, the .mjs extension does.
const routerBundle = { patterns: ['!**', 'dist/router.mjs', 'dist/chunks/*.mjs'] };

const router = {
  handler: 'dist/router.handler',
  description: 'psarn router: looks psARNs up in the route table and forwards events',
  memorySize: 512,
  timeout: 30,
  // An explicit choice, not the default left implicit (docs/routing.md "Loops"): the router counts
  // hops itself and dead-letters an event at PSARN_MAX_HOPS (10), keeping it; Lambda's own
  // detection (~16 invocations of one function in one trace) stays on as the backstop for loops the
  // count cannot see, such as a consumer that sends again without the client carrying the count.
  recursiveLoop: 'Terminate',
  package: routerBundle,
};

// The rollout controller (src/rollouts/controller-handler.ts, docs/operations.md "Progressive
// rollouts"): one pass a minute over the table's rollouts. It publishes releases, so it runs under
// its own role (serverless/resources.js RolloutControllerRole), never the router's. Locally
// `psarn rollout run` does its work (serverless-offline runs no schedules).
const rolloutController = {
  handler: 'dist/rollout-controller.handler',
  description: 'psarn rollout controller: advances progressive rollouts, rolls back on a breach',
  memorySize: 256,
  timeout: 60,
  role: 'RolloutControllerRole',
  events: [{ schedule: 'rate(1 minute)' }],
  package: onlyBundle('rollout-controller'),
};

// A cold serverless-offline worker on a loaded 2-core machine can take seconds to start; the
// provider's 6 s would time demo functions out under a parallel test run.
const LOCAL_TIMEOUT = 30;

function demoFunctions() {
  const functions = {};
  for (const key of local.recorderFunctions) {
    functions[key] = {
      handler: 'dist/demo/recorder.handler',
      timeout: LOCAL_TIMEOUT,
      package: onlyBundle('demo/recorder'),
    };
  }
  // serverless-offline-aws-eventbridge compares buses with `subscribed.includes(sent)`: naming the
  // bus by its full ARN here matches a PutEvents that names it either by name or by ARN.
  functions.busListener.events = [
    {
      eventBridge: {
        eventBus: `arn:aws:events:${local.region}:${local.account}:event-bus/${local.bus}`,
        pattern: { source: ['psarn'] },
      },
    },
  ];
  functions.alwaysFails = {
    handler: 'dist/demo/always-fails.handler',
    timeout: LOCAL_TIMEOUT,
    package: onlyBundle('demo/always-fails'),
  };
  functions[local.flakyFunction] = {
    handler: 'dist/demo/flaky.handler',
    timeout: LOCAL_TIMEOUT,
    package: onlyBundle('demo/flaky'),
  };
  return functions;
}

/**
 * The scheduled health check (src/health/check-handler.ts): `custom.psarn.healthCheck` is its
 * schedule expression (default every 5 minutes), or `false` for none.
 */
const healthCheck = (schedule) => ({
  handler: 'dist/health-check.handler',
  description: 'psarn health check: probes the live release targets and records their health',
  memorySize: 256,
  timeout: 60,
  package: onlyBundle('health-check'),
  events: [{ schedule: { rate: [schedule] } }],
});

module.exports = async ({ resolveVariable }) => {
  const stage = await resolveVariable('sls:stage');
  const schedule = await resolveVariable("self:custom.psarn.healthCheck, 'rate(5 minutes)'");
  const root = join(__dirname, '..');
  const routerBuilt = existsSync(join(root, 'dist', 'router.mjs'));
  if (stage !== local.stage) {
    // No bundle check here: the psarn plugin builds dist/ from the current source just before
    // packaging (`serverless package` and `deploy`), so neither a fresh clone nor a stale bundle
    // can be shipped.
    // An async invoke the router failed (e.g. an event it could keep nowhere, or a timeout) is
    // retried twice by Lambda, then lands in the router DLQ with its payload instead of vanishing.
    return {
      router: {
        ...router,
        destinations: { onFailure: { type: 'sqs', arn: { 'Fn::GetAtt': ['RouterDlq', 'Arn'] } } },
      },
      ...(schedule === false || schedule === 'false' ? {} : { healthCheck: healthCheck(schedule) }),
      rolloutController,
    };
  }
  // Locally the router is declared once its source exists (the stack builds dist/ while
  // serverless-offline starts, and handlers load only when first invoked), so the stack also
  // runs before src/router/handler.ts is written.
  const routerExists = routerBuilt || existsSync(join(root, 'src', 'router', 'handler.ts'));
  return { ...(routerExists ? { router } : {}), ...demoFunctions() };
};
