// One build for everything that runs as JavaScript: the CLI, the router Lambda, the demo target
// Lambdas, the local stack and the benchmark. Lambda bundles keep the AWS SDK inside so the
// deployed code runs the exact SDK version the tests ran.
import { build } from 'esbuild';
import { readdirSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const entry = (name, file) => (existsSync(file) ? [[name, file]] : []);
const demoDir = 'demo/functions';
const demos = existsSync(demoDir)
  ? readdirSync(demoDir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => [`demo/${f.replace(/\.ts$/, '')}`, `${demoDir}/${f}`])
  : [];

const entryPoints = Object.fromEntries([
  ...entry('cli', 'src/cli/main.ts'),
  ...entry('router', 'src/router/handler.ts'),
  ...entry('start', 'scripts/start.ts'),
  ...entry('bench', 'bench/bench.ts'),
  ...demos,
]);

const result = await build({
  entryPoints,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  // The serverless toolchain and emulators are dev tools started as processes, never bundled.
  external: ['serverless', 'serverless-offline', 'dynalite', 'fauxqs', 'esbuild'],
  write: false,
});

// A running local stack loads dist/ while a second build (npm start, a test) may rewrite it:
// write only what changed, each file whole (temp file + rename), so no reader sees half a bundle.
for (const file of result.outputFiles) {
  if (existsSync(file.path) && readFileSync(file.path).equals(file.contents)) continue;
  mkdirSync(dirname(file.path), { recursive: true });
  const temp = `${file.path}.${process.pid}.tmp`;
  writeFileSync(temp, file.contents);
  renameSync(temp, file.path);
}
