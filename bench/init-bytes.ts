/**
 * Bytes the router loads at init (issue 11): dist/router.mjs and every file it imports statically,
 * transitively: the shared chunks of its code-split build. Chunks it loads on first use (a target
 * kind's SDK client, `require`d by a stub) and the shared chunks only they import are not counted:
 * they are returned apart, by file, with what each one adds when it is first loaded.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

// esbuild's minified ES module output: `import{a as b}from"./chunks/shared-X.mjs"` or a bare
// `import"./chunks/shared-X.mjs"`, each after the start of the file or a statement's end.
const STATIC_IMPORT = /(?:^|[;}\n])\s*import\s*(?:[^'"();]*?from\s*)?["'](\.{1,2}\/[^"']+)["']/g;

/** Every file `file` imports statically, transitively, itself included. */
export function staticClosure(file: string, seen: Set<string> = new Set()): Set<string> {
  const path = resolve(file);
  if (seen.has(path)) return seen;
  seen.add(path);
  for (const match of readFileSync(path, 'utf8').matchAll(STATIC_IMPORT))
    staticClosure(resolve(dirname(path), match[1] as string), seen);
  return seen;
}

const bytesOf = (files: Iterable<string>): number => [...files].reduce((sum, f) => sum + statSync(f).size, 0);

export interface InitBytes {
  /** The router file and its static imports. */
  readonly initBytes: number;
  /** Per lazily loaded chunk: the bytes its first use adds to what init loaded. */
  readonly firstUseBytes: Record<string, number>;
}

export function initBytes(routerFile: string, lazyChunks: readonly string[]): InitBytes {
  const init = staticClosure(routerFile);
  const firstUseBytes: Record<string, number> = {};
  for (const chunk of lazyChunks) {
    const added = [...staticClosure(chunk)].filter((f) => !init.has(f));
    firstUseBytes[basename(chunk)] = bytesOf(added);
  }
  return { initBytes: bytesOf(init), firstUseBytes };
}
