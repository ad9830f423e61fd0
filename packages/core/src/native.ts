/**
 * Loading the native layer, `@beamflow/beamcoder` (beamflow's fork of
 * beamcoder 0.7.1). Upstream's `index.js` prints a licence banner to stdout
 * and installs a segfault handler that writes `crash.log` into the working
 * directory; a library can do neither (stdout may be the media itself, as in
 * `beamflow encode -o -`), and the fork has no such entry point. The addon is
 * loaded once, on first use: importing `@beamflow/core` loads nothing native.
 *
 * Before the first call the loader checks what the addon says of its build
 * (`buildInfo()`, which only the fork has): compiled from the sources its
 * package holds (otherwise it is stale: the sources changed and nobody
 * rebuilt), and against the FFmpeg it now runs with (same major, no newer minor
 * than the loaded library). Each failure is a {@link NativeLoadError} with its
 * `reason` and the command that fixes it.
 *
 * beamcoder's async calls each hold a libuv pool thread while they run; a
 * pipeline of five stages, or a tee of three branches, needs more than the
 * default four. The pool is created on its first use, so the size is raised
 * here (before the addon's first call) unless the application set it.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as Beamcoder from '@beamflow/beamcoder';
import { NativeLoadError } from './errors.js';

/** The native module as typed by its own declarations. */
export type BeamcoderModule = typeof Beamcoder;
export type { BuildInfo } from '@beamflow/beamcoder';
export type {
  Frame, Packet, Encoder as BeamEncoder, Decoder as BeamDecoder, Muxer as BeamMuxer, Demuxer as BeamDemuxer, CodecPar,
  Stream as BeamStream,
} from '@beamflow/beamcoder';

const PACKAGE = '@beamflow/beamcoder';
const DEV_PACKAGES =
  'libavcodec-dev libavformat-dev libavfilter-dev libavdevice-dev libswscale-dev libswresample-dev libpostproc-dev libavutil-dev pkg-config';
const RUNTIME_PACKAGES =
  'libavcodec59 libavformat59 libavfilter8 libavdevice59 libswscale6 libswresample4 libpostproc56 libavutil57';
const REBUILD = `npm rebuild ${PACKAGE} (pnpm: pnpm rebuild ${PACKAGE})`;

let loaded: BeamcoderModule | undefined;
let overridePath: string | undefined;
let overrideDir: string | undefined;

/** The installed `@beamflow/beamcoder` package's directory. */
function packageDir(): string {
  if (overrideDir) return overrideDir;
  const require = createRequire(import.meta.url);
  try {
    return dirname(require.resolve(`${PACKAGE}/package.json`));
  } catch (cause) {
    throw new NativeLoadError(`${PACKAGE} is not installed: it is a dependency of @beamflow/core, reinstall (npm install @beamflow/core)`, {
      cause, reason: 'not-installed',
    });
  }
}

/** Where the compiled addon is expected. */
export function nativeAddonPath(): string {
  if (overridePath) return overridePath;
  // Another build of the addon (a debug build, or the unpatched one the soak benchmark compares with).
  if (process.env.BEAMFLOW_BEAMCODER_ADDON) return process.env.BEAMFLOW_BEAMCODER_ADDON;
  return join(packageDir(), 'build', 'Release', 'beamcoder.node');
}

/**
 * Point the loader at another addon file, or at another copy of the package
 * (tests use a missing path and a package whose sources changed). Drops the
 * loaded module so that the next call loads again.
 * @internal
 */
export function _setNativeAddonPath(path: string | undefined, pkgDir?: string): void {
  overridePath = path;
  overrideDir = pkgDir;
  loaded = undefined;
}

const LIBS = ['avcodec', 'avdevice', 'avfilter', 'avformat', 'avutil', 'postproc', 'swresample', 'swscale'] as const;
const versionString = (v: number): string => `${v >>> 16}.${(v >>> 8) & 0xff}.${v & 0xff}`;

/**
 * The first reason an addon built as `info` says cannot run with the FFmpeg
 * libraries it loaded (`runtime`, from `versions()`), or undefined when it can:
 * a different major is another ABI; a library older than the headers compiled
 * against may lack what the addon calls.
 * @internal
 */
export function _ffmpegMismatch(built: Record<string, number>, runtime: Record<string, number>): string | undefined {
  for (const lib of LIBS) {
    const b = built[lib];
    const r = runtime[lib];
    if (b === undefined || r === undefined) continue;
    if (b >>> 16 !== r >>> 16 || ((r >>> 8) & 0xff) < ((b >>> 8) & 0xff)) {
      return `it was built against lib${lib} ${versionString(b)} and this process loaded lib${lib} ${versionString(r)}`;
    }
  }
  return undefined;
}

/** What `require` of a native addon threw, as a NativeLoadError. */
function loadFailure(path: string, cause: unknown): NativeLoadError {
  const msg = cause instanceof Error ? cause.message : String(cause);
  const code = (cause as NodeJS.ErrnoException).code;
  if (code === 'MODULE_NOT_FOUND' || /Cannot find module/.test(msg)) {
    return new NativeLoadError(
      `${PACKAGE}'s native addon was not built (${path} is missing). Install FFmpeg 5.1's development packages ` +
        `(apt-get install ${DEV_PACKAGES}), allow the package's build script (pnpm: "pnpm": { "onlyBuiltDependencies": ` +
        `["${PACKAGE}"] } in package.json), then run ${REBUILD}.`,
      { cause, reason: 'not-built' },
    );
  }
  if (/lib(av|sw|postproc)\w*\.so/.test(msg)) {
    return new NativeLoadError(
      `FFmpeg 5.1's shared libraries are missing or another FFmpeg is installed: ${msg}. Install them ` +
        `(apt-get install ${RUNTIME_PACKAGES}), or rebuild the addon against the FFmpeg you have: ${REBUILD}.`,
      { cause, reason: 'libraries-missing' },
    );
  }
  if (/invalid ELF header|wrong ELF class|ELFCLASS|NODE_MODULE_VERSION|undefined symbol: napi_|Module did not self-register/.test(msg)) {
    return new NativeLoadError(
      `${path} was built for another platform or Node.js (${msg}); rebuild it here: ${REBUILD}.`,
      { cause, reason: 'foreign-binary' },
    );
  }
  return new NativeLoadError(`cannot load ${PACKAGE}'s native addon at ${path}: ${msg}`, { cause, reason: 'unloadable' });
}

/** Checks a freshly loaded addon against its package and the loaded FFmpeg. */
function checkBuild(mod: BeamcoderModule, path: string, checkSources: boolean): void {
  if (typeof (mod as Partial<BeamcoderModule>).buildInfo !== 'function') {
    // Upstream beamcoder (the soak benchmark's comparison) has no build record; only a
    // substitute named explicitly may be one.
    if (checkSources) {
      throw new NativeLoadError(`${path} is not ${PACKAGE}'s addon (it has no buildInfo()): reinstall ${PACKAGE}, then ${REBUILD}.`, {
        reason: 'not-the-fork',
      });
    }
    return;
  }
  const info = mod.buildInfo();
  if (checkSources) {
    const dir = packageDir();
    const require = createRequire(import.meta.url);
    const { currentSourceHash } = require(join(dir, 'lib', 'source-hash.cjs')) as { currentSourceHash(dir: string, record: string): string };
    // Hashing the sources costs ~10 ms; the build's record spares it while no source file was touched.
    const expected = currentSourceHash(dir, join(dirname(path), 'beamflow-sources.json'));
    if (info.sourceHash !== expected) {
      throw new NativeLoadError(
        `${path} is stale: it was compiled from other sources (${info.sourceHash}, version ${info.version}) than ${dir} holds ` +
          `(${expected}). Rebuild it: ${REBUILD}.`,
        { reason: 'stale' },
      );
    }
  }
  const mismatch = _ffmpegMismatch(info.builtAgainst, mod.versions());
  if (mismatch) {
    throw new NativeLoadError(`${path} does not match the FFmpeg loaded: ${mismatch}. Rebuild it against this FFmpeg: ${REBUILD}.`, {
      reason: 'ffmpeg-mismatch',
    });
  }
}

/**
 * The native module, loaded and checked on first call.
 * Throws {@link NativeLoadError} naming what to install or rebuild when the
 * addon was never built, is stale, or FFmpeg's shared libraries are missing
 * or not those it was built against.
 */
export function beamcoder(): BeamcoderModule {
  if (loaded) return loaded;
  // The sources are checked when the addon is the package's own, or a package copy was named.
  const checkSources = overrideDir !== undefined || (!overridePath && !process.env.BEAMFLOW_BEAMCODER_ADDON);
  const path = nativeAddonPath();
  process.env.UV_THREADPOOL_SIZE ??= '16';
  const require = createRequire(import.meta.url);
  let mod: BeamcoderModule;
  try {
    mod = require(path) as BeamcoderModule;
  } catch (cause) {
    throw loadFailure(path, cause);
  }
  checkBuild(mod, path, checkSources);
  // A library keeps FFmpeg's informational chatter off the application's stderr.
  mod.logging('error');
  loaded = mod;
  return loaded;
}

/** The loaded addon, when it has `what` (only the fork does: a substitute named by BEAMFLOW_BEAMCODER_ADDON may not). */
function forkOnly(what: 'buildInfo' | 'liveObjects' | 'mallocStats'): BeamcoderModule {
  const mod = beamcoder();
  if (typeof (mod as Partial<BeamcoderModule>)[what] !== 'function') {
    throw new NativeLoadError(`the addon loaded (${nativeAddonPath()}) is not ${PACKAGE}'s: it has no ${what}()`, { reason: 'not-the-fork' });
  }
  return mod;
}

/** What the loaded addon was built from and against (loads it if needed). */
export function nativeBuildInfo(): Beamcoder.BuildInfo & { runtime: Record<string, string> } {
  const mod = forkOnly('buildInfo');
  const versions = mod.versions() as Record<string, number>;
  const runtime = Object.fromEntries(Object.entries(versions).map(([k, v]) => [k, versionString(v)]));
  return { ...mod.buildInfo(), runtime };
}

/**
 * Native objects alive now, by kind, as counted by the addon: every AVFrame and
 * AVPacket it owns, the Buffers it lent JavaScript over frame and packet data,
 * codec, format, filter and hardware contexts, codec parameters and custom-I/O
 * adaptors. Objects held by JavaScript are freed when they are collected, so a
 * leak check collects garbage until the counts settle, then compares them with
 * a baseline (GStreamer's leaks tracer, by count instead of by memory).
 */
export function nativeObjectCounts(): NativeObjectCounts {
  return forkOnly('liveObjects').liveObjects();
}

/** Live native objects by kind (see {@link nativeObjectCounts}). */
export type NativeObjectCounts = Beamcoder.LiveObjects;

/**
 * glibc's allocator statistics (`mallinfo2()` over every arena): bytes malloc
 * has handed out and not had back (`uordblks`), free bytes its arenas keep
 * (`fordblks`), mmapped blocks (`hblkhd`): what tells a native leak from
 * memory the allocator retains, which RSS cannot. `undefined` off glibc.
 * @internal
 */
export function _mallocStats(): MallocStats | undefined {
  return forkOnly('mallocStats').mallocStats() ?? undefined;
}

/**
 * `malloc_trim(0)`: gives the arenas' free pages back to the system; true when
 * some were. For measurements (how much of RSS is free memory malloc kept);
 * beamflow never trims on its own.
 * @internal
 */
export function _mallocTrim(): boolean {
  return forkOnly('mallocStats').mallocTrim();
}

/** What {@link _mallocStats} returns. @internal */
export type MallocStats = Beamcoder.MallocStats;

/** Set FFmpeg's log level (`'quiet'`, `'error'`, `'warning'`, `'info'`, `'debug'`...). beamflow's default is `'error'`. */
export function setLogLevel(level: 'quiet' | 'panic' | 'fatal' | 'error' | 'warning' | 'info' | 'verbose' | 'debug' | 'trace'): void {
  beamcoder().logging(level);
}

/** FFmpeg's version string, as the linked libraries report it. */
export function ffmpegVersion(): string {
  return beamcoder().avVersionInfo();
}

/**
 * Drops a frame's buffers now instead of at garbage collection (the fork's
 * `frame.release()`). A stage calls it on a frame it was handed once
 * the codec or filter has taken what it needs (FFmpeg keeps its own
 * references), as a GStreamer element unrefs a buffer it consumed: the buffers
 * go back to their pool at once, and V8 does not count them as external memory
 * until a collection, which for HD video forced a full GC every few dozen
 * frames. Frames in `unless` (passed on unchanged) are kept.
 */
export function releaseFrame(frame: Beamcoder.Frame, unless?: readonly Beamcoder.Frame[]): void {
  if (unless?.includes(frame)) return;
  (frame as unknown as { release?: () => void }).release?.();
}
