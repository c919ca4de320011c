#!/usr/bin/env node
// Entry point of `npx psarn`. On a fresh clone there is no dist/ yet, so the CLI bundles itself
// once (esbuild, ~100 ms) and again whenever a source file is newer than the bundle.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const bundle = path.join(root, 'dist', 'cli.js');

function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestSource(full) : fs.statSync(full).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

function bundleIsStale() {
  if (!fs.existsSync(bundle)) return true;
  const src = path.join(root, 'src');
  return fs.existsSync(src) && newestSource(src) > fs.statSync(bundle).mtimeMs;
}

if (bundleIsStale()) {
  const { outputFiles } = require('esbuild').buildSync({
    entryPoints: [path.join(root, 'src', 'cli', 'main.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    sourcemap: true,
    logLevel: 'warning',
    write: false,
  });
  require('./write-outputs.cjs')(outputFiles);
}

require(bundle)
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
