// Chunks (issue 11): a module `src/chunks/<name>.ts` is built as its own file
// `dist/chunks/<name>.mjs` (the router's build), and every import of it from the router becomes a
// small stub that `require`s that file on the first use of one of its exports. A heavy module
// that only some events need (a target kind's SDK client, a JSON-Schema compiler) then costs the
// router's cold start nothing: it is neither parsed nor run until the code that needs it runs.
// An import at the top of a file is enough:
//
//   import { compileSchema } from '../chunks/json-schema'; // loaded on the first compileSchema()
//
// A chunk names its exports (`export { a, b } from 'pkg'`, `export function f`): the stub is
// generated from that list, read from the chunk's source without running it, so `export * from`
// is refused. Under jest the source runs unbundled and a chunk is an ordinary module; the CommonJS
// bundles (CLI, demo functions) hold their chunks inline.
//
// In CommonJS output every chunk carries its own copy of what it shares with its importer: an
// AWS SDK client chunk would carry its own ~300 kB of SDK core (measured: the Lambda client as a
// CJS chunk took 76 kB off router.js and cost 382 kB at the first Lambda delivery). The router is
// therefore built as an ES module with esbuild's code splitting (esbuild.config.mjs): its chunks
// (`extension: '.mjs'`) are entry points of the same build, the code they share with the router
// and with each other sits in shared chunks loaded once, and the stub's `require` of a chunk is
// Node's synchronous require of an ES module (Node >= 20.19 / 22.12; Lambda nodejs22.x), so a
// chunk stays an ordinary synchronous import for the code that uses it.
'use strict';
const { Buffer } = require('node:buffer');
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
 * relative to them), `exportsOf` the result of `chunkExports`, `extension` the built chunks' file
 * extension (`.mjs` for a code-split ES module build); `splitting` for such a build, whose output
 * then goes through `relinkChunks` before it is written, and whose banner defines each file's own
 * `__psarnRequire` (`createRequire(import.meta.url)`).
 */
function chunkPlugin({ chunkDir, chunkOutDir, outDir, exportsOf, extension = '.js', splitting = false }) {
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
        // With code splitting the stub may land in a shared chunk, in another folder than the
        // bundle: its path is then written by `relinkChunks`, once each file's place is known.
        const file = splitting
          ? `${RELINK}${args.path}`
          : relativeFrom(outDir, resolve(chunkOutDir, `${args.path}${extension}`));
        return {
          loader: 'js',
          contents: [
            '"use strict";',
            'let loaded;',
            // `__psarnRequire` (the banner of a splitting build) is the require of the file the
            // stub lands in; esbuild's own `require` helper may sit in another file, another folder.
            splitting
              ? `const load = () => (loaded ??= __psarnRequire(${JSON.stringify(file)}));`
              : `const load = () => (loaded ??= require(${JSON.stringify(`psarn-chunk-file:${file}`)}));`,
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

const RELINK = 'psarn-chunk-relink:';

// The banner of every file of a `splitting` build. A CommonJS package bundled into an ES module
// still calls require() (node:fs…): this gives each file a real one, resolved from that file, which
// chunk stubs call as __psarnRequire. A stub requires an ES module, which needs Node's require(esm)
// (22.12+, 20.19+): without it the first delivery of each kind would fail, so the file refuses to
// load at init instead.
const ESM_BANNER = [
  "import{createRequire as __psarnCreateRequire}from'node:module';",
  'if(process.features.require_module!==true)throw new Error(`psarn router: Node ${process.version} cannot require ES modules (its SDK client chunks); run it on Node 22.12 or later (Lambda nodejs22.x)`);',
  'const require=__psarnCreateRequire(import.meta.url),__psarnRequire=require;',
].join('');

/** `to` as a `./`-relative require path from the folder `fromDir`. */
function relativeFrom(fromDir, to) {
  const file = relative(resolve(fromDir), to).split('\\').join('/');
  return file.startsWith('.') ? file : `./${file}`;
}

/**
 * The output files of a `splitting` build, each stub's require of a chunk made relative to the
 * file it ended up in. Same length in, same order out: `{ path, contents }` for `writeOutputs`.
 */
function relinkChunks(outputFiles, chunkOutDir, extension) {
  const marker = new RegExp(`"${RELINK}([\\w-]+)"`, 'g');
  return outputFiles.map((file) => {
    if (!file.path.endsWith(extension)) return file;
    const text = file.text;
    if (!text.includes(RELINK)) return file;
    const linked = text.replace(marker, (_, name) =>
      JSON.stringify(relativeFrom(dirname(file.path), resolve(chunkOutDir, `${name}${extension}`))),
    );
    return { path: file.path, contents: Buffer.from(linked) };
  });
}

module.exports = { chunkEntries, chunkExports, chunkPlugin, relinkChunks, ESM_BANNER };
