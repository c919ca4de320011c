/**
 * The resources of the `local` stage: names other files (route files, tests, serverless.yml's
 * demo functions) rely on. One list, so a queue added here is created by the stack, purged by the
 * tests and documented in one place.
 *
 * @example
 * localName('orders') // 'psarn-local-orders'
 */
// Names serverless.yml needs as well (its JS resolvers load the same JSON, without TypeScript).
import localStage from '../../serverless/local-stage.json';

export const LOCAL_STAGE = localStage.stage;
export const LOCAL_REGION = localStage.region;
/** fauxqs writes this account id into every ARN and queue URL it hands out. */
export const LOCAL_ACCOUNT = localStage.account;
/** Dummy static keys: no emulator checks them, but the SDK refuses to sign without some. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** `psarn-local-<name>`: the `${service}-${stage}-<name>` form serverless gives functions too. */
export function localName(name: string): string {
  return `psarn-${LOCAL_STAGE}-${name}`;
}

export interface LocalQueue {
  readonly name: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

export const LOCAL_TABLE = localName('routes');
export const LOCAL_TOPIC = localName('audit');
export const LOCAL_BUS = localStage.bus;
export const LOCAL_DLQ = localName('router-dlq');

export const LOCAL_QUEUES: readonly LocalQueue[] = [
  { name: localName('orders') },
  // Content-based dedup stays off: the router supplies its own dedup id (the trace id).
  { name: localName('orders.fifo'), attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' } },
  { name: localName('email') },
  { name: localName('newUser-holding') },
  { name: localName('invoice-holding') },
  { name: LOCAL_DLQ },
  { name: localName('audit-copy') },
];

/** SNS topic → queue subscriptions, with raw delivery so the queue holds the payload as sent. */
export const LOCAL_SUBSCRIPTIONS: readonly { readonly topic: string; readonly queue: string }[] = [
  { topic: LOCAL_TOPIC, queue: localName('audit-copy') },
];

/** Demo functions running the recorder (keys in serverless.yml; function name = localName(key)). */
export const RECORDER_FUNCTIONS: readonly string[] = localStage.recorderFunctions;
/** The demo function that always throws. */
export const FAILING_FUNCTION = localStage.failingFunction;
/** The demo function that fails a set share of events until a time the event names (demo/functions/flaky.ts). */
export const FLAKY_FUNCTION = localStage.flakyFunction;
export const ROUTER_FUNCTION = 'router';

export function queueArn(name: string): string {
  return `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${name}`;
}
