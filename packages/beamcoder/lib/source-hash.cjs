'use strict';
// The identity of the sources an addon is compiled from: binding.gyp and every
// file under src/, in name order. The build compiles it into the addon
// (buildInfo().sourceHash); a loader compares it with the package's files to
// tell a stale build from a current one.
const { readdirSync, readFileSync, statSync } = require('node:fs');
const { join } = require('node:path');

const sourceFiles = (dir) => ['binding.gyp', ...readdirSync(join(dir, 'src')).sort().map((f) => join('src', f))];

function sourceHash(dir) {
  const hash = require('node:crypto').createHash('sha256');
  for (const f of sourceFiles(dir)) {
    hash.update(f.replace(/\\/g, '/'));
    hash.update('\0');
    hash.update(readFileSync(join(dir, f)));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

// Names, sizes and modification times of the same files: cheap to read at every
// start, and unchanged unless a source was touched. The build records it next to
// the hash, so that a loader hashes the sources only when they may have changed.
function sourceFingerprint(dir) {
  return sourceFiles(dir).map((f) => {
    const st = statSync(join(dir, f));
    return `${f}:${st.size}:${Math.round(st.mtimeMs)}`;
  }).join('|');
}

// The hash of the sources as they are now: from the build's record when the
// fingerprint still matches, otherwise computed.
function currentSourceHash(dir, recordPath) {
  const fingerprint = sourceFingerprint(dir);
  try {
    const rec = JSON.parse(readFileSync(recordPath, 'utf8'));
    if (rec.fingerprint === fingerprint && typeof rec.sourceHash === 'string') return rec.sourceHash;
  } catch {
    // no record (a build from before records existed, or none): hash below
  }
  return sourceHash(dir);
}

module.exports = { sourceHash, sourceFingerprint, currentSourceHash };
