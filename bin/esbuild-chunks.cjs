// Chunks (issue 11): a module `src/chunks/<name>.ts` is built as its own file
// `dist/chunks/<name>.js`, and every import of it from another bundle becomes a small stub that
// `require`s that file on the first use of one of its exports. A heavy module that only some
// events need (a JSON-Schema compiler) then costs the router's cold start nothing: it is neither
// parsed nor run until the code that needs it runs. An import at the top of a file is enough:
//
//   import { compileSchema } from '../chunks/json-schema'; // loaded on the first compileSchema()
//
// A chunk names its exports (`export { a, b } from 'pkg'`, `export function f`): the stub is
// generated from that list, read from the chunk's source without running it, so `export * from`
// is refused. Under jest the source runs unbundled and a chunk is an ordinary module.
//
// Not for AWS SDK clients: esbuild shares code between files only for ES module output, so each
// SDK client chunk would carry its own ~300 kB copy of the SDK core (measured: the Lambda client
// as a chunk took 76 kB off router.js and cost 382 kB at the first Lambda delivery).
'use strict';
const { existsSync, readdirSync } = require('node:fs');
const { dirname, join, relative, resolve } = require('node:path');

/** `[outputName, sourceFile]` of every chunk under `chunkDir` (e.g. `['chunks/json-schema', …]`). */
function chunkEntries(chunkDir) {
  if (!existsSync(chunkDir)) return [];
  return readdirSync(chunkDir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => [`chunks/${f.replace(/\.ts$/, '')}`, join(chunkDir, f)]);
}

/** Export names of each chunk, from its source (no bundling, no execution). */
async function chunkExports(esbuild, entries) {
  const names = new Map();
  await Promise.all(
    entries.map(async ([name, file]) => {
      const probe = await esbuild.build({
        entryPoints: [file],
        bundle: false,
        format: 'esm',
        write: false,
        metafile: true,
        outdir: 'probe',
        logLevel: 'silent',
      });
      if (/^\s*export\s*\*/m.test(probe.outputFiles[0]?.text ?? ''))
        throw new Error(
          `${file}: "export * from" cannot be made lazy; name the exports: export { a, b } from '…'`,
        );
      const [output] = Object.values(probe.metafile.outputs);
      names.set(name.slice('chunks/'.length), output?.exports ?? []);
    }),
  );
  return names;
}

/**
 * The esbuild plugin that turns imports of a chunk into the lazy stub. `chunkDir` holds the chunk
 * sources, `chunkOutDir` the built chunks, `outDir` the bundles being built (the stub's require is
 * relative to them), `exportsOf` the result of `chunkExports`.
 */
function chunkPlugin({ chunkDir, chunkOutDir, outDir, exportsOf }) {
  const chunkRoot = resolve(chunkDir);
  return {
    name: 'psarn-chunks',
    setup(build) {
      build.onResolve({ filter: /chunks[\\/][^\\/]+$/ }, (args) => {
        if (args.kind === 'entry-point' || args.namespace !== 'file') return undefined;
        const target = resolve(args.resolveDir, args.path).replace(/\.(ts|js)$/, '');
        if (dirname(target) !== chunkRoot) return undefined;
        const name = target.slice(chunkRoot.length + 1);
        if (!exportsOf.has(name)) return undefined;
        return { path: name, namespace: 'psarn-chunk' };
      });
      build.onLoad({ filter: /.*/, namespace: 'psarn-chunk' }, (args) => {
        let file = relative(resolve(outDir), resolve(chunkOutDir, `${args.path}.js`))
          .split('\\')
          .join('/');
        if (!file.startsWith('.')) file = `./${file}`;
        return {
          loader: 'js',
          contents: [
            '"use strict";',
            'let loaded;',
            `const load = () => (loaded ??= require(${JSON.stringify(`psarn-chunk-file:${file}`)}));`,
            'Object.defineProperty(exports, "__esModule", { value: true });',
            `for (const name of ${JSON.stringify(exportsOf.get(args.path))})`,
            '  Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });',
          ].join('\n'),
        };
      });
      // The chunk file itself is never bundled into its importer: it stays a require at run time.
      build.onResolve({ filter: /^psarn-chunk-file:/ }, (args) => ({
        path: args.path.slice('psarn-chunk-file:'.length),
        external: true,
      }));
    },
  };
}

module.exports = { chunkEntries, chunkExports, chunkPlugin };
