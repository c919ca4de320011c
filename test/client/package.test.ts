/**
 * The package as a producer gets it: `npm pack` of this project (its prepack builds the client),
 * installed into a fresh project (`npm init -y`, `npm install <tarball>`, dependencies from the npm
 * cache), then used from plain Node (CommonJS and ESM), type-checked as TypeScript, and sending
 * through the local stack in both modes. One tarball per run: packing builds everything once.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { queueUrl, receiveAll } from '../support/stack';
import { ensureShippedRoutes, localPsarn } from './client-stack';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** What the producer scripts print: every answer, and how many Invokes went to the router. */
interface ScriptResult {
  readonly mode: string;
  readonly answers: unknown[];
  readonly routerInvokes: number;
  readonly isReport: boolean[];
}

// The same producer, as CommonJS and as ESM: two lines to adopt (import, create), then send. The
// Lambda client it hands over is a real one with a middleware counting the Invokes it sends.
const body = `
const mode = process.env.MODE;
const ids = JSON.parse(process.env.IDS);
const counted = new LambdaClient({});
let routerInvokes = 0;
counted.middlewareStack.add((next, context) => async (args) => {
  if (context.commandName === 'InvokeCommand' && args.input.FunctionName === 'psarn-local-router') routerInvokes++;
  return next(args);
}, { step: 'initialize', name: 'countRouterInvokes' });
const psarn = createPsarnClient({ mode, clients: { lambda: counted }, caller: { labels: { app: 'fresh' } } });
const answers = [];
for (const id of ids) answers.push(await psarn.send(process.env.PSARN, { id }, { eventId: id }));
let rejected;
try { await psarn.send(process.env.PSARN + '-nobody', {}); } catch (err) { rejected = err instanceof PsarnError && err.code; }
psarn.close();
counted.destroy();
console.log(JSON.stringify({ mode, answers, routerInvokes, rejected, isReport: answers.map(isDeliveryReport) }));
`;
const CJS = `'use strict';
const { createPsarnClient, isDeliveryReport, PsarnError } = require('psarn-router/client');
const { LambdaClient } = require('@aws-sdk/client-lambda');
(async () => {${body}})();
`;
const ESM = `import { createPsarnClient, isDeliveryReport, PsarnError } from 'psarn-router/client';
import { LambdaClient } from '@aws-sdk/client-lambda';
${body}`;

// Which AWS SDK clients a producer process loaded (required), after sending one event.
const LOADS = `'use strict';
const { createPsarnClient } = require('psarn-router/client');
const loaded = () => Object.keys(require.cache)
  .map((k) => /@aws-sdk[\\\\/](client-[a-z]+)[\\\\/]/.exec(k)?.[1])
  .filter((k, i, all) => k !== undefined && all.indexOf(k) === i)
  .sort();
(async () => {
  const psarn = createPsarnClient({ mode: process.env.MODE });
  const before = loaded();
  await psarn.send(process.env.PSARN, { id: process.env.ID });
  psarn.close();
  console.log(JSON.stringify({ before, after: loaded() }));
})();
`;

// A TypeScript producer: the types must carry the options, the answer guard and the lookup.
const TS_OK = `import { createPsarnClient, isDeliveryReport, type PsarnClient, type LookupAnswer } from 'psarn-router/client';
const client: PsarnClient = createPsarnClient({ mode: 'direct', stage: 'prod', caller: { labels: { team: 'growth' } } });
export async function go(): Promise<string[]> {
  const answer = await client.send('arn:aws:psarns:eu-west-1:123456789012:/event/newUser', { userId: 'u1' }, { eventId: 'e1' });
  const where: LookupAnswer = await client.lookup('/event/newUser');
  const plan = await client.resolve(where.psarn, { userId: 'u1' });
  return isDeliveryReport(answer) ? answer.deliveries.map((d) => d.status) : plan.deliveries.map((d) => d.target);
}
`;
const TS_BAD = `import { createPsarnClient } from 'psarn-router/client';
createPsarnClient({ mode: 'sideways' });
`;

describe('the packed package in a fresh project', () => {
  let dir: string;
  let app: string;
  let files: string[];
  const node = (script: string, env: Record<string, string>) =>
    run(process.execPath, [script], { cwd: app, env: { ...process.env, ...env } });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'psarn-pack-'));
    await Promise.all([
      ensureShippedRoutes(),
      mkdir(join(dir, 'app')),
      run('npm', ['pack', '--pack-destination', dir, '--silent'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }),
    ]);
    const tarball = join(dir, (await readdir(dir)).find((f) => f.endsWith('.tgz')) ?? 'missing.tgz');
    files = (await run('tar', ['tzf', tarball])).stdout.split('\n').filter((f) => f !== '');
    app = join(dir, 'app');
    await run('npm', ['init', '-y'], { cwd: app });
    await run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund'], { cwd: app });
  }, 600_000);
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('ships the compiled client, its types and the CLI, and no tests or sources', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'package/dist/client/index.cjs',
        'package/dist/client/index.mjs',
        'package/dist/types/client/index.d.ts',
        'package/dist/cli.js',
        'package/bin/psarn.js',
        'package/package.json',
      ]),
    );
    // The consumer plugin (psarn-router/serverless) is the one part of serverless/ shipped.
    expect(
      files.filter(
        (f) =>
          /^package\/(test|src|bench|demo|scripts|serverless|routes)\//.test(f) &&
          !/^package\/serverless\/(register\/|load-ts\.js$)/.test(f),
      ),
    ).toEqual([]);
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it('loads the consumer plugin psarn-router/serverless and its compiled side, without src/', async () => {
    const script = join(app, 'plugin.cjs');
    await writeFile(
      script,
      `const Plugin = require('psarn-router/serverless');
const sls = { getProvider: () => ({}), configSchemaHandler: { defineCustomProperties: () => undefined }, service: { custom: {} } };
const plugin = new Plugin(sls, {}, { log: { notice() {}, info() {}, warning() {} } });
console.log(JSON.stringify({ hooks: Object.keys(plugin.hooks), api: Object.keys(plugin.api()).sort() }));`,
    );
    const out = JSON.parse((await node(script, {})).stdout) as { hooks: string[]; api: string[] };
    expect(out.hooks).toEqual(['before:package:initialize', 'after:deploy:deploy', 'before:remove:remove']);
    expect(out.api.length).toBeGreaterThan(0);
  });

  it('sends through the router from CommonJS, and directly from ESM without invoking the router', async () => {
    const url = await queueUrl('email');
    await writeFile(join(app, 'producer.cjs'), CJS);
    await writeFile(join(app, 'producer.mjs'), ESM);
    for (const [script, mode] of [
      ['producer.cjs', 'router'],
      ['producer.mjs', 'direct'],
      ['producer.cjs', 'direct'],
      ['producer.mjs', 'router'],
    ] as const) {
      const ids = [randomUUID(), randomUUID(), randomUUID()];
      const { stdout } = await node(script, {
        MODE: mode,
        PSARN: localPsarn('/email/send'),
        IDS: JSON.stringify(ids),
      });
      const result = JSON.parse(stdout) as ScriptResult & { rejected: unknown };
      expect([script, result.mode, result.routerInvokes, result.rejected, result.isReport]).toEqual([
        script,
        mode,
        mode === 'router' ? 4 : 0,
        'ROUTE_NOT_FOUND',
        [true, true, true],
      ]);
      const got = await receiveAll(url, {
        expected: 3,
        filter: (m) => ids.some((id) => m.Body?.includes(id)),
      });
      expect(got.map((m) => m.Body).sort()).toEqual(ids.map((id) => JSON.stringify({ id })).sort());
      expect(got.map((m) => JSON.parse(m.MessageAttributes?.['psarn-headers']?.StringValue ?? '{}'))).toEqual(
        [
          { 'psarn-caller': '{"labels":{"app":"fresh"}}', 'psarn-hops': '1' },
          { 'psarn-caller': '{"labels":{"app":"fresh"}}', 'psarn-hops': '1' },
          { 'psarn-caller': '{"labels":{"app":"fresh"}}', 'psarn-hops': '1' },
        ],
      );
    }
  }, 120_000);

  it('loads only the SDK clients a mode and its targets need', async () => {
    await writeFile(join(app, 'loads.cjs'), LOADS);
    const loads = async (mode: string) =>
      JSON.parse(
        (await node('loads.cjs', { MODE: mode, PSARN: localPsarn('/email/send'), ID: randomUUID() })).stdout,
      ) as unknown;
    // /email/send is one SQS queue: router mode needs Lambda alone; direct mode the table and SQS.
    expect(await loads('router')).toEqual({ before: [], after: ['client-lambda'] });
    expect(await loads('direct')).toEqual({ before: [], after: ['client-dynamodb', 'client-sqs'] });
  });

  it('type-checks a TypeScript producer with the package types, and refuses a wrong mode', async () => {
    await writeFile(join(app, 'good.ts'), TS_OK);
    await writeFile(join(app, 'bad.ts'), TS_BAD);
    const config = (files: string[]) => ({
      compilerOptions: {
        strict: true,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        noEmit: true,
        types: ['node'],
        typeRoots: [join(ROOT, 'node_modules', '@types')],
      },
      files,
    });
    // One run for both files (tsc loads the SDK's types once): the good one must compile, the bad
    // one must fail on its wrong mode, and on nothing else.
    await writeFile(join(app, 'tsconfig.json'), JSON.stringify(config(['good.ts', 'bad.ts'])));
    const out = await run(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: app }).then(
      () => 'compiled without errors',
      (err: { stdout: string }) => err.stdout,
    );
    expect(out.split('\n').filter((line) => /error TS/.test(line))).toEqual([
      expect.stringMatching(
        /^bad\.ts\(2,21\): error TS2322: Type '"sideways"' is not assignable to type '"(direct" \| "router|router" \| "direct)"'/,
      ),
    ]);
  }, 240_000);

  it('runs the psarn CLI from the package: lookup of a path in the local stage', async () => {
    const cli = join(app, 'node_modules', 'psarn-router', 'bin', 'psarn.js');
    const { stdout } = await run(process.execPath, [cli, 'lookup', '/email/send', '--json'], { cwd: app });
    expect(JSON.parse(stdout)).toMatchObject({
      psarn: localPsarn('/email/send'),
      split: [{ target: expect.stringMatching(/:psarn-local-email$/), kind: 'sqs', weight: 1, share: 1 }],
      parked: false,
    });
  });
});
