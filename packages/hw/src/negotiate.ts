/**
 * Hardware negotiation: which encoder really works on this machine for a
 * codec, trying CUDA (NVENC), then VAAPI, then software — and why each
 * candidate that lost was rejected.
 *
 * Probing goes in order of cost, and stops at the first failure of a
 * candidate: FFmpeg's build (is the encoder compiled in?), the device (a
 * render node, the driver library), then a trial open of the encoder on a
 * tiny frame. Each probe is injectable (tests drive every branch without a
 * GPU), bounded by a timeout (a probe that hangs rejects its candidate only),
 * and results are cached per process per (codec, device kind).
 */
import { DeviceUnavailableError, beamcoder } from '@beamflow/core';
import { _createFrames, _defaultDeviceProbes, _locateDevice, _openDevice, type DeviceKind } from '@beamflow/core/internal';

export type { DeviceKind };

/** A device a candidate would run on. */
export interface HardwareDevice {
  kind: DeviceKind;
  /** CUDA device index, or a VAAPI render node path. */
  device: string;
}

/** The outcome of {@link negotiate}. */
export interface HardwareChoice {
  kind: DeviceKind | 'software';
  encoder: string;
  device: HardwareDevice | undefined;
  /** Pixel format the encoder wants its input in. */
  pixelFormat: string;
  /** Whether frames must be uploaded to device memory first. */
  upload: boolean;
  rejected: ReadonlyArray<{ kind: DeviceKind; encoder: string; reason: string }>;
}

/** The probes, replaceable for tests. */
export interface Probes {
  /** Encoder names FFmpeg was built with: at least those of the hardware encoders negotiation may pick. */
  encoders(): readonly string[];
  /** Paths of /dev/dri/renderD* nodes. */
  renderNodes(): readonly string[];
  /** Whether a shared library can be found by the dynamic loader. */
  libraryLoadable(name: string): boolean;
  /** Open the encoder on a tiny frame; resolves, or rejects with FFmpeg's message. */
  trialOpen(encoder: string, device: HardwareDevice): Promise<void>;
}

/** Options of {@link negotiate}. */
export interface NegotiateOptions {
  codec: string;
  width?: number;
  height?: number;
  pixelFormat?: string;
  prefer?: readonly DeviceKind[];
  /** Insist on one device kind: no software fallback. */
  device?: DeviceKind;
  probes?: Partial<Probes>;
  /** Milliseconds each probe may take (default 5000). */
  timeoutMs?: number;
}

const HW_ENCODERS: Record<string, Record<DeviceKind, string>> = {
  h264: { cuda: 'h264_nvenc', vaapi: 'h264_vaapi' },
  hevc: { cuda: 'hevc_nvenc', vaapi: 'hevc_vaapi' },
  av1: { cuda: 'av1_nvenc', vaapi: 'av1_vaapi' },
  vp9: { cuda: 'vp9_nvenc', vaapi: 'vp9_vaapi' },
};
const SOFTWARE: Record<string, string> = { h264: 'libx264', hevc: 'libx265', av1: 'libsvtav1', vp9: 'libvpx-vp9', vp8: 'libvpx' };

/** Size of the trial frame: small, but above every hardware encoder's minimum. */
const TRIAL = { width: 256, height: 144 } as const;

/** The real probes of this machine. */
export const defaultProbes: Probes = {
  // Only the candidates, each looked up alone: describing every encoder FFmpeg has costs ~10 ms.
  encoders: () => Object.values(HW_ENCODERS).flatMap((byKind) => Object.values(byKind))
    .filter((name) => Object.hasOwn(beamcoder().encoders(name), name)),
  renderNodes: () => _defaultDeviceProbes.renderNodes(),
  libraryLoadable: (name) => _defaultDeviceProbes.libraryLoadable(name),
  trialOpen: async (encoder, device) => {
    const bc = beamcoder();
    const choice: HardwareChoice = { kind: device.kind, encoder, device, pixelFormat: device.kind === 'vaapi' ? 'nv12' : 'yuv420p', upload: device.kind === 'vaapi', rejected: [] };
    const enc = bc.encoder({
      name: encoder, ...TRIAL, pix_fmt: 'yuv420p', time_base: [1, 25], framerate: [25, 1],
      ...hwEncoderParams(choice, { ...TRIAL, pixelFormat: choice.pixelFormat }),
    } as never);
    const frame = bc.frame({ ...TRIAL, format: choice.pixelFormat, pts: 0 }).alloc();
    await enc.encode(frame);
    await enc.flush();
  },
};

/**
 * What an encoder's parameters need for a negotiated device: the GPU index for
 * NVENC (which takes system-memory frames), or for VAAPI the device context,
 * a frames pool of the stream's size, and the `vaapi` pixel format — the
 * encoder then uploads each system-memory frame on its worker thread. Throws
 * with FFmpeg's message when the device or pool cannot be created.
 */
export function hwEncoderParams(choice: HardwareChoice, stream: { width: number; height: number; pixelFormat: string }): Record<string, unknown> {
  if (choice.kind === 'software' || !choice.device) return {};
  if (choice.kind === 'cuda') return { priv_data: { gpu: Number(choice.device.device) } };
  const device = _openDevice('vaapi', choice.device.device);
  // 10-bit input stays 10-bit; everything else goes to NV12 surfaces (FFmpeg converts
  // planar 4:2:0 during the upload where the driver offers it).
  const swPixelFormat = stream.pixelFormat === 'p010le' ? 'p010le' : 'nv12';
  const frames = _createFrames(device, { pixelFormat: 'vaapi', swPixelFormat, width: stream.width, height: stream.height });
  return { pix_fmt: 'vaapi', hw_frames_ctx: frames };
}

const cache = new Map<string, Promise<string | undefined>>();

/** Forget cached probe results (tests; a device plugged in). */
export function clearNegotiationCache(): void {
  cache.clear();
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    timer.unref?.();
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/**
 * Choose the encoder for `codec` on this machine.
 *
 * @example
 * ```ts
 * const choice = await negotiate({ codec: 'h264' });
 * console.log(choice.encoder, choice.rejected.map((r) => `${r.encoder}: ${r.reason}`));
 * ```
 */
export async function negotiate(opts: NegotiateOptions): Promise<HardwareChoice> {
  const probes: Probes = { ...defaultProbes, ...opts.probes };
  const timeoutMs = opts.timeoutMs ?? 5000;
  const order: DeviceKind[] = opts.device ? [opts.device] : [...(opts.prefer ?? ['cuda', 'vaapi'])];
  const rejected: Array<{ kind: DeviceKind; encoder: string; reason: string }> = [];
  let built: readonly string[] = [];
  try {
    built = probes.encoders();
  } catch (err) {
    rejected.push({ kind: order[0] ?? 'cuda', encoder: '*', reason: `listing FFmpeg's encoders failed: ${String(err)}` });
  }
  for (const kind of order) {
    const encoder = HW_ENCODERS[opts.codec]?.[kind];
    if (!encoder) {
      rejected.push({ kind, encoder: `${opts.codec}_${kind}`, reason: `no ${kind} encoder for ${opts.codec}` });
      continue;
    }
    if (!built.includes(encoder)) {
      rejected.push({ kind, encoder, reason: `FFmpeg built without ${encoder}` });
      continue;
    }
    const where = _locateDevice(kind, { ...(_defaultDeviceProbes), renderNodes: () => probes.renderNodes(), libraryLoadable: (n) => probes.libraryLoadable(n) });
    if ('reason' in where) {
      rejected.push({ kind, encoder, reason: where.reason });
      continue;
    }
    if (kind === 'cuda' && !probes.libraryLoadable('libnvidia-encode.so.1')) {
      rejected.push({ kind, encoder, reason: 'libnvidia-encode.so.1 not loadable (no NVENC driver)' });
      continue;
    }
    const device: HardwareDevice = { kind, device: where.device };
    const key = `${encoder}@${device.device}`;
    let trial = cache.get(key);
    if (!trial) {
      trial = withTimeout(Promise.resolve().then(() => probes.trialOpen(encoder, device)), timeoutMs, `trial open of ${encoder}`).then(
        () => undefined,
        (err: unknown) => `${kind === 'cuda' ? 'NVENC' : 'VAAPI'} refused to open: ${err instanceof Error ? err.message : String(err)}`,
      );
      cache.set(key, trial);
    }
    const reason = await trial;
    if (reason) {
      rejected.push({ kind, encoder, reason });
      continue;
    }
    return { kind, encoder, device, pixelFormat: kind === 'vaapi' ? (opts.pixelFormat === 'p010le' ? 'p010le' : 'nv12') : opts.pixelFormat ?? 'yuv420p', upload: kind === 'vaapi', rejected };
  }
  if (opts.device) throw new DeviceUnavailableError(opts.device, rejected.map((r) => `${r.encoder}: ${r.reason}`));
  const sw = SOFTWARE[opts.codec] ?? opts.codec;
  return { kind: 'software', encoder: sw, device: undefined, pixelFormat: opts.pixelFormat ?? 'yuv420p', upload: false, rejected };
}
