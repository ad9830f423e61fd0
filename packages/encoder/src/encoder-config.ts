/**
 * The Encoder's configuration and its validation. Everything is checked
 * before anything native is opened, and each problem is a {@link ConfigError}
 * naming the field and what is allowed — beamcoder would otherwise accept a
 * bad preset silently and fail at the first frame, or print "Option not
 * found" to stdout and carry on.
 */
import { beamcoder, ConfigError, type KeyframeRequest, type Rational } from '@beamflow/core';
import { closestNames, validate, layoutChannels } from '@beamflow/core/internal';
import { checkRequest } from './keyframes.js';

/** Hardware choice for a video encoder: `'auto'` tries CUDA, then VAAPI, then software. */
export type HwDeviceOption = 'auto' | 'cuda' | 'vaapi' | 'none';

/** Video encoder settings; fields left out come from the first frame. */
export interface VideoEncoderConfig {
  /** A codec name (`'h264'`, `'hevc'`, `'av1'`, `'vp9'`) or an encoder name (`'libx264'`, `'h264_nvenc'`). */
  codec: string;
  width?: number;
  height?: number;
  pixelFormat?: string;
  frameRate?: number | readonly [number, number] | Rational;
  /**
   * `'passthrough'` (the default without `frameRate`): every frame keeps its own time, a
   * variable-rate input stays variable. `'cfr'` (the default with `frameRate`): a constant rate
   * by repeating and dropping frames, as ffmpeg's `-fps_mode cfr` / `-r` (FFmpeg's fps filter), at
   * `frameRate` or the input's nominal rate.
   */
  fpsMode?: 'passthrough' | 'cfr';
  /** Bits per second; with `crf` it caps the rate (VBV) where the encoder supports that. */
  bitRate?: number;
  /** Constant-quality factor, in the encoder's own range (x264/x265: 0–51; VP9/AV1: 0–63). */
  crf?: number;
  preset?: string;
  profile?: string;
  /** Keyframe interval in frames (FFmpeg's `-g`). */
  gopSize?: number;
  /**
   * Keyframes at given times or every N seconds of the stream, from its first frame (ffmpeg's
   * `-force_key_frames`). A Muxer writing HLS or DASH asks for one at each segment boundary itself.
   */
  forceKeyframes?: KeyframeRequest;
  /** FFmpeg's `-bf`. */
  maxBFrames?: number;
  /** Encoder threads; default 0 = FFmpeg's automatic count, as the ffmpeg command line uses. */
  threads?: number;
  hwDevice?: HwDeviceOption;
  /** Encoder-private options (FFmpeg's AVOptions of that encoder, e.g. `{ tune: 'zerolatency' }`). */
  options?: Record<string, string | number | boolean>;
}

/** Audio encoder settings; fields left out come from the first frame (or the encoder's preference). */
export interface AudioEncoderConfig {
  /** `'aac'`, `'opus'`, `'mp3'`, or an encoder name (`'libopus'`). */
  codec: string;
  sampleRate?: number;
  channels?: number;
  sampleFormat?: string;
  bitRate?: number;
  options?: Record<string, string | number | boolean>;
}

/** What an {@link Encoder} encodes: a video codec, an audio codec, or both. */
export interface EncoderConfig {
  video?: VideoEncoderConfig;
  audio?: AudioEncoderConfig;
  /** Put codec headers in extradata (needed by MP4, MKV, FLV; MPEG-TS muxers re-insert them). Default true. */
  globalHeader?: boolean;
  /** Milliseconds between 'stats' events (default 1000). */
  statsInterval?: number;
}

/** Software encoders preferred for each codec name, best first. */
const PREFERRED: Record<string, readonly string[]> = {
  h264: ['libx264'],
  hevc: ['libx265'],
  h265: ['libx265'],
  av1: ['libsvtav1', 'libaom-av1', 'librav1e'],
  vp9: ['libvpx-vp9'],
  vp8: ['libvpx'],
  aac: ['aac', 'libfdk_aac'],
  opus: ['libopus', 'opus'],
  mp3: ['libmp3lame'],
  flac: ['flac'],
  ac3: ['ac3'],
  mjpeg: ['mjpeg'],
  mpeg2video: ['mpeg2video'],
  mpeg4: ['mpeg4'],
  pcm_s16le: ['pcm_s16le'],
};

const X26X_PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow', 'placebo'];
const NVENC_PRESETS = ['default', 'slow', 'medium', 'fast', 'hp', 'hq', 'bd', 'll', 'llhq', 'llhp', 'lossless', 'losslesshp', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7'];
const PRESETS: Record<string, readonly string[]> = {
  libx264: X26X_PRESETS,
  libx265: X26X_PRESETS,
  h264_nvenc: NVENC_PRESETS,
  hevc_nvenc: NVENC_PRESETS,
  libsvtav1: Array.from({ length: 14 }, (_, i) => String(i)),
};
const PROFILES: Record<string, readonly string[]> = {
  libx264: ['baseline', 'main', 'high', 'high10', 'high422', 'high444'],
  libx265: ['main', 'main10', 'main12', 'main422-10', 'main422-12', 'main444-8', 'main444-10', 'main444-12', 'mainstillpicture', 'msp'],
  h264_nvenc: ['baseline', 'main', 'high', 'high444p'],
  hevc_nvenc: ['main', 'main10', 'rext'],
  h264_vaapi: ['constrained_baseline', 'main', 'high'],
  hevc_vaapi: ['main', 'main10', 'rext'],
};
const CRF_RANGE: Record<string, readonly [number, number]> = {
  libx264: [0, 51],
  libx265: [0, 51],
  'libvpx-vp9': [0, 63],
  libvpx: [0, 63],
  'libaom-av1': [0, 63],
  libsvtav1: [0, 63],
};

/** A resolved encoder: FFmpeg's codec description. @internal */
export interface EncoderInfo {
  name: string;
  codecName: string;
  kind: 'video' | 'audio';
  pixelFormats: readonly string[] | null;
  sampleFormats: readonly string[] | null;
  sampleRates: readonly number[] | null;
  privateOptions: ReadonlySet<string>;
  hardware: boolean;
  smallLastFrame: boolean;
  variableFrameSize: boolean;
}

interface CodecDesc {
  name: string;
  codec_type?: string;
  id: number;
  pix_fmts: string[] | null;
  sample_fmts: string[] | null;
  supported_samplerates: number[] | null;
  capabilities: Record<string, boolean>;
  priv_class?: { options?: Record<string, unknown> } | null;
  descriptor?: { name?: string } | null;
}

let encoderTable: Map<string, CodecDesc> | undefined;
/** Every encoder FFmpeg has: described only when a name is not an encoder's own, or to list them. */
function encoders(): Map<string, CodecDesc> {
  encoderTable ??= new Map(Object.entries(beamcoder().encoders() as unknown as Record<string, CodecDesc>));
  return encoderTable;
}

const namedEncoders = new Map<string, CodecDesc | null>();
/**
 * The encoder of that name. Describing every encoder costs ~10 ms, a twentieth of a
 * command's start, so a name is looked up alone (the fork's `encoders(name)`; an
 * addon without it answers the whole table, where the name is found all the same).
 */
function findEncoder(name: string): CodecDesc | undefined {
  if (encoderTable) return encoderTable.get(name);
  let found = namedEncoders.get(name);
  if (found === undefined) {
    const answer = beamcoder().encoders(name) as unknown as Record<string, CodecDesc>;
    found = Object.hasOwn(answer, name) ? answer[name]! : null;
    namedEncoders.set(name, found);
  }
  return found ?? undefined;
}

const codecNames = new Map<number, string>();
/** FFmpeg's codec (descriptor) name for a codec id: avcodec_get_name, through a codecpar. */
function codecNameOf(id: number): string {
  let name = codecNames.get(id);
  if (name === undefined) {
    name = String((beamcoder().codecParameters({ codec_id: id } as never) as unknown as { name: string }).name);
    codecNames.set(id, name);
  }
  return name;
}

function describeEncoder(c: CodecDesc): EncoderInfo {
  return {
    name: c.name,
    codecName: codecNameOf(c.id),
    kind: c.codec_type === 'audio' ? 'audio' : 'video',
    pixelFormats: c.pix_fmts,
    sampleFormats: c.sample_fmts,
    sampleRates: c.supported_samplerates,
    privateOptions: new Set(Object.keys(c.priv_class?.options ?? {})),
    hardware: c.capabilities.HARDWARE === true || /_(nvenc|vaapi|qsv|v4l2m2m|omx|amf|videotoolbox)$/.test(c.name),
    smallLastFrame: c.capabilities.SMALL_LAST_FRAME === true,
    variableFrameSize: c.capabilities.VARIABLE_FRAME_SIZE === true,
  };
}

/** Look an encoder up by its own name. @internal */
export function encoderInfo(name: string): EncoderInfo | undefined {
  const c = findEncoder(name);
  return c ? describeEncoder(c) : undefined;
}

/** Software encoder names FFmpeg has for a codec name, best first. @internal */
export function softwareEncodersFor(codec: string): string[] {
  const table = encoders();
  const out = (PREFERRED[codec] ?? []).filter((n) => table.has(n));
  for (const c of table.values()) {
    const info = describeEncoder(c);
    if (info.codecName === codec && !info.hardware && !out.includes(info.name)) out.push(info.name);
  }
  return out;
}

/**
 * Resolve `codec` (codec or encoder name) to a software encoder of the given kind.
 * @internal
 */
export function resolveSoftwareEncoder(field: string, codec: string, kind: 'video' | 'audio'): EncoderInfo {
  // A codec name with a preferred encoder resolves to it first: 'opus' is also the
  // name of FFmpeg's experimental native encoder, which refuses to open by default.
  const preferred = (PREFERRED[codec] ?? []).find((n) => findEncoder(n) !== undefined);
  const direct = findEncoder(preferred ?? codec);
  let info: EncoderInfo | undefined;
  if (direct) info = describeEncoder(direct);
  else {
    const name = softwareEncodersFor(codec)[0];
    if (name) info = describeEncoder(findEncoder(name)!);
  }
  if (!info) {
    const table = encoders();
    const names = [...table.keys(), ...Object.keys(PREFERRED)];
    const near = closestNames(codec, names.filter((n) => describeEncoder(table.get(n) ?? table.get(PREFERRED[n]?.[0] ?? '') ?? ({ codec_type: kind } as CodecDesc)).kind === kind));
    throw new ConfigError(field, `unknown codec or encoder ${JSON.stringify(codec)}${near.length ? `; close matches: ${near.join(', ')}` : ''}`, near);
  }
  if (info.kind !== kind) throw new ConfigError(field, `${info.name} is an ${info.kind} encoder, not ${kind}`);
  return info;
}

const FOUR_TWO_ZERO = /^(yuvj?420p|nv12|nv21|yuva420p|p010|p016|yuv420p1[02468]|yuv420p9)/;

/** Check a video config against an encoder. @internal */
export function validateVideo(cfg: VideoEncoderConfig, info: EncoderInfo): void {
  if (cfg.width !== undefined) validate.positiveInt('video.width', cfg.width, 16384);
  if (cfg.height !== undefined) validate.positiveInt('video.height', cfg.height, 16384);
  if (cfg.frameRate !== undefined) validate.frameRate('video.frameRate', cfg.frameRate);
  if (cfg.pixelFormat !== undefined) {
    const fmts = info.pixelFormats ?? [];
    if (fmts.length && !fmts.includes(cfg.pixelFormat)) {
      throw new ConfigError('video.pixelFormat', `${info.name} does not take ${cfg.pixelFormat}; it takes ${fmts.join(', ')}`, fmts);
    }
  }
  const fmt = cfg.pixelFormat ?? (info.pixelFormats?.[0] ?? 'yuv420p');
  if (FOUR_TWO_ZERO.test(fmt)) {
    if (cfg.width !== undefined && cfg.width % 2) throw new ConfigError('video.width', `must be even for ${fmt} (4:2:0 chroma), got ${cfg.width}`);
    if (cfg.height !== undefined && cfg.height % 2) throw new ConfigError('video.height', `must be even for ${fmt} (4:2:0 chroma), got ${cfg.height}`);
  }
  if (cfg.bitRate !== undefined) validate.positiveInt('video.bitRate', cfg.bitRate, 2 ** 31 - 1);
  if (cfg.gopSize !== undefined) validate.positiveInt('video.gopSize', cfg.gopSize, 100_000);
  if (cfg.forceKeyframes !== undefined) checkRequest(cfg.forceKeyframes, 'video.forceKeyframes');
  if (cfg.fpsMode !== undefined) validate.oneOf('video.fpsMode', cfg.fpsMode, ['passthrough', 'cfr'] as const);
  if (cfg.maxBFrames !== undefined && (!Number.isInteger(cfg.maxBFrames) || cfg.maxBFrames < 0 || cfg.maxBFrames > 16)) {
    throw new ConfigError('video.maxBFrames', `must be an integer from 0 to 16 (got ${validate.describe(cfg.maxBFrames)})`);
  }
  if (cfg.threads !== undefined && (!Number.isInteger(cfg.threads) || cfg.threads < 0 || cfg.threads > 256)) {
    throw new ConfigError('video.threads', `must be 0 (automatic) or a count up to 256 (got ${validate.describe(cfg.threads)})`);
  }
  if (cfg.crf !== undefined) {
    if (!info.privateOptions.has('crf')) {
      throw new ConfigError('video.crf', `${info.name} has no constant-quality (crf) mode; use bitRate`);
    }
    const range = CRF_RANGE[info.name] ?? [0, 63];
    if (typeof cfg.crf !== 'number' || !Number.isFinite(cfg.crf) || cfg.crf < range[0] || cfg.crf > range[1]) {
      throw new ConfigError('video.crf', `must be from ${range[0]} to ${range[1]} for ${info.name} (got ${validate.describe(cfg.crf)})`);
    }
  }
  if (cfg.preset !== undefined) {
    const allowed = PRESETS[info.name];
    if (!info.privateOptions.has('preset') && !allowed) throw new ConfigError('video.preset', `${info.name} has no presets`);
    if (allowed && !allowed.includes(String(cfg.preset))) {
      throw new ConfigError('video.preset', `unknown preset ${JSON.stringify(cfg.preset)} for ${info.name}; allowed: ${allowed.join(', ')}`, allowed);
    }
  }
  if (cfg.profile !== undefined) {
    const allowed = PROFILES[info.name];
    if (!allowed) throw new ConfigError('video.profile', `profiles of ${info.name} are not known to beamflow; pass it in options if the encoder has one`);
    if (!allowed.includes(cfg.profile)) {
      throw new ConfigError('video.profile', `unknown profile ${JSON.stringify(cfg.profile)} for ${info.name}; allowed: ${allowed.join(', ')}`, allowed);
    }
  }
  if (cfg.hwDevice !== undefined) validate.oneOf('video.hwDevice', cfg.hwDevice, ['auto', 'cuda', 'vaapi', 'none'] as const);
  validateOptions('video.options', cfg.options, info);
}

/** Check an audio config against an encoder. @internal */
export function validateAudio(cfg: AudioEncoderConfig, info: EncoderInfo): void {
  if (cfg.sampleRate !== undefined) {
    validate.positiveInt('audio.sampleRate', cfg.sampleRate, 768_000);
    const rates = info.sampleRates ?? [];
    if (rates.length && !rates.includes(cfg.sampleRate)) {
      throw new ConfigError('audio.sampleRate', `${info.name} does not take ${cfg.sampleRate} Hz; it takes ${rates.join(', ')}`, rates.map(String));
    }
  }
  if (cfg.channels !== undefined) {
    validate.positiveInt('audio.channels', cfg.channels, 8);
  }
  if (cfg.sampleFormat !== undefined) {
    const fmts = info.sampleFormats ?? [];
    if (fmts.length && !fmts.includes(cfg.sampleFormat)) {
      throw new ConfigError('audio.sampleFormat', `${info.name} does not take ${cfg.sampleFormat}; it takes ${fmts.join(', ')}`, fmts);
    }
  }
  if (cfg.bitRate !== undefined) validate.positiveInt('audio.bitRate', cfg.bitRate, 2 ** 31 - 1);
  validateOptions('audio.options', cfg.options, info);
}

function validateOptions(field: string, options: Record<string, unknown> | undefined, info: EncoderInfo): void {
  if (!options) return;
  for (const [k, v] of Object.entries(options)) {
    if (!info.privateOptions.has(k)) {
      const near = closestNames(k, info.privateOptions);
      throw new ConfigError(`${field}.${k}`, `${info.name} has no option ${JSON.stringify(k)}${near.length ? `; close matches: ${near.join(', ')}` : ''}`, near);
    }
    if (!['string', 'number', 'boolean'].includes(typeof v)) throw new ConfigError(`${field}.${k}`, 'must be a string, number or boolean');
  }
}

/** Default channel layout name for a count. @internal */
export function channelsOk(layout: string | undefined, channels: number): boolean {
  return layout === undefined || layoutChannels(layout) === channels;
}
