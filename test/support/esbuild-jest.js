// A jest transform that strips TypeScript with esbuild (already a build dependency). Types are
// checked by `npm run typecheck`, not here. We keep our own dozen lines rather than @swc/jest
// because swc's and jest 30's per-platform binaries are not all on every registry mirror, and
// `npm ci` rejects a lock file that lacks them.
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { transformSync, version } = require('esbuild');

// Jest keys its transform cache on the source and the config, not on the transformer: this file
// and esbuild's version are part of the key, so a change to the options here is never served
// stale output.
const SELF = readFileSync(join(__dirname, 'esbuild-jest.js'), 'utf8');

module.exports = {
  getCacheKey(source, filename, options) {
    return createHash('sha1')
      .update(SELF)
      .update(version)
      .update(options.configString)
      .update(filename)
      .update(source)
      .digest('hex');
  },
  process(source, filename) {
    const { code, map } = transformSync(source, {
      loader: filename.endsWith('.ts') ? 'ts' : 'js',
      format: 'cjs',
      target: 'node22',
      sourcemap: 'external',
      sourcefile: filename,
      // import() becomes require(), as in the CLI's own esbuild bundle: jest's VM has no native
      // dynamic import without --experimental-vm-modules (src/discovery/catalog-html.ts loads
      // @viz-js/viz that way), and require() reaches jest's module registry.
      supported: { 'dynamic-import': false },
    });
    return { code, map };
  },
};
