#!/usr/bin/env node
'use strict';
// Builds the addon from source against the system's FFmpeg 5.x, as npm or pnpm
// runs it on install (and `npm rebuild @beamflow/beamcoder` runs it again).
//
// - Missing FFmpeg development files, a different FFmpeg major, or a missing
//   compiler are each one line on stderr naming what to install, and exit 1:
//   a compiler's page of errors helps nobody.
// - A build whose sources, FFmpeg and platform are those of the addon already
//   in build/Release is not redone.
// - BEAMFLOW_BEAMCODER_CACHE=DIR keeps each built addon in DIR under a key made
//   of exactly those inputs and reuses it, as ccache would: reinstalling the
//   same tarball in a fresh project then takes a copy instead of a compile.
const { execFileSync, spawnSync } = require('node:child_process');
const { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { createHash } = require('node:crypto');
const { sourceFingerprint, sourceHash } = require('../lib/source-hash.cjs');

const root = join(__dirname, '..');
const LIBS = ['libavcodec', 'libavdevice', 'libavfilter', 'libavformat', 'libavutil', 'libpostproc', 'libswresample', 'libswscale'];
const APT = 'apt-get install libavcodec-dev libavformat-dev libavfilter-dev libavdevice-dev libswscale-dev libswresample-dev libpostproc-dev libavutil-dev pkg-config';
const FFMPEG_MAJOR = 59; // libavcodec 59 = FFmpeg 5.x, the API this fork is written against

function fail(line) {
  process.stderr.write(`@beamflow/beamcoder: ${line}\n`);
  process.exit(1);
}

function run(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

if (run('pkg-config', ['--version']) === undefined) {
  fail(`pkg-config was not found, and the build finds FFmpeg through it. Install FFmpeg 5.1's development files: ${APT}`);
}
const versions = LIBS.map((lib) => [lib, run('pkg-config', ['--modversion', lib])]);
const missing = versions.filter(([, v]) => v === undefined).map(([lib]) => lib);
if (missing.length > 0) {
  fail(`FFmpeg's development files are missing (pkg-config finds no ${missing.join(', ')}). Install them: ${APT}`);
}
const avcodec = versions[0][1];
if (Number(avcodec.split('.')[0]) !== FFMPEG_MAJOR) {
  fail(`found libavcodec ${avcodec}; this package builds against FFmpeg 5.x (libavcodec ${FFMPEG_MAJOR}), as Debian 12 ships it (${APT})`);
}
for (const tool of ['make', 'c++', 'python3']) {
  if (run('sh', ['-c', `command -v ${tool}`]) === undefined) {
    fail(`${tool} was not found; building the addon needs a C++ compiler, make and python3 (apt-get install build-essential python3)`);
  }
}

const source = sourceHash(root);
const key = createHash('sha256')
  .update(JSON.stringify({ source, versions, platform: process.platform, arch: process.arch }))
  .digest('hex')
  .slice(0, 24);
const addon = join(root, 'build', 'Release', 'beamcoder.node');
const stamp = join(root, 'build', 'Release', 'beamflow-build-key');
// What the loader in @beamflow/core reads to tell whether the sources changed since this build.
const record = () => writeFileSync(join(root, 'build', 'Release', 'beamflow-sources.json'),
  JSON.stringify({ sourceHash: source, fingerprint: sourceFingerprint(root) }));
if (existsSync(addon) && existsSync(stamp) && readFileSync(stamp, 'utf8') === key) {
  record();
  process.exit(0);
}

const cacheDir = process.env.BEAMFLOW_BEAMCODER_CACHE;
const cached = cacheDir ? join(cacheDir, key, 'beamcoder.node') : undefined;
if (cached && existsSync(cached)) {
  mkdirSync(dirname(addon), { recursive: true });
  copyFileSync(cached, addon);
  writeFileSync(stamp, key);
  record();
  process.exit(0);
}

// npm hands its own node-gyp to install scripts in npm_config_node_gyp; pnpm
// puts its bundled one on PATH; a bare `node scripts/install.cjs` finds npm's.
const gyp = [
  process.env.npm_config_node_gyp,
  join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].find((p) => p && existsSync(p));
const args = ['rebuild', '-j', 'max'];
// Node's own headers when they sit beside the binary (Debian's nodejs, official
// tarballs): node-gyp would otherwise download them, and the machine may be offline.
const prefix = join(dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
const r = gyp
  ? spawnSync(process.execPath, [gyp, ...args], { cwd: root, stdio: 'inherit' })
  : spawnSync('node-gyp', args, { cwd: root, stdio: 'inherit' });
if (r.error) fail(`node-gyp could not be started (${r.error.message}); install it with npm install -g node-gyp`);
if (r.status !== 0) process.exit(r.status ?? 1);
writeFileSync(stamp, key);
record();
if (cached) {
  mkdirSync(dirname(cached), { recursive: true });
  // Another install may be filling the same entry: write aside, then rename into place.
  const tmp = `${cached}.${process.pid}`;
  copyFileSync(addon, tmp);
  renameSync(tmp, cached);
}
