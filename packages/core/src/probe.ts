/**
 * `probe()`: what a media file holds, as ffprobe's `-show_format
 * -show_streams -show_chapters -of json` says it, read through the same
 * demuxer the sources use (FFmpeg's `avformat_open_input` and
 * `avformat_find_stream_info`; nothing is decoded).
 *
 * Two halves, so that any opened demuxer can be described:
 * - {@link _describeFormat} maps an opened beamcoder demuxer (a format
 *   context) to a {@link ProbeResult} of plain values: nothing in the result
 *   refers to a native object;
 * - {@link probe} opens a path, URL or bytes through a {@link Demuxer} (its
 *   protocol whitelist, file checks and byte input), describes it and closes
 *   the demuxer as soon as it is described (also when that throws), so that
 *   the file is not held open until a garbage collection.
 *
 * Where the two overlap the result follows ffprobe: the same field names and,
 * for strings, the same text (`'30000/1001'`, `'1:1'`, `'progressive'`);
 * what ffprobe prints as a numeric string (`"duration": "1.001000"`,
 * `"bit_rate": "113766"`, `"sample_rate": "48000"`) is a number here, and
 * what ffprobe prints as `N/A` (and leaves out of its JSON) is absent.
 */
import type { Readable } from 'node:stream';
import { Demuxer } from './sources/demuxer.js';
import { closestNames, ConfigError } from './errors.js';
import type { BeamDemuxer } from './native.js';
import { displayMatrixFrom, displayRotation } from './orientation.js';
import { NOPTS } from './rational.js';
import { checkInputOptions, type InputCheckOptions } from './sources/input-checks.js';
import { describe } from './validate.js';

/**
 * Options of {@link probe}.
 *
 * @example
 * ```ts
 * await probe('https://example.com/live/index.m3u8', { protocols: ['https', 'tls', 'tcp', 'hls', 'crypto'] });
 * ```
 */
export interface ProbeOptions {
  /** FFmpeg protocols the input may use (default `['file', 'pipe']` for a path; a URL's own scheme must be listed). */
  protocols?: readonly string[];
  /** Open FFmpeg concat lists (`ffconcat version 1.0`), which name other files. Off by default, as untrusted input. */
  allowConcat?: boolean;
  /**
   * The input's format by FFmpeg's demuxer name (`'mpegts'`, `'h264'`), as `ffprobe -f` for
   * inputs FFmpeg cannot recognise by probing; an unknown name is a ConfigError with the closest.
   */
  format?: string;
}

/**
 * The container, as ffprobe's `format` section.
 *
 * @example
 * ```ts
 * const { format } = await probe('in.mkv');
 * console.log(`${format.format_long_name}, ${format.duration ?? '?'} s, ${format.tags.title ?? 'untitled'}`);
 * ```
 */
export interface ProbeFormat {
  /** The path or URL as it was given (ffprobe's `filename`). */
  filename: string;
  /** FFmpeg's demuxer name(s): `'mov,mp4,m4a,3gp,3g2,mj2'`, `'matroska,webm'`, `'wav'`. */
  format_name: string;
  /** The demuxer's description: `'QuickTime / MOV'`. */
  format_long_name: string;
  nb_streams: number;
  /** Seconds at which the earliest stream starts; absent when unknown (a WAV). */
  start_time?: number;
  /** Seconds; absent when unknown. */
  duration?: number;
  /** Bytes, for a regular file (absent for a pipe or a URL). */
  size?: number;
  /** Bits per second of the whole file; absent when unknown. */
  bit_rate?: number;
  /** The container's metadata (`title`, `encoder`, …); `{}` when it has none (ffprobe leaves `tags` out then). */
  tags: Record<string, string>;
}

/**
 * A stream's disposition flags, 0 or 1 each, as ffprobe prints them.
 *
 * @example
 * ```ts
 * const covers = (await probe('song.mp3')).streams.filter((s) => s.disposition.attached_pic === 1);
 * ```
 */
export interface ProbeDisposition {
  default: 0 | 1;
  dub: 0 | 1;
  original: 0 | 1;
  comment: 0 | 1;
  lyrics: 0 | 1;
  karaoke: 0 | 1;
  forced: 0 | 1;
  hearing_impaired: 0 | 1;
  visual_impaired: 0 | 1;
  clean_effects: 0 | 1;
  /** Cover art (an MP3's or M4A's picture): a one-frame video stream, not the video. */
  attached_pic: 0 | 1;
  timed_thumbnails: 0 | 1;
  captions: 0 | 1;
  descriptions: 0 | 1;
  metadata: 0 | 1;
  dependent: 0 | 1;
  still_image: 0 | 1;
}

/**
 * One stream, as an entry of ffprobe's `streams`. Video and audio fields are present on streams
 * of that kind.
 *
 * @example
 * ```ts
 * const french = (await probe('film.mkv')).streams.find((s) => s.codec_type === 'audio' && s.language === 'fra');
 * ```
 */
export interface ProbeStream {
  index: number;
  /** `'video'`, `'audio'`, `'subtitle'`, `'data'` or `'attachment'`. */
  codec_type: string;
  /** FFmpeg's codec name: `'h264'`, `'aac'`, `'subrip'`. */
  codec_name: string;
  /** The codec's profile (`'High'`, `'LC'`), or its number as text when FFmpeg has no name for it; absent when unknown. */
  profile?: string;
  width?: number;
  height?: number;
  /** Pixel format: `'yuv420p'`. */
  pix_fmt?: string;
  /** `'1:1'`; absent when unknown. */
  sample_aspect_ratio?: string;
  /** `'16:9'` (of the stored size, before any rotation); absent when the sample aspect ratio is unknown. */
  display_aspect_ratio?: string;
  /** `'progressive'`, `'tt'`, `'bb'`, `'tb'` or `'bt'`; absent when unknown. */
  field_order?: string;
  /**
   * Degrees of the stream's display matrix, as ffprobe's `side_data_list` entry prints it
   * (counter-clockwise, truncated to an integer: a phone's portrait video is -90); absent
   * when the stream has no matrix.
   */
  rotation?: number;
  /** Sample format: `'fltp'`, `'s16'`. */
  sample_fmt?: string;
  /** Hz. */
  sample_rate?: number;
  channels?: number;
  /** `'stereo'`, `'5.1'`; absent when the container does not say which channels they are (a plain WAV). */
  channel_layout?: string;
  /** The average frame rate, as ffprobe writes it: `'30000/1001'`; `'0/0'` when not known (and for audio). */
  avg_frame_rate: string;
  /** The lowest rate that represents every timestamp (`'30/1'` for a VFR file averaging 20 fps); `'0/0'` when not known. */
  r_frame_rate: string;
  /** `'1/30000'`. */
  time_base: string;
  /** Seconds; absent when unknown. */
  start_time?: number;
  /** Seconds; absent when the container gives none for the stream (Matroska gives only the file's). */
  duration?: number;
  /** Bits per second; absent when unknown. */
  bit_rate?: number;
  /** Frames the container says the stream has (an MP4's sample count); absent when it does not say. */
  nb_frames?: number;
  /** The stream's language as the file tags it (`'fra'`); absent when untagged or `'und'`. */
  language?: string;
  disposition: ProbeDisposition;
  /** The stream's metadata (`language`, `handler_name`, `title`, …); `{}` when it has none. */
  tags: Record<string, string>;
}

/**
 * A chapter, as an entry of ffprobe's `chapters`.
 *
 * @example
 * ```ts
 * for (const c of (await probe('talk.mkv')).chapters) console.log(c.start_time, c.tags.title);
 * ```
 */
export interface ProbeChapter {
  id: number;
  /** `'1/1000'`: the unit of `start` and `end`. */
  time_base: string;
  start: number;
  /** Seconds. */
  start_time: number;
  end: number;
  /** Seconds. */
  end_time: number;
  /** `title` and the chapter's other metadata. */
  tags: Record<string, string>;
}

/**
 * What {@link probe} found.
 *
 * @example
 * ```ts
 * const r = await probe('in.mp4');
 * const sideways = r.streams.some((s) => Math.abs(s.rotation ?? 0) === 90); // a phone's portrait video
 * ```
 */
export interface ProbeResult {
  format: ProbeFormat;
  streams: ProbeStream[];
  /** The chapters, in order (`[]` when the file has none). */
  chapters: ProbeChapter[];
}

/** What a byte input's opener knows that a demuxer does not say. @internal */
export interface DescribeExtras {
  /** The input's size in bytes, when known. */
  size?: number;
}

type Loose = Record<string, unknown>;

/** The unit of a format context's times: microseconds. */
const AV_TIME_BASE_Q = [1, 1_000_000] as const;

const DISPOSITIONS = [
  'default', 'dub', 'original', 'comment', 'lyrics', 'karaoke', 'forced', 'hearing_impaired', 'visual_impaired',
  'clean_effects', 'attached_pic', 'timed_thumbnails', 'captions', 'descriptions', 'metadata', 'dependent', 'still_image',
] as const satisfies ReadonlyArray<keyof ProbeDisposition>;

/** beamcoder's words for a field order, and ffprobe's. */
const FIELD_ORDERS: Record<string, string> = {
  progressive: 'progressive',
  'top coded first, top displayed first': 'tt',
  'bottom coded first, bottom displayed first': 'bb',
  'top coded first, bottom displayed first': 'tb',
  'bottom coded first, top displayed first': 'bt',
};

const OPTION_NAMES: ReadonlyArray<keyof ProbeOptions> = ['protocols', 'allowConcat', 'format'];

/** A timestamp the addon reports, or undefined for FFmpeg's "no value" (null, or AV_NOPTS_VALUE as a number). */
function ts(v: unknown): number | undefined {
  if (typeof v !== 'number' || !Number.isFinite(v)) return undefined;
  // AV_NOPTS_VALUE (INT64_MIN) arrives as the nearest double, which is exactly -2^63.
  return BigInt(v) === NOPTS ? undefined : v;
}

function pair(v: unknown): [number, number] | undefined {
  return Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'number' ? [v[0], v[1]] : undefined;
}

/** ffprobe's `print_q`: the rational as stored, not reduced (`0/0` stays). */
function q(v: unknown, sep = '/'): string {
  const p = pair(v) ?? [0, 0];
  return `${p[0]}${sep}${p[1]}`;
}

/** `value` ticks of `tb` in seconds, computed as ffprobe does (`ts * av_q2d(tb)`), so both print the same digits. */
function seconds(value: number, tb: readonly [number, number]): number {
  return value * (tb[0] / tb[1]);
}

function tags(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof v !== 'object' || v === null) return out;
  for (const [k, x] of Object.entries(v as Loose)) if (typeof x === 'string') out[k] = x;
  return out;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/**
 * FFmpeg's av_reduce(): `num/den` in lowest terms, or the closest fraction whose terms do not
 * exceed `max` (ffprobe reduces a display aspect ratio with max 1024·1024, so an odd size gets
 * an approximation, and the same one here).
 */
function avReduce(num: number, den: number, max: number): [number, number] {
  let n = BigInt(Math.abs(num));
  let d = BigInt(Math.abs(den));
  const m = BigInt(max);
  const negative = num < 0 !== den < 0;
  const g = gcd(n, d);
  if (g !== 0n) {
    n /= g;
    d /= g;
  }
  let a0 = [0n, 1n];
  let a1 = [1n, 0n];
  if (n <= m && d <= m) {
    a1 = [n, d];
    d = 0n;
  }
  // A continued-fraction expansion stopped at the last convergent within max (rational.c).
  while (d !== 0n) {
    let x = n / d;
    const nextDen = n - d * x;
    const a2n = x * a1[0]! + a0[0]!;
    const a2d = x * a1[1]! + a0[1]!;
    if (a2n > m || a2d > m) {
      if (a1[0]! !== 0n) x = (m - a0[0]!) / a1[0]!;
      if (a1[1]! !== 0n) {
        const y = (m - a0[1]!) / a1[1]!;
        if (y < x) x = y;
      }
      if (d * (2n * x * a1[1]! + a0[1]!) > n * a1[1]!) a1 = [x * a1[0]! + a0[0]!, x * a1[1]! + a0[1]!];
      break;
    }
    a0 = a1;
    a1 = [a2n, a2d];
    n = d;
    d = nextDen;
  }
  const rn = Number(a1[0]!);
  return [negative ? -rn : rn, Number(a1[1]!)];
}

/** av_guess_sample_aspect_ratio() without a frame: the stream's if it has one, else the codec's; undefined when neither. */
function sampleAspect(st: Loose, par: Loose): [number, number] | undefined {
  for (const v of [st.sample_aspect_ratio, par.sample_aspect_ratio]) {
    const p = pair(v);
    if (!p) continue;
    const [n, d] = avReduce(p[0], p[1], 0x7fffffff);
    if (n > 0 && d > 0) return [n, d];
  }
  return undefined;
}

function disposition(v: unknown): ProbeDisposition {
  const flags = (typeof v === 'object' && v !== null ? v : {}) as Loose;
  const out = {} as Record<keyof ProbeDisposition, 0 | 1>;
  // beamcoder names the flags as FFmpeg's AV_DISPOSITION_* constants; ffprobe in lower case.
  for (const name of DISPOSITIONS) out[name] = flags[name.toUpperCase()] === true ? 1 : 0;
  return out;
}

/** `{ [key]: value }`, or nothing when the value is unknown: ffprobe leaves an N/A out of its JSON. */
function some<K extends string, V>(key: K, value: V | undefined): { [k in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [k in K]?: V };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const positive = (v: unknown): number | undefined => (typeof v === 'number' && v > 0 ? v : undefined);

function videoFields(st: Loose, par: Loose): Partial<ProbeStream> {
  const width = num(par.width);
  const height = num(par.height);
  const sar = sampleAspect(st, par);
  const dar = sar ? avReduce((width ?? 0) * sar[0], (height ?? 0) * sar[1], 1024 * 1024) : undefined;
  return {
    ...some('width', width), ...some('height', height),
    ...some('sample_aspect_ratio', sar && `${sar[0]}:${sar[1]}`), ...some('display_aspect_ratio', dar && `${dar[0]}:${dar[1]}`),
    ...some('pix_fmt', str(par.format)),
    ...some('field_order', typeof par.field_order === 'string' ? FIELD_ORDERS[par.field_order] : undefined),
  };
}

function audioFields(par: Loose): Partial<ProbeStream> {
  return {
    ...some('sample_fmt', str(par.format)), ...some('sample_rate', num(par.sample_rate)), ...some('channels', num(par.channels)),
    ...some('channel_layout', str(par.channel_layout)),
  };
}

/** ffprobe's `rotation` of a stream's display matrix, if it has one. */
function rotationOf(st: Loose): number | undefined {
  const matrix = displayMatrixFrom(st.side_data);
  const r = matrix ? displayRotation(matrix) : NaN;
  // ffprobe prints av_display_rotation_get()'s double through an integer (C truncates); + 0 turns -0 into 0.
  return Number.isNaN(r) ? undefined : Math.trunc(r) + 0;
}

function describeStream(st: Loose): ProbeStream {
  const raw = st.codecpar as Loose & { toJSON?: () => Loose };
  // The codec parameters' JSON view leaves out what FFmpeg does not know (an unknown profile or
  // field order, an unspecified channel layout), where the plain getters fill in defaults.
  const par = typeof raw.toJSON === 'function' ? raw.toJSON() : raw;
  const tb = pair(st.time_base) ?? [0, 1];
  const type = str(par.codec_type) ?? 'unknown';
  const name = str(par.name);
  const profile = typeof par.profile === 'number' ? (par.profile === -99 ? undefined : String(par.profile)) : str(par.profile);
  const start = ts(st.start_time);
  const duration = ts(st.duration);
  const meta = tags(st.metadata);
  const lang = meta.language;
  // In ffprobe's order: codec, then the kind's fields, rates and times, disposition, tags.
  return {
    index: Number(st.index),
    codec_name: name === undefined || name === 'none' ? 'unknown' : name,
    ...some('profile', profile),
    codec_type: type,
    ...(type === 'video' ? videoFields(st, par) : type === 'audio' ? audioFields(par) : {}),
    r_frame_rate: q(st.r_frame_rate),
    avg_frame_rate: q(st.avg_frame_rate),
    time_base: q(st.time_base),
    ...some('start_time', start === undefined ? undefined : seconds(start, tb)),
    ...some('duration', duration === undefined ? undefined : seconds(duration, tb)),
    ...some('bit_rate', positive(par.bit_rate)),
    ...some('nb_frames', positive(st.nb_frames)),
    disposition: disposition(st.disposition),
    tags: meta,
    ...some('language', lang === undefined || lang === '' || lang === 'und' ? undefined : lang),
    ...some('rotation', type === 'video' ? rotationOf(st) : undefined),
  };
}

/** A chapter as the addon would give it (FFmpeg's AVChapter: id, time_base, start, end, metadata). */
function describeChapter(c: Loose): ProbeChapter {
  const tb = pair(c.time_base) ?? [1, 1];
  const start = ts(c.start) ?? 0;
  const end = ts(c.end) ?? start;
  return {
    id: Number(c.id), time_base: q(tb), start, start_time: seconds(start, tb), end, end_time: seconds(end, tb), tags: tags(c.metadata),
  };
}

/**
 * Describes an opened demuxer: its format, streams and chapters as plain values (nothing in
 * the result refers to the demuxer, which the caller closes). `label` is the `filename` to
 * report (the path or URL, or a name for bytes).
 * @internal
 */
export function _describeFormat(dm: BeamDemuxer, label: string, extras: DescribeExtras = {}): ProbeResult {
  const d = dm as unknown as Loose;
  const iformat = (d.iformat ?? {}) as Loose;
  const streams = Array.isArray(d.streams) ? (d.streams as Loose[]) : [];
  const start = ts(d.start_time);
  const duration = ts(d.duration);
  const format: ProbeFormat = {
    filename: label,
    nb_streams: streams.length,
    format_name: str(iformat.name) ?? 'unknown',
    format_long_name: str(iformat.long_name) ?? 'unknown',
    ...some('start_time', start === undefined ? undefined : seconds(start, AV_TIME_BASE_Q)),
    ...some('duration', duration === undefined ? undefined : seconds(duration, AV_TIME_BASE_Q)),
    ...some('size', extras.size),
    ...some('bit_rate', positive(d.bit_rate)),
    tags: tags(d.metadata),
  };
  const chapters = Array.isArray(d.chapters) ? (d.chapters as Loose[]) : [];
  const result: ProbeResult = { format, streams: streams.map(describeStream), chapters: chapters.map(describeChapter) };
  return result;
}

function isByteInput(v: unknown): boolean {
  if (v instanceof Uint8Array || v instanceof ArrayBuffer) return true;
  return typeof v === 'object' && v !== null && typeof (v as { pipe?: unknown }).pipe === 'function' && typeof (v as { on?: unknown }).on === 'function';
}

function checkOptions(opts: unknown): ProbeOptions {
  if (opts === undefined) return {};
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) throw new ConfigError('options', `must be an object (got ${describe(opts)})`);
  for (const key of Object.keys(opts)) {
    if ((OPTION_NAMES as readonly string[]).includes(key)) continue;
    const near = closestNames(key, OPTION_NAMES, 1);
    throw new ConfigError(key, `is not an option of probe()${near.length ? ` (did you mean ${near[0]}?)` : ''}; options: ${OPTION_NAMES.join(', ')}`, OPTION_NAMES);
  }
  checkInputOptions(opts as InputCheckOptions);
  const format = (opts as ProbeOptions).format;
  if (format !== undefined && (typeof format !== 'string' || format === '')) throw new ConfigError('format', `must be an FFmpeg demuxer name such as 'mpegts' (got ${describe(format)})`);
  return opts as ProbeOptions;
}

/**
 * What a media file holds: container, duration, bit rate and start time; per stream its codec,
 * profile, size, pixel format, frame rates (average and real), display rotation, sample rate,
 * channel layout, language and disposition; chapters. Field names are ffprobe's (`-show_format
 * -show_streams -show_chapters -of json`), with numbers as numbers where ffprobe prints numeric
 * strings (`duration`, `bit_rate`, `sample_rate`, `start_time` in seconds); see
 * {@link ProbeResult}. Nothing is decoded.
 *
 * A path may use the `file` and `pipe` protocols; a URL's scheme must be listed in
 * `protocols`. A missing, empty or directory path, or bytes that are not media, reject with
 * an {@link InputError} (`BEAMFLOW_INPUT`); a bad option with a {@link ConfigError}.
 * Bytes (a Buffer, or a Readable such as an upload) are read through a {@link Demuxer}: a
 * Readable only as far as probing needs (what follows is left unread, the stream unpiped), and
 * an MP4 whose index comes after its media in full, spooled to a temporary file.
 *
 * @example
 * ```ts
 * const info = await probe('phone.mp4');
 * const video = info.streams.find((s) => s.codec_type === 'video' && !s.disposition.attached_pic);
 * console.log(info.format.duration, video?.width, video?.height, video?.avg_frame_rate, video?.rotation);
 * ```
 */
export async function probe(input: string | Buffer | Uint8Array | Readable, opts?: ProbeOptions): Promise<ProbeResult> {
  const options = checkOptions(opts);
  const common = {
    ...(options.protocols ? { protocols: options.protocols } : {}),
    ...(options.allowConcat !== undefined ? { allowConcat: options.allowConcat } : {}),
    ...(options.format !== undefined ? { format: options.format } : {}),
  };
  if (typeof input === 'string') {
    // The Demuxer checks the path or URL (protocols, concat lists, missing and empty files) and
    // opens it as it would to read it.
    const dm = new Demuxer({ input, ...common });
    return describeWith(dm, input, dm._inputSize());
  }
  if (!isByteInput(input)) {
    throw new ConfigError('input', `must be a file path or URL (got ${typeof input === 'object' && input !== null ? 'an object' : describe(input)})`);
  }
  const dm = new Demuxer({ spool: true, ...common });
  const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : input instanceof Uint8Array ? input : undefined;
  if (bytes) {
    dm.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return describeWith(dm, 'input stream', bytes.byteLength);
  }
  const readable = input as Readable;
  readable.pipe(dm);
  return describeWith(dm, 'input stream', undefined, () => readable.unpipe(dm));
}

/**
 * A Demuxer's input opened, described and closed: the file descriptor goes at once rather than at
 * the wrapper's collection (a program probing many files would hold one per file until then).
 */
async function describeWith(dm: Demuxer, label: string, size: number | undefined, detach?: () => void): Promise<ProbeResult> {
  // Errors surface through the open below; the stream's own 'error' would otherwise be unhandled.
  dm.on('error', () => undefined);
  let native: BeamDemuxer | undefined;
  try {
    native = await dm._openForProbe();
    return _describeFormat(native, label, size !== undefined ? { size } : {});
  } finally {
    native?.forceClose();
    detach?.();
    dm.destroy();
  }
}
