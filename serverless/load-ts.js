// Load a TypeScript module of src/ from a plugin: bundle it (esbuild, ~0.3 s) into a private temp
// file and require it. Plugins need no build step and always run the current source.
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

module.exports = function loadTs(entry) {
  const { outputFiles } = require('esbuild').buildSync({
    entryPoints: [entry],
    outfile: 'psarn-plugin-api.js',
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    logLevel: 'warning',
    write: false,
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psarn-plugin-'));
  const file = path.join(dir, 'psarn-plugin-api.js');
  fs.writeFileSync(file, outputFiles[0].contents);
  try {
    return require(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
};
