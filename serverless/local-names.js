// Names the `local` stage shares with src/local/demo-resources.ts (the stack creates the
// queues/topic/table there; serverless.yml declares the functions here). Kept in plain CommonJS
// because osls loads these files with require(), without a TypeScript loader.
'use strict';

const LOCAL_STAGE = 'local';
const LOCAL_REGION = 'us-east-1';
const LOCAL_ACCOUNT = '000000000000';
const LOCAL_BUS = 'psarn-local-bus';

/** Demo functions that run the recorder handler (function keys; deployed as psarn-local-<key>). */
const RECORDER_FUNCTIONS = [
  'signupV1',
  'signupV2',
  'fulfilmentA',
  'fulfilmentB',
  'fulfilmentC',
  'billing',
  'busListener',
];

module.exports = { LOCAL_STAGE, LOCAL_REGION, LOCAL_ACCOUNT, LOCAL_BUS, RECORDER_FUNCTIONS };
