/**
 * Hardware devices, shared by hardware decoding (`decodeFile({ hwaccel })`)
 * and hardware encoding (`@beamflow/hw`'s negotiation).
 *
 * A device is tried in order of cost: is there a device node or driver
 * library at all (file-system checks, cheap and never crash), then FFmpeg
 * creates the device context (`av_hwdevice_ctx_create`, through the beamcoder
 * patch), which loads the driver for real. Each step that fails gives the
 * reason a user needs ("no /dev/dri/renderD* node", "libcuda.so.1 not
 * loadable", FFmpeg's own message). The probes are injectable so every branch
 * is tested without a GPU.
 *
 * The native calls here are the patch's additions to beamcoder 0.7.1:
 * `hwDeviceContext(type, device)`, `hwFramesContext(device, opts)`,
 * `hwUpload(frame, frames)`, `hwDownload(frame)`, and a writable
 * `hw_device_ctx` on codec contexts. Encoders given a frames context upload
 * system-memory frames on their worker thread.
 */
import { existsSync, readdirSync } from 'node:fs';
import { DeviceUnavailableError } from './errors.js';
import { beamcoder, type Frame } from './native.js';

/** Kinds of device beamflow drives. */
export type DeviceKind = 'cuda' | 'vaapi';

/** A device context created by FFmpeg (opaque: hand it to an encoder or decoder). */
export interface HardwareDeviceContext {
  readonly type: 'HWDeviceContext';
  readonly device_type: string | null;
}

/** A pool of device frames on a device context. */
export interface HardwareFramesContext {
  readonly type: 'HWFramesContext';
  readonly pix_fmt: string;
  readonly sw_pix_fmt: string;
  readonly width: number;
  readonly height: number;
}

interface HwNative {
  hwDeviceContext(type: string, device?: string): HardwareDeviceContext;
  hwFramesContext(
    device: HardwareDeviceContext,
    opts: { pix_fmt: string; sw_pix_fmt: string; width: number; height: number; initial_pool_size?: number },
  ): HardwareFramesContext;
  hwUpload(frame: Frame, frames: HardwareFramesContext): Frame;
  hwDownload(frame: Frame): Frame;
}

const native = (): HwNative => beamcoder() as unknown as HwNative;

/**
 * The file-system probes and the device opener.
 * @internal
 */
export interface DeviceProbes {
  /** Paths of /dev/dri/renderD* nodes. */
  renderNodes(): readonly string[];
  /** Whether the dynamic loader can find a shared library. */
  libraryLoadable(name: string): boolean;
  /** Create FFmpeg's device context (throws with FFmpeg's message). */
  openDevice(type: string, device: string | undefined): HardwareDeviceContext;
}

const LIBRARY_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/cuda/lib64', '/usr/lib/wsl/lib'];

/** @internal */
export const _defaultDeviceProbes: DeviceProbes = {
  renderNodes: () => {
    try {
      return readdirSync('/dev/dri').filter((n) => n.startsWith('renderD')).sort().map((n) => `/dev/dri/${n}`);
    } catch {
      return [];
    }
  },
  libraryLoadable: (name) =>
    [...LIBRARY_DIRS, ...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean)].some((d) => existsSync(`${d}/${name}`)),
  openDevice: (type, device) => native().hwDeviceContext(type, device),
};

/**
 * Where a device of this kind would be, or why there is none: the cheap
 * checks before FFmpeg is asked to open it.
 * @internal
 */
export function _locateDevice(kind: DeviceKind, probes: DeviceProbes, index?: string): { device: string } | { reason: string } {
  if (kind === 'cuda') {
    if (!probes.libraryLoadable('libcuda.so.1')) return { reason: 'libcuda.so.1 not loadable' };
    return { device: index ?? '0' };
  }
  const nodes = probes.renderNodes();
  if (!nodes.length) return { reason: 'no /dev/dri/renderD* node' };
  if (!probes.libraryLoadable('libva.so.2')) return { reason: 'libva.so.2 not loadable' };
  return { device: index ?? nodes[0]! };
}

/**
 * Open a device context, or throw an Error whose message is FFmpeg's reason.
 * @internal
 */
export function _openDevice(kind: DeviceKind, device: string, probes: DeviceProbes = _defaultDeviceProbes): HardwareDeviceContext {
  return probes.openDevice(kind, device);
}

/**
 * A frames pool on a device, for an encoder that takes device frames only.
 * @internal
 */
export function _createFrames(
  device: HardwareDeviceContext,
  opts: { pixelFormat: string; swPixelFormat: string; width: number; height: number; poolSize?: number },
): HardwareFramesContext {
  return native().hwFramesContext(device, {
    pix_fmt: opts.pixelFormat, sw_pix_fmt: opts.swPixelFormat, width: opts.width, height: opts.height, initial_pool_size: opts.poolSize ?? 0,
  });
}

/**
 * Copy a system-memory frame into a new device frame from the pool (pixels and properties).
 * @internal
 */
export function _uploadFrame(frame: Frame, frames: HardwareFramesContext): Frame {
  return native().hwUpload(frame, frames);
}

/**
 * Copy a device frame back to system memory (pixels and properties).
 * @internal
 */
export function _downloadFrame(frame: Frame): Frame {
  return native().hwDownload(frame);
}

/** What {@link _negotiateDecoder} chose. */
export interface HardwareDecodeChoice {
  kind: DeviceKind | 'software';
  /** CUDA device index or VAAPI render node; undefined for software. */
  device: string | undefined;
  rejected: ReadonlyArray<{ kind: DeviceKind; reason: string }>;
  /** @internal the opened device context */
  context?: HardwareDeviceContext;
}

/**
 * Codecs FFmpeg 5.1's decoders can hand to each hwaccel (NVDEC, VA-API): a
 * codec missing here would silently decode in software, so it is rejected
 * with that reason instead.
 */
const HWACCEL_CODECS: Record<DeviceKind, readonly string[]> = {
  cuda: ['h264', 'hevc', 'av1', 'vp8', 'vp9', 'mpeg1video', 'mpeg2video', 'mpeg4', 'vc1', 'mjpeg'],
  vaapi: ['h264', 'hevc', 'av1', 'vp8', 'vp9', 'mpeg2video', 'vc1', 'mjpeg'],
};

const decodeCache = new Map<string, string | HardwareDeviceContext>();

/**
 * Choose a hardware decoder device for `codec`: `'auto'` tries CUDA then
 * VAAPI and falls back to software with the reasons; `'cuda'`/`'vaapi'`
 * insist and throw {@link DeviceUnavailableError} when that device cannot
 * decode here. Devices are opened once per process.
 * @internal
 */
export function _negotiateDecoder(codec: string, hwaccel: 'auto' | DeviceKind, probes: DeviceProbes = _defaultDeviceProbes): HardwareDecodeChoice {
  const order: DeviceKind[] = hwaccel === 'auto' ? ['cuda', 'vaapi'] : [hwaccel];
  const rejected: Array<{ kind: DeviceKind; reason: string }> = [];
  for (const kind of order) {
    if (!HWACCEL_CODECS[kind].includes(codec)) {
      rejected.push({ kind, reason: `no ${kind} hwaccel for ${codec}` });
      continue;
    }
    const where = _locateDevice(kind, probes);
    if ('reason' in where) {
      rejected.push({ kind, reason: where.reason });
      continue;
    }
    const key = `${kind}@${where.device}`;
    let opened = decodeCache.get(key);
    if (opened === undefined) {
      try {
        opened = probes.openDevice(kind, where.device);
      } catch (err) {
        opened = `${kind} device ${where.device} did not open: ${err instanceof Error ? err.message : String(err)}`;
      }
      if (probes === _defaultDeviceProbes) decodeCache.set(key, opened);
    }
    if (typeof opened === 'string') {
      rejected.push({ kind, reason: opened });
      continue;
    }
    return { kind, device: where.device, rejected, context: opened };
  }
  if (hwaccel !== 'auto') throw new DeviceUnavailableError(hwaccel, rejected.map((r) => `${r.kind}: ${r.reason}`));
  return { kind: 'software', device: undefined, rejected };
}
