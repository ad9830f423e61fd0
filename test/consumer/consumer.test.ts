/**
 * What a user installs: every publishable package is packed as the registry
 * would receive it, the tarballs are installed with npm, and then with pnpm,
 * into projects outside the workspace (no workspace links, nothing of this
 * repository's node_modules), and there the README pipeline, a tee, the
 * `beamflow` bin and the native layer's identity are checked with ffprobe.
 *
 * The addon is built by the tarball's own install script. To keep reruns
 * quick its build cache (BEAMFLOW_BEAMCODER_CACHE) is seeded with the
 * workspace's addon under the key the workspace's build recorded; the key is
 * a hash of binding.gyp and every file under src/, the FFmpeg versions and the
 * platform, so a tarball whose sources differ in any byte (a file left out of
 * `files`, say) misses the cache and compiles.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { root, tempDir } from '../support/media.js';
import { decodeErrors, probe } from '../support/probe.js';

const PACKAGES = ['beamcoder', 'core', 'encoder', 'muxer', 'hw', 'cluster', 'cli'] as const;
const cache = join(root, 'node_modules', '.cache', 'beamflow-consumer-addons');
const env = { ...process.env, COREPACK_INTEGRITY_KEYS: '0', COREPACK_ENABLE_DOWNLOAD_PROMPT: '0', BEAMFLOW_BEAMCODER_CACHE: cache };
const { sourceHash } = createRequire(import.meta.url)(join(root, 'packages/beamcoder/lib/source-hash.cjs')) as { sourceHash(dir: string): string };

function run(cmd: string, args: string[], opts: SpawnSyncOptions & { cwd: string }): { stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, timeout: 300_000, maxBuffer: 16 << 20, ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${opts.cwd}) exited ${String(r.status)}:\n${String(r.stdout)}\n${String(r.stderr)}`);
  return { stdout: String(r.stdout), stderr: String(r.stderr) };
}

// What the README shows, written as a user's plain JavaScript: bytes into a Node Writable.
const README_PIPELINE = `
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { testPattern } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';

await pipeline(
  testPattern({ video: { width: 128, height: 72, frameRate: 25 }, audio: { sampleRate: 48000, channels: 2 }, duration: 1 }),
  new Encoder({ video: { codec: 'h264', preset: 'veryfast', crf: 23 }, audio: { codec: 'aac', bitRate: 128_000 } }),
  new Rescaler(),
  new Muxer({ format: 'mp4' }),
  createWriteStream(process.argv[2]),
);
`;

// One encode, two containers through tee(): clones of every packet reach both muxers.
const TEE = `
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { tee, testPattern } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';

const encoder = new Encoder({ video: { codec: 'h264', preset: 'veryfast', gopSize: 25 }, audio: { codec: 'aac' } });
const encoded = pipeline(testPattern({ video: { width: 128, height: 72, frameRate: 25 }, audio: { sampleRate: 48000, channels: 2 }, duration: 1 }), encoder);
const [a, b] = tee(encoder, 2);
await Promise.all([
  pipeline(a, new Rescaler(), new Muxer({ format: 'mp4', output: process.argv[2], faststart: true })),
  pipeline(b, new Rescaler(), new Muxer({ format: 'mpegts' }), createWriteStream(process.argv[3])),
  encoded,
]);
`;

const IDENTITY = `
import { nativeAddonPath, nativeBuildInfo } from '@beamflow/core';
process.stdout.write(JSON.stringify({ addon: nativeAddonPath(), info: nativeBuildInfo() }));
`;

// The cluster package as a user imports it: BullMQ and ioredis come from the registry with it.
const CLUSTER = `
import { ClusterJobError, startWorker, submitTranscode } from '@beamflow/cluster';
process.stdout.write(JSON.stringify({ submitTranscode: typeof submitTranscode, startWorker: typeof startWorker, error: new ClusterJobError('tx-1', undefined, 'BEAMFLOW_INPUT: x').code }));
`;

const entry = (p: string): string => (p === 'cli' ? 'bin.js' : 'index.js');
let packs: Record<(typeof PACKAGES)[number], string>;
const packDir = tempDir('packs');

beforeAll(() => {
  for (const p of PACKAGES) {
    if (p !== 'beamcoder') expect(existsSync(join(root, 'packages', p, 'dist', entry(p))), `packages/${p} is built`).toBe(true);
    run('corepack', ['pnpm', 'pack', '--pack-destination', packDir], { cwd: join(root, 'packages', p) });
  }
  const files = readdirSync(packDir);
  packs = Object.fromEntries(PACKAGES.map((p) => {
    const f = files.find((x) => x.startsWith(`beamflow-${p}-`) && x.endsWith('.tgz'));
    expect(f, `a tarball of @beamflow/${p}`).toBeDefined();
    return [p, join(packDir, f!)];
  })) as typeof packs;

  const keyFile = join(root, 'packages/beamcoder/build/Release/beamflow-build-key');
  if (existsSync(keyFile)) {
    const entry = join(cache, readFileSync(keyFile, 'utf8'));
    mkdirSync(entry, { recursive: true });
    if (!existsSync(join(entry, 'beamcoder.node'))) copyFileSync(join(root, 'packages/beamcoder/build/Release/beamcoder.node'), join(entry, 'beamcoder.node'));
  }
}, 300_000);

describe('the tarballs', () => {
  const list = (tgz: string): string[] => run('tar', ['tzf', tgz], { cwd: root }).stdout.split('\n').filter(Boolean);
  const manifest = (tgz: string): Record<string, unknown> =>
    JSON.parse(run('tar', ['xzOf', tgz, 'package/package.json'], { cwd: root }).stdout) as Record<string, unknown>;

  it('hold what a user needs and nothing from the workspace', () => {
    for (const p of PACKAGES) {
      const files = list(packs[p]);
      const m = manifest(packs[p]);
      for (const f of ['package/package.json', 'package/README.md', 'package/LICENSE']) expect(files, p).toContain(f);
      for (const field of ['repository', 'homepage', 'keywords', 'engines', 'publishConfig']) expect(m[field], `${p} ${field}`).toBeDefined();
      expect(m.version).toBe(manifest(packs.core).version);
      expect(JSON.stringify(m.dependencies ?? {}), p).not.toMatch(/workspace:|catalog:|file:|link:/);
      expect(files.filter((f) => /tsconfig|\/test\/|\.test\.|tsup\.config|node_modules/.test(f)), p).toEqual([]);
      if (p === 'beamcoder') {
        for (const f of ['package/binding.gyp', 'package/src/beamcoder.cc', 'package/CHANGES.md', 'package/scripts/install.cjs']) expect(files).toContain(f);
        expect(files.filter((f) => f.startsWith('package/build/'))).toEqual([]);
      } else {
        expect(files).toContain(`package/dist/${entry(p)}`);
        expect(files.filter((f) => f.startsWith('package/src/'))).toEqual([]);
      }
    }
    expect(manifest(packs.core).dependencies).toEqual({ '@beamflow/beamcoder': manifest(packs.beamcoder).version });
    expect(manifest(packs.cli).bin).toEqual({ beamflow: './dist/bin.js' });
  });
});

/** The checks a user's project makes, for either package manager. */
function consumerSuite(manager: 'npm' | 'pnpm'): void {
  describe(`installed with ${manager} into a project outside the workspace`, () => {
    const dir = tempDir(`consumer-${manager}`);

    beforeAll(() => {
      expect(relative(root, dir).startsWith('..'), `${dir} is outside ${root}`).toBe(true);
      const deps = Object.fromEntries(PACKAGES.map((p) => [`@beamflow/${p}`, `file:${packs[p]}`]));
      const pkg: Record<string, unknown> = { name: `beamflow-consumer-${manager}`, private: true, type: 'module', dependencies: deps };
      if (manager === 'pnpm') {
        // pnpm builds a dependency only when allowed; the overrides stand in for the registry,
        // where each package's dependency on its siblings' version would be found.
        pkg.packageManager = `pnpm@${String((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { packageManager: string }).packageManager).split('@')[1]}`;
        pkg.pnpm = { onlyBuiltDependencies: ['@beamflow/beamcoder'], overrides: deps };
      }
      writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
      writeFileSync(join(dir, 'readme.mjs'), README_PIPELINE);
      writeFileSync(join(dir, 'tee.mjs'), TEE);
      writeFileSync(join(dir, 'identity.mjs'), IDENTITY);
      writeFileSync(join(dir, 'cluster.mjs'), CLUSTER);
      // The caches may not hold the cluster's registry dependencies (BullMQ, ioredis and theirs)
      // or their metadata yet: each manager fetches what it lacks from the registry.
      if (manager === 'npm') run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir });
      else run('corepack', ['pnpm', 'install', '--prefer-offline'], { cwd: dir });
    }, 300_000);

    it('installs real copies, and no upstream beamcoder', () => {
      const core = join(dir, 'node_modules/@beamflow/core');
      const real = manager === 'npm' ? core : join(dir, 'node_modules/.pnpm');
      expect(lstatSync(real).isDirectory()).toBe(true);
      if (manager === 'npm') expect(lstatSync(core).isSymbolicLink()).toBe(false);
      expect(existsSync(join(dir, 'node_modules/beamcoder'))).toBe(false);
      expect(readdirSync(join(dir, 'node_modules', manager === 'npm' ? '' : '.pnpm')).filter((n) => /^beamcoder|segfault-handler/.test(n))).toEqual([]);
    });

    it('loads the fork, built from the tarball\'s sources inside the project', () => {
      const { addon, info } = JSON.parse(run(process.execPath, ['identity.mjs'], { cwd: dir }).stdout) as {
        addon: string; info: { package: string; upstream: string; sourceHash: string; version: string };
      };
      expect(addon.startsWith(join(dir, 'node_modules'))).toBe(true);
      expect(info.package).toBe('@beamflow/beamcoder');
      expect(info.upstream).toBe('0.7.1');
      expect(info.sourceHash).toBe(sourceHash(join(root, 'packages/beamcoder')));
    });

    it('runs the README pipeline into a Node Writable: a fragmented MP4 that decodes', () => {
      const out = join(dir, 'readme.mp4');
      const r = run(process.execPath, ['readme.mjs', out], { cwd: dir });
      expect(r.stdout).toBe('');
      expect(readFileSync(out).includes('moof')).toBe(true);
      const p = probe(out);
      expect(p.streams.map((s) => s.codec_name)).toEqual(['h264', 'aac']);
      expect(Number(p.streams[0]!.nb_read_frames)).toBe(25);
      expect(decodeErrors(out)).toBe('');
    });

    it('tees one encode into an MP4 file and an MPEG-TS byte stream', () => {
      const mp4 = join(dir, 'tee.mp4');
      const ts = join(dir, 'tee.ts');
      run(process.execPath, ['tee.mjs', mp4, ts], { cwd: dir });
      for (const out of [mp4, ts]) {
        const p = probe(out);
        expect(p.streams.map((s) => s.codec_name).sort(), out).toEqual(['aac', 'h264']);
        expect(Number(p.streams.find((s) => s.codec_name === 'h264')!.nb_read_frames), out).toBe(25);
        expect(decodeErrors(out), out).toBe('');
      }
    });

    it('imports @beamflow/cluster, with BullMQ and ioredis from the registry', () => {
      expect(JSON.parse(run(process.execPath, ['cluster.mjs'], { cwd: dir }).stdout)).toEqual({ submitTranscode: 'function', startWorker: 'function', error: 'BEAMFLOW_INPUT' });
      const help = manager === 'npm'
        ? run('npx', ['--no-install', 'beamflow', 'worker', '--help'], { cwd: dir })
        : run('corepack', ['pnpm', 'exec', 'beamflow', 'worker', '--help'], { cwd: dir });
      expect(help.stdout).toMatch(/^beamflow worker: /);
    });

    it('installs a beamflow bin that encodes', () => {
      const out = join(dir, 'bin.mp4');
      const args = ['beamflow', 'encode', '--duration', '1', '--size', '128x72', '-o', out, '--quiet'];
      if (manager === 'npm') run('npx', ['--no-install', ...args], { cwd: dir });
      else run('corepack', ['pnpm', 'exec', ...args], { cwd: dir });
      const p = probe(out);
      expect(p.streams.map((s) => s.codec_name)).toEqual(['h264', 'aac']);
      expect(Number(p.streams[0]!.nb_read_frames)).toBe(25);
      expect(decodeErrors(out)).toBe('');
    });
  });
}

consumerSuite('npm');
consumerSuite('pnpm');
