// One build for everything that runs as JavaScript: the CLI, the router Lambda, the demo target
// Lambdas, the local stack and the benchmark. Lambda bundles keep the AWS SDK inside so the
// deployed code runs the exact SDK version the tests ran.
import { build } from 'esbuild';
import { readdirSync, existsSync } from 'node:fs';
import writeOutputs from './bin/write-outputs.cjs';

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
  ...entry('rollout-controller', 'src/rollouts/controller-handler.ts'),
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

writeOutputs(result.outputFiles);
