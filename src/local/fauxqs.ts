import { startEmulator, type EmulatorOptions, type RunningEmulator, type EmulatorSpec } from './emulator';
import { LOCAL_REGION } from './demo-resources';

const FAUXQS: EmulatorSpec = {
  name: 'fauxqs',
  bin: 'fauxqs',
  args: () => [],
  // fauxqs's CLI is configured only through its environment. Queue URLs it hands out take the
  // form http://sqs.<region>.localhost:<port>/000000000000/<name>; clients must therefore not use
  // the URL as their endpoint (`useQueueUrlAsEndpoint: false`).
  env: (port) => ({
    FAUXQS_PORT: String(port),
    FAUXQS_DEFAULT_REGION: LOCAL_REGION,
    // One log line per request costs CPU the 2-core CI box needs; FAUXQS_LOGGER=true brings it back.
    FAUXQS_LOGGER: process.env.FAUXQS_LOGGER ?? 'false',
  }),
  readyPath: '/health',
};

/**
 * Start fauxqs (SQS + SNS, in memory) on a free port unless `port` is given.
 *
 * @example
 * const sqs = await startFauxqs();
 * new SQSClient({ endpoint: sqs.endpoint, useQueueUrlAsEndpoint: false });
 */
export async function startFauxqs(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 5)) {
    // fauxqs 2 needs node:sqlite; the child runs on this process's Node.
    throw new Error(
      `fauxqs 2 needs Node 22.5+, this is Node ${process.versions.node}: run through npm/npx, ` +
        'which put the project\'s Node 22 (the "node" devDependency) first on the PATH',
    );
  }
  return startEmulator(FAUXQS, options);
}
