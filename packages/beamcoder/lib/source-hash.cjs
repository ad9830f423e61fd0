'use strict';
// The identity of the sources an addon is compiled from: binding.gyp and every
// file under src/, in name order. The build compiles it into the addon
// (buildInfo().sourceHash); a loader compares it with the package's files to
// tell a stale build from a current one.
const { createHash } = require('node:crypto');
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

function sourceHash(dir) {
  const hash = createHash('sha256');
  const files = ['binding.gyp', ...readdirSync(join(dir, 'src')).sort().map((f) => join('src', f))];
  for (const f of files) {
    hash.update(f.replace(/\\/g, '/'));
    hash.update('\0');
    hash.update(readFileSync(join(dir, f)));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

module.exports = { sourceHash };
