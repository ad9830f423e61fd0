import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { _ffmpegMismatch, _setNativeAddonPath, beamcoder, nativeBuildInfo } from '../../src/native.js';
import { BeamflowError, NativeLoadError } from '../../src/errors.js';

const root = resolve(__dirname, '../../../..');

describe('loading beamcoder', () => {
  it('writes nothing to stdout and creates no file, even when the addon is used', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'beamflow-cwd-'));
    const scriptDir = mkdtempSync(join(tmpdir(), 'beamflow-script-'));
    const script = join(scriptDir, 'load.mts');
    writeFileSync(
      script,
      `import * as core from ${JSON.stringify(join(root, 'packages/core/src/index.ts'))};
       const v = core.ffmpegVersion();
       let n = 0;
       for await (const e of core.testPattern({ video: { width: 64, height: 36, frameRate: 25 }, frames: 3 })) n++;
       process.stderr.write('version ' + v + ' items ' + n + '\\n');`,
    );
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href, script], {
      cwd,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/version \S+ items 4/);
    expect(r.stdout).toBe('');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('a missing addon is a BeamflowError that says what to install', () => {
    _setNativeAddonPath('/nonexistent/build/Release/beamcoder.node');
    try {
      let caught: unknown;
      try {
        beamcoder();
      } catch (err) {
        caught = err;
      }
      expect(BeamflowError.isInstance(caught)).toBe(true);
      expect((caught as BeamflowError).code).toBe('BEAMFLOW_NATIVE_MISSING');
      expect((caught as Error).message).toContain('apt-get install libavcodec-dev');
    } finally {
      _setNativeAddonPath(undefined);
    }
    expect(typeof beamcoder().avVersionInfo()).toBe('string');
  });

  const pkg = join(root, 'packages/beamcoder');

  /** What loading throws with the loader pointed at `path` inside the package copy `dir`. */
  function loadError(path: string, dir?: string): NativeLoadError {
    _setNativeAddonPath(path, dir);
    try {
      beamcoder();
    } catch (err) {
      expect(err).toBeInstanceOf(NativeLoadError);
      return err as NativeLoadError;
    } finally {
      _setNativeAddonPath(undefined);
    }
    throw new Error(`loading ${path} did not fail`);
  }

  /** A copy of the package with its built addon, as an install leaves it. */
  function packageCopy(): string {
    const dir = mkdtempSync(join(tmpdir(), 'beamflow-native-'));
    // Timestamps kept: the build's record of the sources (names, sizes, times) still matches the copy.
    for (const f of ['package.json', 'binding.gyp', 'src', 'lib']) cpSync(join(pkg, f), join(dir, f), { recursive: true, preserveTimestamps: true });
    mkdirSync(join(dir, 'build/Release'), { recursive: true });
    for (const f of ['beamcoder.node', 'beamflow-sources.json']) cpSync(join(pkg, 'build/Release', f), join(dir, 'build/Release', f));
    return dir;
  }

  it('the loaded addon is the fork, built from the sources its package holds', () => {
    const info = nativeBuildInfo();
    expect(info.package).toBe('@beamflow/beamcoder');
    expect(info.upstream).toBe('0.7.1');
    expect(info.runtime.avcodec).toMatch(/^59\./);
    // A copy of the package whose sources are unchanged loads.
    const dir = packageCopy();
    _setNativeAddonPath(join(dir, 'build/Release/beamcoder.node'), dir);
    try {
      expect(beamcoder().buildInfo().sourceHash).toBe(info.sourceHash);
    } finally {
      _setNativeAddonPath(undefined);
    }
  });

  it('an addon compiled from other sources than its package holds is stale, and the error says how to rebuild', () => {
    const dir = packageCopy();
    appendFileSync(join(dir, 'src/frame.cc'), '\n// edited after the build\n');
    const err = loadError(join(dir, 'build/Release/beamcoder.node'), dir);
    expect(err.code).toBe('BEAMFLOW_NATIVE_MISSING');
    expect(err.reason).toBe('stale');
    expect(err.message).toContain('npm rebuild @beamflow/beamcoder');
  });

  it('a file that is not a native module of this platform is a foreign binary', () => {
    const dir = mkdtempSync(join(tmpdir(), 'beamflow-native-'));
    const bogus = join(dir, 'beamcoder.node');
    writeFileSync(bogus, Buffer.alloc(4096, 0x41));
    const err = loadError(bogus);
    expect(err.reason).toBe('foreign-binary');
    expect(err.message).toContain('rebuild');
  });

  it('an addon built against other FFmpeg headers than the libraries loaded is refused with both versions named', () => {
    // 59.37.100 and 60.3.100 as LIB*_VERSION_INT; a real second FFmpeg is not on the machine.
    const v = (a: number, b: number, c: number): number => (a << 16) | (b << 8) | c;
    expect(_ffmpegMismatch({ avcodec: v(59, 37, 100) }, { avcodec: v(59, 37, 100) })).toBeUndefined();
    expect(_ffmpegMismatch({ avcodec: v(59, 18, 100) }, { avcodec: v(59, 37, 100) })).toBeUndefined();
    expect(_ffmpegMismatch({ avcodec: v(60, 3, 100) }, { avcodec: v(59, 37, 100) })).toBe(
      'it was built against libavcodec 60.3.100 and this process loaded libavcodec 59.37.100',
    );
    expect(_ffmpegMismatch({ avformat: v(59, 27, 100) }, { avformat: v(59, 16, 100) })).toMatch(/libavformat 59\.27\.100 .* libavformat 59\.16\.100/);
  });

  it('installing without FFmpeg\'s development files fails with one line naming the packages', () => {
    // pkg-config with an empty search path finds no FFmpeg, as on a machine without the -dev packages.
    const empty = mkdtempSync(join(tmpdir(), 'beamflow-pc-'));
    const r = spawnSync(process.execPath, [join(pkg, 'scripts/install.cjs')], {
      cwd: pkg, encoding: 'utf8', env: { ...process.env, PKG_CONFIG_LIBDIR: empty, PKG_CONFIG_PATH: empty },
    });
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^@beamflow\/beamcoder: FFmpeg's development files are missing \(pkg-config finds no libavcodec, .*\)\. Install them: apt-get install libavcodec-dev .* pkg-config$/);
    expect(readdirSync(join(pkg, 'build/Release'))).toContain('beamcoder.node');
  });
});
