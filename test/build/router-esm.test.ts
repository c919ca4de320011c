import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { staticClosure } from '../../bench/init-bytes';

// Issue 11: the router is an ES module split in chunks (esbuild.config.mjs). What Lambda loads at
// init is dist/router.mjs and what it imports statically; each target kind's SDK client is a chunk
// loaded at its first use, sharing the SDK core with the others instead of carrying a copy. The
// built files are read as they are shipped. Each client is recognised by its service's protocol
// name and the namespace of its schemas, which only its own code holds (a command imported from
// the package directly, instead of through the chunk, brings both).
const run = promisify(execFile);
const projectDir = join(__dirname, '..', '..');
const dist = join(projectDir, 'dist');
const SERVICE = {
  lambda: ['AWSGirApiService', '"com.amazonaws.lambda"'],
  sqs: ['AmazonSQS', '"com.amazonaws.sqs"'],
  sns: ['AmazonSimpleNotificationService', '"com.amazonaws.sns"'],
  eventbridge: ['AWSEvents', '"com.amazonaws.eventbridge"'],
} as const;
type Kind = keyof typeof SERVICE;
const KINDS = Object.keys(SERVICE) as Kind[];

const servicesIn = (files: Iterable<string>): Kind[] => {
  const text = [...files].map((f) => readFileSync(f, 'utf8')).join('\n');
  return KINDS.filter((kind) => SERVICE[kind].some((marker) => text.includes(marker)));
};

beforeAll(async () => {
  await run(process.execPath, ['esbuild.config.mjs'], { cwd: projectDir });
}, 120_000);

it('loads no target kind’s SDK client at init, and no CommonJS router is left to be found first', () => {
  const init = staticClosure(join(dist, 'router.mjs'));
  expect(init.size).toBeGreaterThan(1); // the shared chunks are imported statically
  expect(servicesIn(init)).toEqual([]);
  expect([...init].filter((f) => /sdk-\w+\.mjs$/.test(f))).toEqual([]);
  expect(existsSync(join(dist, 'router.js'))).toBe(false);
});

it.each(KINDS)('loads the %s client alone at its first use, its SDK core shared', (kind) => {
  const init = staticClosure(join(dist, 'router.mjs'));
  const chunk = join(dist, 'chunks', `sdk-${kind}.mjs`);
  const added = [...staticClosure(chunk)].filter((f) => !init.has(f));
  expect(servicesIn(added)).toEqual([kind]);
  // The router's stub requires the chunk by a path relative to the file the stub is in.
  const stubs = [...init].filter((f) => readFileSync(f, 'utf8').includes(`sdk-${kind}.mjs`));
  expect(stubs.length).toBeGreaterThan(0);
});

it('names in the stubs only chunks that exist next to where they are required from', () => {
  for (const file of [
    join(dist, 'router.mjs'),
    ...readdirSync(join(dist, 'chunks')).map((f) => join(dist, 'chunks', f)),
  ]) {
    if (!file.endsWith('.mjs')) continue;
    for (const [, path] of readFileSync(file, 'utf8').matchAll(/__psarnRequire\("([^"]+)"\)/g))
      expect(existsSync(join(file, '..', path as string))).toBe(true);
  }
});

it('refuses to load, at init, on a Node that cannot require an ES module (its first delivery would fail)', async () => {
  const loading = run(
    process.execPath,
    [
      '--no-experimental-require-module',
      '--input-type=module',
      '-e',
      `await import(${JSON.stringify(join(dist, 'router.mjs'))})`,
    ],
    { env: { ...process.env, PSARN_TABLE: 'psarn-test-routes', AWS_REGION: 'us-east-1' } },
  );
  await expect(loading).rejects.toThrow(/cannot require ES modules .*run it on Node 22\.12 or later/);
});
