import * as esbuild from 'esbuild';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const chunks = require('../../bin/esbuild-chunks.cjs') as {
  chunkEntries(dir: string): [string, string][];
  chunkExports(build: typeof esbuild, entries: [string, string][]): Promise<Map<string, string[]>>;
  chunkPlugin(options: {
    chunkDir: string;
    chunkOutDir: string;
    outDir: string;
    exportsOf: Map<string, string[]>;
  }): esbuild.Plugin;
};

// Issue 11: zod was 455 kB of the router bundle, most of its cold start. The router's envelope
// checks are hand-written (src/router/envelope-shape.ts); this keeps zod (and the CLI's YAML and
// commander) out of everything the router handler loads at init, whichever file would import them;
// a module behind src/chunks/ (the JSON-Schema compiler) is its own file, loaded on first use.
it('the router handler loads neither zod nor the CLI-only packages at init', async () => {
  const chunkDir = 'src/chunks';
  const exportsOf = await chunks.chunkExports(esbuild, chunks.chunkEntries(chunkDir));
  const result = await esbuild.build({
    entryPoints: ['src/router/handler.ts'],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    mainFields: ['module', 'main'],
    write: false,
    metafile: true,
    outdir: 'dist-probe',
    logLevel: 'silent',
    plugins: [
      chunks.chunkPlugin({ chunkDir, chunkOutDir: join('dist', 'chunks'), outDir: 'dist', exportsOf }),
    ],
  });
  const packages = new Set(
    Object.keys(result.metafile.inputs)
      .map((file) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1])
      .filter((name): name is string => name !== undefined),
  );
  expect(packages.has('@aws-sdk/client-dynamodb')).toBe(true); // the probe did bundle the router
  expect(
    [...packages].filter((name) => ['zod', 'yaml', 'commander', 'ajv', '@viz-js/viz'].includes(name)),
  ).toEqual([]);
});
