import { mkdtempSync, mkdirSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  }): esbuild.Plugin;
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
      `(globalThis as any).heavyLoads = ((globalThis as any).heavyLoads ?? 0) + 1;
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
