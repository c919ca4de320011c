// `functions:` of serverless.yml, per stage. Every stage gets the router; the `local` stage also
// gets the demo target functions the route examples and integration tests deliver to, so
// `serverless package --stage prod` contains the router alone.
'use strict';

const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { LOCAL_STAGE, LOCAL_REGION, LOCAL_ACCOUNT, LOCAL_BUS, RECORDER_FUNCTIONS } = require('./local-names');

/** Ship one esbuild bundle per function and nothing else (the bundle carries its dependencies). */
const onlyBundle = (file) => ({ patterns: ['!**', `dist/${file}.js`, `dist/${file}.js.map`] });

const router = {
  handler: 'dist/router.handler',
  description: 'psarn router: looks psARNs up in the route table and forwards events',
  memorySize: 512,
  timeout: 30,
  package: onlyBundle('router'),
};

function demoFunctions() {
  const functions = {};
  for (const key of RECORDER_FUNCTIONS) {
    functions[key] = { handler: 'dist/demo/recorder.handler', package: onlyBundle('demo/recorder') };
  }
  // serverless-offline-aws-eventbridge compares buses with `subscribed.includes(sent)`: naming the
  // bus by its full ARN here matches a PutEvents that names it either by name or by ARN.
  functions.busListener.events = [
    {
      eventBridge: {
        eventBus: `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:event-bus/${LOCAL_BUS}`,
        pattern: { source: ['psarn'] },
      },
    },
  ];
  functions.alwaysFails = {
    handler: 'dist/demo/always-fails.handler',
    package: onlyBundle('demo/always-fails'),
  };
  return functions;
}

module.exports = async ({ resolveVariable }) => {
  const stage = await resolveVariable('sls:stage');
  if (stage !== LOCAL_STAGE) return { router };
  // Locally the router is declared only once it is built (npm start and the test setup run
  // esbuild first), so the stack also runs while src/router/handler.ts does not exist yet.
  const routerBuilt = existsSync(join(__dirname, '..', 'dist', 'router.js'));
  return { ...(routerBuilt ? { router } : {}), ...demoFunctions() };
};
