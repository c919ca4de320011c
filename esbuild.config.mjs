// One build for everything that runs as JavaScript: the CLI, the router Lambda, the demo target
// Lambdas, the local stack and the benchmark. Lambda bundles keep the AWS SDK inside so the
// deployed code runs the exact SDK version the tests ran.
//
// Lambda bundles (the router, the demo functions, the chunks) are minified and read each
// package's ES module build ("module" before "main"), which lets esbuild drop the SDK code they
// never call: the router's cold start parses and runs every byte it ships (issue 11).
//
// The router is an ES module built with code splitting: dist/router.mjs (what Lambda loads at
// init: handler `dist/router.handler` finds router.mjs), its chunks src/chunks/<name>.ts ->
// dist/chunks/<name>.mjs loaded on first use (each target kind's SDK client), and the code they
// share in dist/chunks/shared-<hash>.mjs, loaded once (bin/esbuild-chunks.cjs). Every other bundle
// is CommonJS and holds its chunks inline.
import * as esbuild from 'esbuild';
import { readdirSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import writeOutputs from './bin/write-outputs.cjs';
import chunks from './bin/esbuild-chunks.cjs';

const OUT = 'dist';
const CHUNK_DIR = 'src/chunks';

const entry = (name, file) => (existsSync(file) ? [[name, file]] : []);
const tsFiles = (dir) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.ts')) : []);
const demos = tsFiles('demo/functions').map((f) => [`demo/${f.replace(/\.ts$/, '')}`, `demo/functions/${f}`]);
const chunkEntries = chunks.chunkEntries(CHUNK_DIR);

const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  // The serverless toolchain and emulators are dev tools started as processes, never bundled.
  external: ['serverless', 'serverless-offline', 'dynalite', 'fauxqs', 'esbuild'],
  write: false,
};
const lambda = {
  minify: true,
  // Minified names would change what `err.name` and class names say in logs and answers.
  keepNames: true,
  mainFields: ['module', 'main'],
};

// The router: one ES module build with code splitting (its banner: bin/esbuild-chunks.cjs).
const esmRouter = {
  ...lambda,
  format: 'esm',
  splitting: true,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/shared-[hash]',
  banner: { js: chunks.ESM_BANNER },
};
/** One esbuild run per output folder: a chunk's require path depends on where its importer lives. */
const groups = [
  {
    outDir: OUT,
    extra: {},
    lazy: false,
    entries: [
      ...entry('cli', 'src/cli/main.ts'),
      ...entry('start', 'scripts/start.ts'),
      ...entry('bench', 'bench/bench.ts'),
      // The consumer plugin's TypeScript side, for an installed package (no src/ there).
      ...entry('register-api', 'src/deploy/register-api.ts'),
    ],
  },
  {
    outDir: OUT,
    extra: esmRouter,
    lazy: true,
    entries: [...entry('router', 'src/router/handler.ts'), ...chunkEntries],
  },
  { outDir: OUT, extra: lambda, lazy: false, entries: entry('health-check', 'src/health/check-handler.ts') },
  {
    outDir: OUT,
    extra: lambda,
    lazy: false,
    entries: entry('rollout-controller', 'src/rollouts/controller-handler.ts'),
  },
  { outDir: join(OUT, 'demo'), extra: lambda, lazy: false, entries: demos },
];

const exportsOf = await chunks.chunkExports(esbuild, chunkEntries);
const results = await Promise.all(
  groups
    .filter((g) => g.entries.length > 0)
    .map((g) =>
      esbuild.build({
        ...common,
        ...g.extra,
        entryPoints: Object.fromEntries(g.entries),
        outdir: OUT,
        plugins: g.lazy
          ? [
              chunks.chunkPlugin({
                chunkDir: CHUNK_DIR,
                chunkOutDir: join(OUT, 'chunks'),
                outDir: g.outDir,
                exportsOf,
                extension: '.mjs',
                splitting: true,
              }),
            ]
          : [],
      }),
    ),
);

const outputs = chunks.relinkChunks(
  results.flatMap((r) => r.outputFiles),
  join(OUT, 'chunks'),
  '.mjs',
);
writeOutputs(outputs);

// What earlier builds left and this one no longer makes: a CommonJS dist/router.js would be found
// before router.mjs by Lambda's handler lookup (.js first), and the shared chunks' names change
// with their content; left in dist/ they would be packaged and, for router.js, run.
const written = new Set(outputs.map((f) => f.path));
const stale = [
  join(OUT, 'router.js'),
  join(OUT, 'router.js.map'),
  ...(existsSync(join(OUT, 'chunks'))
    ? readdirSync(join(OUT, 'chunks')).map((f) => join(OUT, 'chunks', f))
    : []),
];
for (const file of stale) {
  const absolute = join(process.cwd(), file);
  if (!written.has(absolute) && existsSync(absolute)) rmSync(absolute);
}
