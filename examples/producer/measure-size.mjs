// Measures what psarn-router/client adds to a producer's Lambda bundle, per mode: esbuild bundles
// each example handler (minified, node22, CommonJS) against the built package in dist/client, once
// with the AWS SDK inside the bundle and once with `@aws-sdk/*` external (the nodejs22.x runtime
// provides the SDK). Prints a table; `--json` for machines.
//   node examples/producer/measure-size.mjs   (builds the client first when dist/client is missing)
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const entry = join(root, 'dist', 'client', 'index.cjs');
if (!existsSync(entry))
  execFileSync(process.execPath, [join(root, 'scripts', 'build-client.mjs')], { stdio: 'inherit' });

const rows = [];
for (const mode of ['router', 'direct']) {
  for (const sdk of ['bundled', 'external']) {
    const out = await build({
      entryPoints: [join(here, `${mode}-mode.ts`)],
      bundle: true,
      minify: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      write: false,
      logLevel: 'warning',
      // The example imports the package by name, as a producer does; here it is this checkout's build.
      alias: { 'psarn-router/client': entry },
      external: sdk === 'external' ? ['@aws-sdk/*'] : [],
    });
    const code = out.outputFiles[0].contents;
    rows.push({ mode, sdk, bytes: code.length, gzip: gzipSync(code).length });
  }
}

if (process.argv.includes('--json')) {
  console.log(JSON.stringify(rows));
} else {
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
  console.log('mode    AWS SDK   minified   gzip');
  for (const r of rows)
    console.log(
      `${r.mode.padEnd(7)} ${r.sdk.padEnd(9)} ${kb(r.bytes).padStart(10)} ${kb(r.gzip).padStart(10)}`,
    );
}
