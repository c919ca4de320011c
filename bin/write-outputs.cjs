// Writes esbuild's in-memory output files, each whole (temp file + rename) and only when changed:
// a running local stack or another `psarn` process may be loading dist/ at that moment, and must
// never see half a bundle. Shared by bin/psarn.js and esbuild.config.mjs.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

module.exports = function writeOutputs(outputFiles) {
  for (const file of outputFiles) {
    if (fs.existsSync(file.path) && fs.readFileSync(file.path).equals(file.contents)) continue;
    fs.mkdirSync(path.dirname(file.path), { recursive: true });
    const temp = `${file.path}.${process.pid}.tmp`;
    fs.writeFileSync(temp, file.contents);
    fs.renameSync(temp, file.path);
  }
};
