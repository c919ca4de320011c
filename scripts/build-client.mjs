// Builds the installable client, `psarn-router/client`, from src/client/index.ts:
// - dist/client/index.cjs: one CommonJS bundle of our code; every package.json dependency (the AWS
//   SDK clients, zod, …) stays external, so a producer installs them once and its bundler (or the
//   Lambda runtime's own SDK) provides them;
// - dist/client/index.mjs: the ESM entry, a thin re-export of the CommonJS bundle, so `import` and
//   `require` share one module instance (one PsarnError class for `instanceof`);
// - dist/types/: declarations from tsc (tsconfig.client.json).
// Run by `npm run build` and `prepack`, so `npm pack` never ships a stale or hand-kept copy.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const external = Object.keys(pkg.dependencies ?? {}).flatMap((name) => [name, `${name}/*`]);
const outDir = join(root, 'dist', 'client');

rmSync(outDir, { recursive: true, force: true });
rmSync(join(root, 'dist', 'types'), { recursive: true, force: true });

const built = await build({
  entryPoints: [join(root, 'src', 'client', 'index.ts')],
  outfile: join(outDir, 'index.cjs'),
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  external,
  logLevel: 'warning',
  write: false,
});
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'index.cjs'), lazySdkClients(built.outputFiles[0].text));

/**
 * A producer loads only the SDK clients it uses: router mode the Lambda client alone, direct mode
 * DynamoDB plus the clients of the target kinds its routes reach (each SDK client costs tens of ms
 * of cold start). esbuild binds each external import once, `var import_client_sqs =
 * require("@aws-sdk/client-sqs")`, and uses it only as `import_client_sqs.X`; that binding
 * becomes a proxy that requires the package on first property access. The build fails if the
 * bundle ever uses such a binding any other way, rather than ship a proxy that misbehaves.
 */
function lazySdkClients(code) {
  const binding = /^var (import_client_\w+) = require\("(@aws-sdk\/client-[a-z-]+)"\);$/gm;
  const names = [...code.matchAll(binding)].map((m) => m[1]);
  if (names.length === 0) throw new Error('build-client: no @aws-sdk/client-* imports found to make lazy');
  for (const name of names) {
    const uses = code.match(new RegExp(`\\b${name}\\b(?!\\.)`, 'g')) ?? [];
    if (uses.length !== 1)
      throw new Error(`build-client: ${name} is used other than as ${name}.X; cannot load it lazily`);
  }
  const helper =
    '// SDK clients are required on first use (scripts/build-client.mjs).\n' +
    'var __psarnLazy = (load) => { let m; const get = () => (m ??= load()); ' +
    'return new Proxy({}, { get: (_, k) => get()[k], has: (_, k) => k in get() }); };\n';
  const lazy = code.replace(binding, 'var $1 = __psarnLazy(() => require("$2"));');
  return lazy.replace(/^("use strict";\n)?/, (strict) => `${strict}${helper}`);
}

// The ESM entry names every export of the CommonJS bundle (read back from it, never listed by hand).
const names = Object.keys(createRequire(import.meta.url)(join(outDir, 'index.cjs'))).filter(
  (n) => n !== 'default' && n !== '__esModule',
);
writeFileSync(
  join(outDir, 'index.mjs'),
  `// ESM entry of psarn-router/client: the CommonJS bundle's exports (one module instance).\n` +
    `import client from './index.cjs';\n` +
    `export const { ${names.join(', ')} } = client;\n` +
    `export default client;\n`,
);

const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.client.json')], { stdio: 'inherit' });
console.log(`psarn-router/client: dist/client/index.cjs, index.mjs (${names.length} exports), dist/types/`);
