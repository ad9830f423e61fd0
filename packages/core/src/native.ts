/**
 * Loading beamcoder. beamcoder's `index.js` prints a licence banner to stdout
 * and installs a segfault handler that writes `crash.log` into the working
 * directory; a library can do neither (stdout may be the media itself, as in
 * `beamflow encode -o -`). So the native addon is loaded directly, once, on
 * first use: importing `@beamflow/core` loads nothing native at all.
 *
 * beamcoder's async calls each hold a libuv pool thread while they run; a
 * pipeline of five stages, or a tee of three branches, needs more than the
 * default four. The pool is created on its first use, so the size is raised
 * here (before the addon's first call) unless the application set it.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as Beamcoder from 'beamcoder';
import { NativeLoadError } from './errors.js';

/** beamcoder's module as typed by its own declarations. */
export type BeamcoderModule = typeof Beamcoder;
export type { Frame, Packet, Encoder as BeamEncoder, Decoder as BeamDecoder, Muxer as BeamMuxer, Demuxer as BeamDemuxer, CodecPar, Stream as BeamStream } from 'beamcoder';

const APT_HINT =
  'apt-get install libavcodec59 libavformat59 libavfilter8 libavdevice59 libswscale6 libswresample4 libpostproc56 libavutil57 ' +
  '(to build beamcoder: the same libraries\' -dev packages and pkg-config)';

let loaded: BeamcoderModule | undefined;
let overridePath: string | undefined;

/** Where beamcoder's compiled addon is expected. */
export function nativeAddonPath(): string {
  if (overridePath) return overridePath;
  // Another build of the addon (a debug build, or the unpatched one the soak benchmark compares with).
  if (process.env.BEAMFLOW_BEAMCODER_ADDON) return process.env.BEAMFLOW_BEAMCODER_ADDON;
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve('beamcoder/package.json');
  } catch (cause) {
    throw new NativeLoadError('the beamcoder package is not installed: add it with `pnpm add beamcoder@0.7.1`', { cause });
  }
  return join(dirname(pkg), 'build', 'Release', 'beamcoder.node');
}

/**
 * Point the loader at another addon file (tests use a missing path to check the
 * error). Only before the first load.
 * @internal
 */
export function _setNativeAddonPath(path: string | undefined): void {
  overridePath = path;
  loaded = undefined;
}

/**
 * beamcoder's native module, loaded on first call.
 * Throws {@link NativeLoadError} naming what to install when the addon was
 * never built or FFmpeg's shared libraries are missing.
 */
export function beamcoder(): BeamcoderModule {
  if (loaded) return loaded;
  const path = nativeAddonPath();
  process.env.UV_THREADPOOL_SIZE ??= '16';
  const require = createRequire(import.meta.url);
  try {
    loaded = require(path) as BeamcoderModule;
  } catch (cause) {
    const msg = cause instanceof Error ? cause.message : String(cause);
    if ((cause as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' || /Cannot find module/.test(msg)) {
      throw new NativeLoadError(
        `beamcoder's native addon was not built (${path} is missing). Install FFmpeg 5.1's development packages ` +
          `(apt-get install libavcodec-dev libavformat-dev libavfilter-dev libavdevice-dev libswscale-dev libswresample-dev ` +
          `libpostproc-dev libavutil-dev pkg-config) and allow its build script (pnpm: onlyBuiltDependencies: [beamcoder]), then reinstall.`,
        { cause },
      );
    }
    if (/lib(av|sw|postproc)\w*\.so/.test(msg)) {
      throw new NativeLoadError(`FFmpeg 5.1's shared libraries are missing: ${msg}. Install them: ${APT_HINT}`, { cause });
    }
    throw new NativeLoadError(`cannot load beamcoder's native addon at ${path}: ${msg}`, { cause });
  }
  // A library keeps FFmpeg's informational chatter off the application's stderr.
  loaded.logging('error');
  return loaded;
}

/** Set FFmpeg's log level (`'quiet'`, `'error'`, `'warning'`, `'info'`, `'debug'`...). beamflow's default is `'error'`. */
export function setLogLevel(level: 'quiet' | 'panic' | 'fatal' | 'error' | 'warning' | 'info' | 'verbose' | 'debug' | 'trace'): void {
  beamcoder().logging(level);
}

/** FFmpeg's version string, as the linked libraries report it. */
export function ffmpegVersion(): string {
  return beamcoder().avVersionInfo();
}

/**
 * Drops a frame's buffers now instead of at garbage collection (the patched
 * addon's `frame.release()`). A stage calls it on a frame it was handed once
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
