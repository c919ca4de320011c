import { startEmulator, type EmulatorOptions, type RunningEmulator, type EmulatorSpec } from './emulator';

const DYNALITE: EmulatorSpec = {
  name: 'dynalite',
  bin: 'dynalite',
  // In memory (no --path). Tables become ACTIVE at once instead of after dynalite's default 500 ms,
  // which would otherwise add half a second to every stack start and table-creating test.
  args: (port) => [
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    '--createTableMs',
    '0',
    '--deleteTableMs',
    '0',
    '--updateTableMs',
    '0',
  ],
  readyPath: '/',
};

/**
 * Start an in-memory dynalite (DynamoDB) on its own, on a free port unless `port` is given. Tests
 * that stop DynamoDB mid-run use their own instance so the shared stack keeps working.
 *
 * @example
 * const dynamo = await startDynalite();
 * const client = new DynamoDBClient({ endpoint: dynamo.endpoint });
 * await dynamo.stop(); // from here on, every call is refused
 */
export function startDynalite(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator(DYNALITE, options);
}
