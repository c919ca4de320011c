import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';

// The chunk mechanism of esbuild.config.mjs (issue 11), run on a tree of its own: a bundle that
// imports a chunk at the top of a file must not load it until an export is used.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const chunks = require('../../bin/esbuild-chunks.cjs') as {
  chunkEntries(dir: string): [string, string][];
  chunkExports(build: typeof esbuild, entries: [string, string][]): Promise<Map<string, string[]>>;
  chunkPlugin(options: {
    chunkDir: string;
    chunkOutDir: string;
    outDir: string;
    exportsOf: Map<string, string[]>;
    extension?: string;
    splitting?: boolean;
  }): esbuild.Plugin;
  relinkChunks(
    files: esbuild.OutputFile[],
    chunkOutDir: string,
    extension: string,
  ): { path: string; contents: Uint8Array }[];
  ESM_BANNER: string;
};

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'psarn-chunks-'));
  mkdirSync(join(root, 'src', 'chunks'), { recursive: true });
  mkdirSync(join(root, 'src', 'fn'), { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

async function buildTree(): Promise<void> {
  const chunkDir = join(root, 'src', 'chunks');
  const entries = chunks.chunkEntries(chunkDir);
  const exportsOf = await chunks.chunkExports(esbuild, entries);
  const out = join(root, 'dist');
  const groups: [string, Record<string, string>][] = [
    [out, { main: join(root, 'src', 'main.ts') }],
    [join(out, 'fn'), { 'fn/nested': join(root, 'src', 'fn', 'nested.ts') }],
    [join(out, 'chunks'), Object.fromEntries(entries)],
  ];
  for (const [outDir, entryPoints] of groups) {
    await esbuild.build({
      entryPoints,
      outdir: out,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      logLevel: 'silent',
      plugins: [chunks.chunkPlugin({ chunkDir, chunkOutDir: join(out, 'chunks'), outDir, exportsOf })],
    });
  }
}

function write(path: string, text: string): void {
  writeFileSync(join(root, path), text);
}

describe('chunks: src/chunks/<name>.ts is its own file, required on first use', () => {
  it('keeps a chunk out of its importers and loads it once, at the first use of an export', async () => {
    write(
      'src/chunks/heavy.ts',
      `const counter = globalThis as { heavyLoads?: number };
       counter.heavyLoads = (counter.heavyLoads ?? 0) + 1;
       export function double(n: number): number { return n * 2; }
       export const NAME = 'heavy';`,
    );
    write(
      'src/main.ts',
      `import { double, NAME } from './chunks/heavy';\nexport const run = (n: number) => NAME + double(n);`,
    );
    write(
      'src/fn/nested.ts',
      `import { double } from '../chunks/heavy';\nexport const run = (n: number) => double(n);`,
    );
    await buildTree();
    const globals = globalThis as { heavyLoads?: number };
    delete globals.heavyLoads;
    expect(existsSync(join(root, 'dist', 'chunks', 'heavy.js'))).toBe(true);

    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const main = require(join(root, 'dist', 'main.js')) as { run(n: number): string };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nested = require(join(root, 'dist', 'fn', 'nested.js')) as { run(n: number): number };
    expect(globals.heavyLoads).toBeUndefined();
    expect(main.run(21)).toBe('heavy42');
    expect(nested.run(2)).toBe(4);
    expect(globals.heavyLoads).toBe(1);
  });

  it('refuses a chunk that re-exports with "export *", whose names a stub cannot know', async () => {
    write('src/chunks/star.ts', `export * from 'node:path';`);
    await expect(
      chunks.chunkExports(esbuild, chunks.chunkEntries(join(root, 'src', 'chunks'))),
    ).rejects.toThrow(/star\.ts: "export \* from" cannot be made lazy; name the exports/);
  });
});

// The router's build (esbuild.config.mjs): ES modules with code splitting. A module two entry
// points share, with the stub in it, lands in a shared chunk in dist/chunks/, and esbuild's own
// require helper may sit in yet another file: each stub must still find its chunk.
describe('chunks in an ES module build with code splitting', () => {
  it('loads a chunk once, at its first use, from a stub that landed in a shared chunk', async () => {
    write(
      'src/chunks/heavy.ts',
      `const counter = globalThis as { heavyLoads?: number };
       counter.heavyLoads = (counter.heavyLoads ?? 0) + 1;
       export function double(n: number): number { return n * 2; }`,
    );
    write(
      'src/common.ts',
      `import { double } from './chunks/heavy';\nexport const twice = (n: number) => double(n);`,
    );
    write(
      'src/main.ts',
      `import { twice } from './common';\nexport const run = (n: number) => twice(n) + 1;`,
    );
    write(
      'src/second.ts',
      `import { twice } from './common';\nexport const run = (n: number) => twice(n) + 2;`,
    );
    const chunkDir = join(root, 'src', 'chunks');
    const entries = chunks.chunkEntries(chunkDir);
    const out = join(root, 'dist');
    const result = await esbuild.build({
      entryPoints: {
        main: join(root, 'src', 'main.ts'),
        'chunks/second': join(root, 'src', 'second.ts'),
        ...Object.fromEntries(entries),
      },
      outdir: out,
      bundle: true,
      platform: 'node',
      format: 'esm',
      splitting: true,
      outExtension: { '.js': '.mjs' },
      chunkNames: 'chunks/shared-[hash]',
      banner: { js: chunks.ESM_BANNER },
      write: false,
      logLevel: 'silent',
      plugins: [
        chunks.chunkPlugin({
          chunkDir,
          chunkOutDir: join(out, 'chunks'),
          outDir: out,
          exportsOf: await chunks.chunkExports(esbuild, entries),
          extension: '.mjs',
          splitting: true,
        }),
      ],
    });
    for (const file of chunks.relinkChunks(result.outputFiles, join(out, 'chunks'), '.mjs')) {
      mkdirSync(join(file.path, '..'), { recursive: true });
      writeFileSync(file.path, file.contents);
    }
    const script = `
      const main = await import(${JSON.stringify(join(out, 'main.mjs'))});
      const second = await import(${JSON.stringify(join(out, 'chunks', 'second.mjs'))});
      const before = globalThis.heavyLoads ?? 0;
      console.log(JSON.stringify([before, main.run(20), second.run(20), globalThis.heavyLoads]));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
    expect(JSON.parse(stdout)).toEqual([0, 41, 42, 1]);
  });
});
