/**
 * `thumbnails()` and `thumbnailSprite()`: still images of a video at chosen
 * times, and a sprite sheet of them with the WebVTT thumbnail track that web
 * players (video.js, JW Player, hls.js-based players) load for scrub previews.
 *
 * Which frame
 * - for a time t, the first frame whose time is ≥ t, times counted from the
 *   input's start as `decodeFile` counts them: the frame that `ffmpeg -ss t
 *   -i IN -frames:v 1 out.png` writes (frame accurate, as its transcode is).
 * - a time past the last frame gives the last frame (ffmpeg writes nothing
 *   there and fails with "Output file is empty"): a list of times asked of an
 *   input of unknown length still gives one image per time, and each image's
 *   `time` says which frame it is.
 * - `every: s` (a millisecond or more) asks for 0, s, 2s, … while a frame is
 *   there: the list ends at the video's end instead of repeating its last
 *   frame.
 *
 * How
 * - a file (or URL) is read by a native demuxer of its own, so that it can
 *   seek: for a time more than a keyframe interval (at least 2 s) ahead of
 *   what was decoded, it seeks to the keyframe before the time and decodes
 *   from there, which makes thumbnails of a long file cost a few GOPs each
 *   instead of the whole file. A seek that lands after the time (formats
 *   whose seeking is inexact, an MP4 seeking by decode time, B-frames) is
 *   retried further back, and at worst decoding restarts from the beginning:
 *   the frame chosen never depends on where a seek landed. The demuxer is
 *   held to the same protocols as `decodeFile` (sources/input-checks.ts).
 * - bytes (a Buffer) go through a {@link Demuxer} and a {@link Decoder},
 *   decoded from the start (nothing to seek in), an MP4 whose index comes
 *   last spooled to a temporary file as `probe()` does.
 * - frames are turned upright by the stream's display matrix (a phone's
 *   portrait video gives portrait thumbnails), then scaled to `width` with an
 *   even height keeping the display aspect (`scale=W:-2` for square pixels),
 *   then encoded by FFmpeg's own `mjpeg` or `png` encoder: each packet is an
 *   image file.
 * - the sheet is FFmpeg's `tile` filter over the scaled thumbnails, encoded
 *   once; its cues are contiguous, from one thumbnail's time to the next.
 */
import { pipeline, type Duplex } from 'node:stream';
import { AbortError, closestNames, ConfigError, InputError, toFFmpegError } from './errors.js';
import { Decoder, StreamDecoder } from './decoder.js';
import type { Envelope } from './envelopes.js';
import { openGraph, type FilterGraph } from './filters/graph.js';
import { beamcoder, releaseFrame, type BeamDemuxer, type BeamEncoder, type CodecPar, type Frame, type Packet } from './native.js';
import { displayMatrixFrom, uprightFilter } from './orientation.js';
import { NOPTS, rescale, rescaleRnd, toSeconds, type Rational } from './rational.js';
import { Demuxer } from './sources/demuxer.js';
import { checkInput, checkInputOptions, demuxerOptions, openFailure, type CheckedInput, type InputCheckOptions } from './sources/input-checks.js';
import { describe, positiveInt } from './validate.js';

/**
 * When to take thumbnails: at these times (seconds from the input's start, any order), or every
 * so many seconds from 0 to the end.
 *
 * @example
 * ```ts
 * await thumbnails('in.mp4', { at: [0, 12.5, 60] });
 * await thumbnails('in.mp4', { every: 5 });
 * ```
 */
export type ThumbnailTimes = { at: readonly number[] } | { every: number };

/** The image format of thumbnails and sheets. */
export type ThumbnailFormat = 'jpeg' | 'png';

/**
 * Options of {@link thumbnails}.
 *
 * @example
 * ```ts
 * const [poster] = await thumbnails('in.mp4', { at: [5] }, { width: 640, format: 'png' });
 * ```
 */
export interface ThumbnailOptions {
  /** Width in pixels (default 160, a scrub preview's); the height keeps the display aspect, rounded to even. */
  width?: number;
  /** `'jpeg'` (default) or `'png'`. */
  format?: ThumbnailFormat;
  /** FFmpeg protocols the input may use (default `['file', 'pipe']` for a path; a URL's own scheme must be listed). */
  protocols?: readonly string[];
  /** Open FFmpeg concat lists (`ffconcat version 1.0`), which name other files. Off by default, as untrusted input. */
  allowConcat?: boolean;
  /** Stops the work: the promise rejects with an {@link AbortError}. */
  signal?: AbortSignal;
}

/**
 * One thumbnail: an image file's bytes and the frame it shows.
 *
 * @example
 * ```ts
 * for (const t of await thumbnails('in.mp4', { every: 10 })) writeFileSync(`thumb-${t.requested}.jpg`, t.data);
 * ```
 */
export interface Thumbnail {
  /** The time asked for, in seconds. */
  requested: number;
  /** The time of the frame shown, in seconds from the input's start (≥ `requested` except past the last frame). */
  time: number;
  width: number;
  height: number;
  format: ThumbnailFormat;
  /** The image file (JPEG or PNG). */
  data: Buffer;
}

/**
 * Options of {@link thumbnailSprite}.
 *
 * @example
 * ```ts
 * await thumbnailSprite('in.mp4', { every: 5 }, { columns: 10, name: 'https://cdn.example.com/v1/sprite.jpg' });
 * ```
 */
export interface SpriteOptions extends ThumbnailOptions {
  /** Thumbnails per row of the sheet; rows follow from the number of thumbnails. */
  columns: number;
  /** The sheet's file name or URL as the WebVTT cues name it (default `sprite.jpg` or `sprite.png`). */
  name?: string;
}

/** One cue of a sheet's WebVTT track: the span of the video it previews and its tile. Times in seconds. */
export interface SpriteCue {
  start: number;
  end: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * A sprite sheet and its WebVTT thumbnail track.
 *
 * @example
 * ```ts
 * const sheet = await thumbnailSprite('in.mp4', { every: 5 }, { columns: 10 });
 * writeFileSync('sprite.jpg', sheet.image);
 * writeFileSync('thumbnails.vtt', sheet.vtt);
 * ```
 */
export interface ThumbnailSprite {
  /** The sheet's image file. */
  image: Buffer;
  format: ThumbnailFormat;
  /** The sheet's size in pixels: `columns` × `rows` tiles; unused tiles at the end are black. */
  width: number;
  height: number;
  columns: number;
  rows: number;
  /** The name the cues give the sheet. */
  name: string;
  /** The WebVTT text: `WEBVTT`, then one cue per tile, `NAME#xywh=x,y,w,h`. */
  vtt: string;
  cues: SpriteCue[];
  /** Each tile as an image of its own, in time order. */
  thumbnails: Thumbnail[];
}

/** What a caller may pass as the input. */
export type ThumbnailInput = string | Buffer | Uint8Array;

const DEFAULT_WIDTH = 160;
const FORMATS: readonly ThumbnailFormat[] = ['jpeg', 'png'];
const OPTION_NAMES = ['width', 'format', 'protocols', 'allowConcat', 'signal'] as const;
const SPRITE_OPTION_NAMES = [...OPTION_NAMES, 'columns', 'name'] as const;
/** JPEG stores each side in 16 bits and FFmpeg's encoder stops at 65500; a PNG that tall would not load in a browser anyway. */
const MAX_SHEET_SIDE = 65500;
const US: Rational = { num: 1, den: 1_000_000 };
/** The shortest `every`: a millisecond, what a WebVTT cue time can tell apart. */
const MIN_EVERY = 0.001;
/** A time at most this far ahead of what was decoded is reached by decoding on (unless keyframes are further apart). */
const DECODE_ON_US = 2_000_000n;
/** How far before the time a seek that landed after it is retried first; then twice as far each time, then from the start. */
const SEEK_BACKOFF_US = 1_000_000n;
/** FFmpeg's lambda per quantiser step: `-q:v 3` is global_quality 3 × 118. */
const FF_QP2LAMBDA = 118;
/** JPEG quality as `-q:v 3`: clean at thumbnail sizes, a few KiB each. */
const JPEG_QSCALE = 3;

const IMAGE_CODEC: Record<ThumbnailFormat, { name: string; pixelFormat: string }> = {
  // Full-range 4:2:0, what JPEG files are (ffmpeg picks it for .jpg from ordinary video).
  jpeg: { name: 'mjpeg', pixelFormat: 'yuvj420p' },
  // ffmpeg's choice for .png from 8-bit video.
  png: { name: 'png', pixelFormat: 'rgb24' },
};

// ---- options -----------------------------------------------------------------

interface Checked {
  width: number;
  format: ThumbnailFormat;
  signal: AbortSignal | undefined;
  inputChecks: InputCheckOptions;
}

function checkOptions(opts: unknown, names: readonly string[], fn: string): Checked {
  if (opts === undefined) opts = {};
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) throw new ConfigError('options', `must be an object (got ${describe(opts)})`);
  const o = opts as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (names.includes(key)) continue;
    const near = closestNames(key, names, 1);
    throw new ConfigError(key, `is not an option of ${fn}()${near.length ? ` (did you mean ${near[0]}?)` : ''}; options: ${names.join(', ')}`, names);
  }
  const width = o.width === undefined ? DEFAULT_WIDTH : positiveInt('width', o.width, 16384);
  let format: ThumbnailFormat = 'jpeg';
  if (o.format !== undefined) {
    if (typeof o.format !== 'string' || !FORMATS.includes(o.format as ThumbnailFormat)) {
      // 'jpg' is what people type: name the spelling accepted.
      const near = typeof o.format === 'string' ? (o.format.toLowerCase() === 'jpg' ? ['jpeg'] : closestNames(o.format, FORMATS, 1)) : [];
      throw new ConfigError('format', `must be one of ${FORMATS.join(', ')} (got ${describe(o.format)})${near.length ? `; did you mean ${near[0]}?` : ''}`, FORMATS);
    }
    format = o.format as ThumbnailFormat;
  }
  const signal = o.signal;
  if (signal !== undefined && !(typeof signal === 'object' && signal !== null && typeof (signal as AbortSignal).aborted === 'boolean')) {
    throw new ConfigError('signal', `must be an AbortSignal (got ${describe(signal)})`);
  }
  const inputChecks: InputCheckOptions = {
    ...(o.protocols !== undefined ? { protocols: o.protocols as readonly string[] } : {}),
    ...(o.allowConcat !== undefined ? { allowConcat: o.allowConcat as boolean } : {}),
  };
  checkInputOptions(inputChecks);
  return { width, format, signal: signal as AbortSignal | undefined, inputChecks };
}

/** The times asked for, checked: `at` in the caller's order, or `every`. */
type Times = { at: number[] } | { every: number };

function checkTimes(when: unknown): Times {
  if (typeof when !== 'object' || when === null || Array.isArray(when)) {
    throw new ConfigError('times', `must be { at: [seconds, ...] } or { every: seconds } (got ${describe(when)})`);
  }
  const w = when as Record<string, unknown>;
  const keys = Object.keys(w);
  const unknown = keys.find((k) => k !== 'at' && k !== 'every');
  if (unknown !== undefined) throw new ConfigError(unknown, 'is not a way to give thumbnail times; use at: [seconds, ...] or every: seconds', ['at', 'every']);
  if (w.at !== undefined && w.every !== undefined) throw new ConfigError('at', 'give either at or every, not both', ['at', 'every']);
  if (w.every !== undefined) {
    // WebVTT counts milliseconds: a shorter interval would make cues of no length.
    if (typeof w.every !== 'number' || !Number.isFinite(w.every) || w.every < MIN_EVERY) {
      throw new ConfigError('every', `must be a number of seconds, ${MIN_EVERY} or more (got ${describe(w.every)})`);
    }
    return { every: w.every };
  }
  if (w.at === undefined) throw new ConfigError('times', 'must be { at: [seconds, ...] } or { every: seconds }', ['at', 'every']);
  if (!Array.isArray(w.at) || w.at.length === 0) throw new ConfigError('at', `must be a non-empty array of seconds (got ${describe(w.at)})`);
  (w.at as unknown[]).forEach((t, i) => {
    if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) throw new ConfigError('at', `at[${i}] must be a number of seconds ≥ 0 (got ${describe(t)})`);
  });
  return { at: [...(w.at as number[])] };
}

function checkInputValue(input: unknown): void {
  if (typeof input === 'string' || input instanceof Uint8Array) return;
  throw new ConfigError('input', `must be a file path, a URL or a Buffer (got ${typeof input === 'object' && input !== null ? 'an object' : describe(input)})`);
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError('thumbnails were aborted', { cause: signal.reason });
}

// ---- reading frames ------------------------------------------------------------

/** A decoded frame (upright) and its time, zero-based, in the reader's time base. */
interface Picture {
  frame: Frame;
  pts: bigint;
}

/** Where decoding is after a seek: past a keyframe found by seeking, or at the input's start. */
type SeekResult = 'seeked' | 'start';

/** Decoded video frames of an input, in order, with seeking where the input allows it. */
interface FrameReader {
  readonly timeBase: Rational;
  /** The video's end, zero-based, in the time base; undefined when the container does not say. */
  readonly end: bigint | undefined;
  readonly seekable: boolean;
  /** The longest distance between two keyframes read in a row, in the time base (0 until seen). */
  readonly keyframeInterval: bigint;
  next(): Promise<Picture | null>;
  /** Decode from the keyframe at or before `pts` (zero-based); where the format cannot seek, from the start. */
  seek(pts: bigint): Promise<SeekResult>;
  /** Decode from the start again. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

const validTs = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && BigInt(Math.trunc(v)) !== NOPTS;

/** A file or URL read by a native demuxer of its own: what makes seeking possible. */
class FileReader implements FrameReader {
  readonly timeBase: Rational;
  readonly end: bigint | undefined;
  readonly seekable: boolean;
  keyframeInterval = 0n;
  readonly #checked: CheckedInput;
  readonly #batch: boolean;
  #dm: BeamDemuxer;
  #index: number;
  /** The input's start in the time base, subtracted from every timestamp (as the Demuxer does). */
  readonly #offset: bigint;
  #params: CodecPar;
  readonly #upright: string | undefined;
  #decoder: StreamDecoder;
  #pending: Frame[] = [];
  #eof = false;
  #drained = false;
  #lastPts = 0n;
  #lastKey: bigint | undefined;
  /** After a seek: packets before the first keyframe are dropped (they would decode to damaged pictures). */
  #awaitKey = false;

  private constructor(checked: CheckedInput, dm: BeamDemuxer) {
    this.#checked = checked;
    this.#dm = dm;
    this.#batch = checked.regularFile;
    this.#index = -1;
    // A pipe cannot go back; a regular file or a URL can (a URL whose server refuses ranges fails the seek, and
    // decoding restarts from a fresh open).
    this.seekable = checked.regularFile || (checked.isUrl && !/^pipe:/i.test(checked.url));
    const st = this.#videoStream(dm);
    this.#index = st.index;
    const tb = st.time_base as [number, number];
    this.timeBase = { num: tb[0], den: tb[1] };
    const start = (dm as unknown as { start_time?: number | null }).start_time;
    const startUs = validTs(start) ? BigInt(start) : 0n;
    this.#offset = startUs === 0n ? 0n : rescale(startUs, US, this.timeBase);
    const s = st as unknown as { duration?: number; start_time?: number };
    const whole = (dm as unknown as { duration?: number | null }).duration;
    if (validTs(s.duration) && s.duration > 0) {
      this.end = (validTs(s.start_time) ? BigInt(s.start_time) - this.#offset : 0n) + BigInt(s.duration);
    } else if (validTs(whole) && whole > 0) {
      this.end = rescale(BigInt(whole), US, this.timeBase);
    }
    this.#params = st.codecpar as CodecPar;
    const matrix = displayMatrixFrom((st as unknown as { side_data?: unknown }).side_data);
    this.#upright = matrix ? uprightFilter(matrix).filter : undefined;
    this.#decoder = this.#openDecoder();
  }

  /** The first video stream that is not cover art (the one a reopened demuxer must have again). */
  #videoStream(dm: BeamDemuxer): BeamDemuxer['streams'][number] {
    const cover = (s: { disposition?: unknown }): boolean => (s.disposition as Record<string, boolean> | undefined)?.ATTACHED_PIC === true;
    const st = dm.streams.find((s) => s.codecpar.codec_type === 'video' && !cover(s));
    if (!st) {
      const art = dm.streams.some((s) => s.codecpar.codec_type === 'video');
      throw new InputError(this.#checked.url, art ? 'has no video stream, only cover art' : 'has no video stream');
    }
    if (this.#index >= 0 && st.index !== this.#index) throw new InputError(this.#checked.url, 'changed while it was read');
    return st;
  }

  static async open(checked: CheckedInput): Promise<FileReader> {
    const dm = await openDemuxer(checked);
    try {
      return new FileReader(checked, dm);
    } catch (err) {
      dm.forceClose();
      throw err;
    }
  }

  #openDecoder(): StreamDecoder {
    return new StreamDecoder(this.#params, 'video', this.timeBase, `${this.#checked.url} stream ${this.#index}`, {}, this.#upright, (p) => p);
  }

  /** Forget what was read and decoded: a seek or a restart follows. */
  #reset(): void {
    this.#decoder.release();
    this.#decoder = this.#openDecoder();
    for (const f of this.#pending) releaseFrame(f);
    this.#pending = [];
    this.#eof = false;
    this.#drained = false;
    this.#lastKey = undefined;
    this.#awaitKey = false;
  }

  async next(): Promise<Picture | null> {
    for (;;) {
      const f = this.#pending.shift();
      if (f) {
        const pts = validTs(f.pts) ? BigInt(f.pts) : this.#lastPts;
        this.#lastPts = pts;
        return { frame: f, pts };
      }
      if (this.#drained) return null;
      if (this.#eof) {
        this.#pending = await this.#decoder.flush();
        this.#drained = true;
        continue;
      }
      const packets = await this.#read();
      // Packets the decoder refuses (corrupt data) are skipped, as the ffmpeg command line goes on.
      if (packets.length > 0) this.#pending = (await this.#decoder.decode(packets)).frames;
    }
  }

  /** The video packets of the next read, shifted to zero; none and `#eof` at the end. */
  async #read(): Promise<Packet[]> {
    let got: Packet[];
    try {
      if (this.#batch) {
        // The fork's read(n) reads up to n packets in one trip to libuv's pool.
        const r = await (this.#dm.read as unknown as (n: number) => Promise<Packet[] | Packet | null>)(16);
        got = Array.isArray(r) ? r : r ? [r] : [];
      } else {
        const r = await this.#dm.read();
        got = r ? [r] : [];
      }
    } catch (err) {
      throw toFFmpegError(`read ${this.#checked.url}`, err);
    }
    if (got.length === 0) this.#eof = true;
    let video = got.filter((p) => p.stream_index === this.#index);
    if (this.#awaitKey) {
      // A seek may land before a keyframe (MPEG-TS seeks by byte position and timestamp, not
      // by keyframe): what precedes it refers to pictures that were never decoded.
      const key = video.findIndex(isKey);
      video = key < 0 ? [] : video.slice(key);
      if (key >= 0) this.#awaitKey = false;
    }
    for (const p of video) {
      if (this.#offset !== 0n) {
        if (validTs(p.pts)) p.pts = Number(BigInt(p.pts) - this.#offset);
        if (validTs(p.dts)) p.dts = Number(BigInt(p.dts) - this.#offset);
      }
      if (isKey(p) && validTs(p.pts)) {
        const at = BigInt(p.pts);
        if (this.#lastKey !== undefined && at - this.#lastKey > this.keyframeInterval) this.keyframeInterval = at - this.#lastKey;
        this.#lastKey = at;
      }
    }
    return video;
  }

  async seek(pts: bigint): Promise<SeekResult> {
    this.#reset();
    try {
      await this.#dm.seek({ stream_index: this.#index, timestamp: Number(pts + this.#offset), backward: true });
      this.#awaitKey = true;
      return 'seeked';
    } catch {
      // A format or server that cannot seek: from the start, which is always right, only slower.
      await this.restart();
      return 'start';
    }
  }

  async restart(): Promise<void> {
    this.#dm.forceClose();
    this.#dm = await openDemuxer(this.#checked);
    // The decoder opens from the new demuxer's parameters: the closed one's are gone.
    this.#params = this.#videoStream(this.#dm).codecpar as CodecPar;
    this.#reset();
  }

  close(): Promise<void> {
    for (const f of this.#pending) releaseFrame(f);
    this.#pending = [];
    this.#decoder.release();
    // Now rather than at the wrapper's collection: a program making thumbnails of many files
    // would otherwise hold a descriptor per file until the collector runs.
    this.#dm.forceClose();
    return Promise.resolve();
  }
}

const isKey = (p: Packet): boolean => (p.flags as unknown as { KEY?: boolean } | undefined)?.KEY === true;

async function openDemuxer(checked: CheckedInput): Promise<BeamDemuxer> {
  try {
    return await beamcoder().demuxer({ url: checked.url, options: demuxerOptions(checked) } as never);
  } catch (err) {
    throw openFailure(checked.url, err);
  }
}

/** Bytes, read through a Demuxer and a Decoder from the start (nothing to seek in). */
class BytesReader implements FrameReader {
  readonly seekable = false;
  readonly keyframeInterval = 0n;
  readonly timeBase: Rational;
  readonly end: bigint | undefined;
  readonly #dm: Duplex;
  readonly #dec: Duplex;
  readonly #frames: AsyncIterator<Envelope>;
  #lastPts = 0n;

  private constructor(dm: Duplex, dec: Duplex, frames: AsyncIterator<Envelope>, timeBase: Rational, end: bigint | undefined) {
    this.#dm = dm;
    this.#dec = dec;
    this.#frames = frames;
    this.timeBase = timeBase;
    this.end = end;
  }

  static async open(bytes: Uint8Array, checks: InputCheckOptions): Promise<BytesReader> {
    const dm = new Demuxer({ spool: true, audio: false, video: true, ...(checks.protocols ? { protocols: checks.protocols } : {}) });
    const dec = new Decoder();
    // Errors reach the iterator below (pipeline destroys the Decoder with them).
    pipeline(dm, dec, () => undefined);
    dm.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    const frames = dec[Symbol.asyncIterator]() as AsyncIterator<Envelope>;
    try {
      for (;;) {
        const r = await frames.next();
        if (r.done) throw new InputError('input stream', 'has no video stream');
        const env = r.value;
        if (env.type === 'stream' && env.kind === 'video') return new BytesReader(dm, dec, frames, env.timeBase, env.duration);
      }
    } catch (err) {
      dec.destroy();
      dm.destroy();
      throw err;
    }
  }

  async next(): Promise<Picture | null> {
    for (;;) {
      const r = await this.#frames.next();
      if (r.done) return null;
      const env = r.value;
      if (env.type !== 'frame') continue;
      const f = env.frame;
      const pts = validTs(f.pts) ? BigInt(f.pts) : this.#lastPts;
      this.#lastPts = pts;
      return { frame: f, pts };
    }
  }

  seek(): Promise<SeekResult> {
    return Promise.reject(new Error('bytes cannot be sought in'));
  }

  restart(): Promise<void> {
    return Promise.reject(new Error('bytes cannot be read again'));
  }

  async close(): Promise<void> {
    const closed = (s: Duplex): Promise<void> => (s.closed ? Promise.resolve() : new Promise((r) => s.once('close', () => r())));
    this.#dec.destroy();
    this.#dm.destroy();
    // The Demuxer waits for its native call in flight before it lets go: so does the caller.
    await Promise.all([closed(this.#dec), closed(this.#dm)]);
  }
}

// ---- choosing frames -----------------------------------------------------------

/** A time asked for: seconds as given, and as a zero-based timestamp of the reader's time base. */
interface Target {
  seconds: number;
  pts: bigint;
}

/** `seconds` as ffmpeg's `-ss` counts it (whole microseconds), in `tb`. */
function targetOf(seconds: number, tb: Rational): Target {
  return { seconds, pts: rescale(BigInt(Math.round(seconds * 1e6)), US, tb) };
}

/**
 * Seeks so that decoding starts at or before `t`: the first frame read after the seek is at or
 * before it, or decoding starts at the beginning. Returns that first frame (null: nothing left).
 */
async function seekNear(reader: FrameReader, t: bigint): Promise<Picture | null> {
  // Twice as far back each time: a few tries whatever the GOP length (MPEG-TS seeks by
  // timestamp, not keyframe, and the keyframe after where it lands may be after t).
  for (let back = 0n; ; back = back === 0n ? SEEK_BACKOFF_US : back * 2n) {
    const at = t - rescale(back, US, reader.timeBase);
    if (at <= 0n) break;
    const how = await reader.seek(at);
    const first = await reader.next();
    if (how === 'start' || (first && first.pts <= t)) return first;
    // Landed after t: a frame between t and here would be missed. Further back.
    if (first) releaseFrame(first.frame);
  }
  await reader.restart();
  return reader.next();
}

/**
 * Walks the targets in ascending order, handing each the first frame at or after it (`pick`).
 * Past the last frame: with `clamp`, the last frame; without, the walk ends. Returns whether
 * any frame was decoded at all.
 */
async function choose(
  reader: FrameReader, target: (k: number) => Target | undefined, clamp: boolean, signal: AbortSignal | undefined,
  pick: (t: Target, p: Picture) => Promise<void>,
): Promise<boolean> {
  // The frame read last: the answer of the time before, or a frame before the next time.
  const state: { cur: Picture | null; ended: boolean; any: boolean } = { cur: null, ended: false, any: false };
  const replace = (p: Picture | null): void => {
    if (state.cur && state.cur !== p) releaseFrame(state.cur.frame);
    state.cur = p;
    if (p) state.any = true;
  };
  const reached = (t: Target): boolean => state.cur !== null && state.cur.pts >= t.pts;
  const decodeOn = rescale(DECODE_ON_US, US, reader.timeBase);
  try {
    for (let k = 0; ; k++) {
      throwIfAborted(signal);
      const t = target(k);
      if (!t) break;
      // The frame that answered the previous time also answers this one when it is not before it
      // (every frame before it was before the previous time).
      if (!state.ended && !reached(t)) {
        const gap = t.pts - (state.cur?.pts ?? 0n);
        const far = gap > (reader.keyframeInterval > decodeOn ? reader.keyframeInterval : decodeOn);
        if (reader.seekable && far) replace(await seekNear(reader, t.pts));
        while (!reached(t)) {
          throwIfAborted(signal);
          const p = await reader.next();
          if (!p) {
            state.ended = true;
            break;
          }
          replace(p);
        }
      }
      if (state.cur && (reached(t) || clamp)) await pick(t, state.cur);
      else if (state.ended) break;
    }
  } finally {
    replace(null);
  }
  return state.any;
}

// ---- images ----------------------------------------------------------------------

/** Scales frames to the thumbnail size and encodes them as image files. */
class Renderer {
  readonly #format: ThumbnailFormat;
  readonly #width: number;
  readonly #label: string;
  #size: { width: number; height: number } | undefined;
  #graph: { key: string; graph: FilterGraph } | undefined;
  #encoder: BeamEncoder | undefined;
  #count = 0;

  constructor(format: ThumbnailFormat, width: number, label: string) {
    this.#format = format;
    this.#width = width;
    this.#label = label;
  }

  get size(): { width: number; height: number } | undefined {
    return this.#size;
  }

  /** The frame scaled to the thumbnail size, in the image encoder's pixel format. */
  async scale(frame: Frame, timeBase: Rational): Promise<Frame> {
    const sar = (frame.sample_aspect_ratio as [number, number] | undefined) ?? [1, 1];
    const [sn, sd] = sar[0] > 0 && sar[1] > 0 ? sar : [1, 1];
    // The height of `scale=W:-2`, from the display aspect (the stored one when pixels are square),
    // fixed at the first frame: every thumbnail, and every tile of a sheet, has the same size.
    this.#size ??= {
      width: this.#width,
      height: Math.max(2, Number(rescaleRnd(BigInt(this.#width) * BigInt(frame.height) * BigInt(sd), 1n, BigInt(frame.width) * BigInt(sn) * 2n)) * 2),
    };
    const key = `${frame.width}x${frame.height}:${String(frame.format)}:${sn}/${sd}`;
    const { width, height } = this.#size;
    try {
      if (this.#graph?.key !== key) {
        this.#graph = { key, graph: await openGraph('video', frame, timeBase, `scale=${width}:${height}`, { pixelFormat: IMAGE_CODEC[this.#format].pixelFormat }) };
      }
      const out = await this.#graph.graph.run(frame);
      const scaled = out[0];
      for (const extra of out.slice(1)) releaseFrame(extra);
      if (!scaled) throw new Error('the scaler gave no frame');
      return scaled;
    } catch (err) {
      throw toFFmpegError(`scale ${this.#label} to ${width}x${height}`, err);
    }
  }

  /** A scaled frame as an image file. */
  async encode(scaled: Frame): Promise<Buffer> {
    this.#encoder ??= openImageEncoder(this.#format, scaled.width, scaled.height);
    return encodeImage(this.#encoder, scaled, this.#count++, this.#format);
  }
}

function openImageEncoder(format: ThumbnailFormat, width: number, height: number): BeamEncoder {
  const { name, pixelFormat } = IMAGE_CODEC[format];
  const params: Record<string, unknown> = { name, width, height, pix_fmt: pixelFormat, time_base: [1, 25] };
  if (format === 'jpeg') Object.assign(params, { flags: { QSCALE: true }, global_quality: JPEG_QSCALE * FF_QP2LAMBDA });
  try {
    return beamcoder().encoder(params as { name: string });
  } catch (err) {
    throw toFFmpegError(`open ${name} (${width}x${height})`, err);
  }
}

async function encodeImage(enc: BeamEncoder, frame: Frame, index: number, format: ThumbnailFormat): Promise<Buffer> {
  // Image encoders are intra-only: one frame in, one packet (a whole file) out, in order.
  frame.pts = index;
  let packets: Packet[];
  try {
    packets = (await enc.encode(frame)).packets;
  } catch (err) {
    throw toFFmpegError(`encode ${format}`, err);
  }
  if (packets.length !== 1) throw toFFmpegError(`encode ${format}`, new Error(`the encoder gave ${packets.length} packets for one image`));
  // A copy, so that the result holds no native memory; `data` runs on into FFmpeg's zeroed
  // padding, which is not part of the file.
  const p = packets[0]!;
  return Buffer.from(p.data.subarray(0, p.size));
}

// ---- the work ----------------------------------------------------------------------

interface Made {
  thumbnails: Thumbnail[];
  /** In time order, one per distinct time, with its scaled frame when a sheet is made. */
  tiles: Array<{ thumb: Thumbnail; scaled?: Frame }>;
  /** The input's end in seconds, when known. */
  end: number | undefined;
}

/**
 * Reads the input and makes a thumbnail per time. With `sheetColumns`, each tile's scaled frame
 * is kept for the sheet, and a sheet growing past what an image can hold stops the work at once
 * (instead of after every frame was scaled).
 */
async function make(input: ThumbnailInput, when: Times, opts: Checked, sheetColumns?: number): Promise<Made> {
  const keepScaled = sheetColumns !== undefined;
  throwIfAborted(opts.signal);
  const label = typeof input === 'string' ? input : 'input stream';
  const reader: FrameReader = typeof input === 'string'
    ? await FileReader.open(checkInput(input, opts.inputChecks, 'input'))
    : await BytesReader.open(input, opts.inputChecks);
  const renderer = new Renderer(opts.format, opts.width, label);
  const tiles: Made['tiles'] = [];
  try {
    const tb = reader.timeBase;
    const times = 'at' in when ? [...new Set(when.at)].sort((a, b) => a - b) : undefined;
    const step = 'every' in when ? when.every : 0;
    const target = (k: number): Target | undefined => {
      if (times) return k < times.length ? targetOf(times[k]!, tb) : undefined;
      const t = targetOf(k * step, tb);
      // Past the container's end nothing is left to find (the walk also ends at the last frame).
      return reader.end !== undefined && k > 0 && t.pts >= reader.end ? undefined : t;
    };
    let last: { picture: Picture; thumb: Thumbnail; scaled: Frame | undefined } | undefined;
    const any = await choose(reader, target, times !== undefined, opts.signal, async (t, p) => {
      // A frame that answers several times is scaled and encoded once.
      if (last?.picture !== p) {
        const scaled = await renderer.scale(p.frame, tb);
        const data = await renderer.encode(scaled);
        if (!keepScaled) releaseFrame(scaled);
        const { width, height } = renderer.size!;
        last = { picture: p, scaled: keepScaled ? scaled : undefined, thumb: { requested: t.seconds, time: toSeconds(p.pts, tb), width, height, format: opts.format, data } };
      }
      tiles.push({ thumb: { ...last.thumb, requested: t.seconds }, ...(last.scaled ? { scaled: last.scaled } : {}) });
      if (sheetColumns !== undefined) checkSheet(tiles.length, sheetColumns, last.thumb);
    });
    if (!any) throw new InputError(label, 'has no video frame that decodes');
    const byTime = new Map(tiles.map((x) => [x.thumb.requested, x.thumb]));
    const thumbnails = times ? (when as { at: number[] }).at.map((s) => ({ ...byTime.get(s)! })) : tiles.map((x) => x.thumb);
    return { thumbnails, tiles, end: reader.end === undefined ? undefined : toSeconds(reader.end, tb) };
  } catch (err) {
    for (const x of tiles) if (x.scaled) releaseFrame(x.scaled);
    throw err;
  } finally {
    await reader.close();
  }
}

/** A sheet of `n` tiles like `tile` in `columns` columns must fit in an image (JPEG's 65500 pixels a side). */
function checkSheet(n: number, columns: number, tile: { width: number; height: number }): void {
  const width = Math.min(n, columns) * tile.width;
  const height = Math.ceil(n / columns) * tile.height;
  if (width <= MAX_SHEET_SIDE && height <= MAX_SHEET_SIDE) return;
  throw new ConfigError('columns', `a sheet of ${n} or more ${tile.width}x${tile.height} tiles in ${columns} column${columns === 1 ? '' : 's'} would be at least ${width}x${height}, ` +
    `over ${MAX_SHEET_SIDE} pixels a side: take fewer thumbnails (a longer interval), make them narrower, or change the columns`);
}

/** `HH:MM:SS.mmm`, as WebVTT writes cue times. */
function vttTime(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  const pad = (v: number, n = 2): string => String(v).padStart(n, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

/**
 * Thumbnails of a video: one image per time of `at` (in that order), or one every `every`
 * seconds from 0 to the end. Each shows the first frame at or after its time (the frame
 * `ffmpeg -ss T -i IN -frames:v 1` writes), upright, `width` pixels wide (default 160) with an
 * even height keeping the aspect, as a JPEG (default) or PNG file's bytes. A time past the
 * last frame gives the last frame (ffmpeg would write nothing): each thumbnail's `time` says
 * which frame it shows.
 *
 * A file is sought in (a thumbnail of a long film costs about a GOP of decoding); a Buffer is
 * decoded from its start. A missing file, or bytes that are not media or have no video, reject
 * with an {@link InputError}; a bad time or option with a {@link ConfigError} naming it
 * (`at`, `every`, `width`, `format`).
 *
 * @example
 * ```ts
 * const thumbs = await thumbnails('talk.mp4', { every: 10 }, { width: 320 });
 * thumbs.forEach((t, i) => writeFileSync(`thumb-${String(i + 1).padStart(4, '0')}.jpg`, t.data));
 * ```
 */
export async function thumbnails(input: ThumbnailInput, when: ThumbnailTimes, opts?: ThumbnailOptions): Promise<Thumbnail[]> {
  checkInputValue(input);
  const times = checkTimes(when);
  const checked = checkOptions(opts, OPTION_NAMES, 'thumbnails');
  return (await make(input, times, checked)).thumbnails;
}

/**
 * A sprite sheet of thumbnails (`columns` per row, in time order; each distinct time one tile)
 * and its WebVTT thumbnail track, what web players load for scrub previews:
 *
 * ```
 * WEBVTT
 *
 * 00:00:00.000 --> 00:00:05.000
 * sprite.jpg#xywh=0,0,160,90
 * ```
 *
 * The cues are contiguous: each from its thumbnail's time to the next one's, the first from 0
 * and the last to the end of the input (one interval on when the end is unknown or earlier).
 * Thumbnails are chosen as by {@link thumbnails}, and come back too. A sheet over 65500 pixels
 * on a side (JPEG's limit) is a {@link ConfigError} on `columns`: fewer thumbnails or more
 * columns.
 *
 * @example
 * ```ts
 * const sheet = await thumbnailSprite('in.mp4', { every: 5 }, { columns: 10, name: 'sprite.jpg' });
 * writeFileSync('sprite.jpg', sheet.image);
 * writeFileSync('thumbnails.vtt', sheet.vtt); // <track kind="metadata" label="thumbnails" src="thumbnails.vtt">
 * ```
 */
export async function thumbnailSprite(input: ThumbnailInput, when: ThumbnailTimes, opts: SpriteOptions): Promise<ThumbnailSprite> {
  checkInputValue(input);
  const times = checkTimes(when);
  const checked = checkOptions(opts, SPRITE_OPTION_NAMES, 'thumbnailSprite');
  const columns = positiveInt('columns', (opts as Partial<SpriteOptions>).columns, 1024);
  const name = opts.name ?? `sprite.${checked.format === 'jpeg' ? 'jpg' : 'png'}`;
  if (typeof name !== 'string' || name === '' || /[\r\n]|-->/.test(name)) {
    throw new ConfigError('name', `must be a file name or URL on one line, without "-->" (got ${describe(name)})`);
  }
  const made = await make(input, times, checked, columns);
  const tiles = made.tiles;
  try {
    const { width: tw, height: th } = tiles[0]!.thumb;
    const cols = Math.min(columns, tiles.length);
    const rows = Math.ceil(tiles.length / cols);
    const width = cols * tw;
    const height = rows * th;
    const sheet = await tileSheet(tiles.map((x) => x.scaled!), cols, rows, checked.format);
    const interval = 'every' in times ? times.every : undefined;
    const cues = tiles.map((x, i): SpriteCue => {
      const start = i === 0 ? 0 : x.thumb.requested;
      const next = tiles[i + 1]?.thumb.requested;
      // Past the end, or with no end known: one interval on (`every`, else the gap before it).
      const gap = interval ?? (i > 0 ? x.thumb.requested - tiles[i - 1]!.thumb.requested : 1);
      const end = next ?? (made.end !== undefined && made.end > start ? made.end : start + (gap > 0 ? gap : 1));
      return { start, end, x: (i % cols) * tw, y: Math.floor(i / cols) * th, width: tw, height: th };
    });
    const vtt = ['WEBVTT', '', ...cues.flatMap((c) => [`${vttTime(c.start)} --> ${vttTime(c.end)}`, `${name}#xywh=${c.x},${c.y},${c.width},${c.height}`, ''])].join('\n');
    return { image: sheet, format: checked.format, width, height, columns: cols, rows, name, vtt, cues, thumbnails: tiles.map((x) => x.thumb) };
  } finally {
    for (const x of made.tiles) if (x.scaled) releaseFrame(x.scaled);
  }
}

/** The tiles laid out by FFmpeg's `tile` filter (unused places black), encoded as one image. */
async function tileSheet(frames: Frame[], columns: number, rows: number, format: ThumbnailFormat): Promise<Buffer> {
  const first = frames[0]!;
  const out: Frame[] = [];
  try {
    // The tile filter times its output by its input: the tiles' own pts are thumbnail numbers.
    const graph = await openGraph('video', first, { num: 1, den: 25 }, `tile=${columns}x${rows}`, { pixelFormat: IMAGE_CODEC[format].pixelFormat });
    for (const [i, f] of frames.entries()) {
      f.pts = i;
      out.push(...(await graph.run(f)));
    }
    out.push(...(await graph.end()));
  } catch (err) {
    for (const f of out) releaseFrame(f);
    throw toFFmpegError(`tile ${frames.length} thumbnails`, err);
  }
  const sheet = out[0];
  if (!sheet) throw toFFmpegError(`tile ${frames.length} thumbnails`, new Error('the tile filter gave no frame'));
  try {
    return await encodeImage(openImageEncoder(format, sheet.width, sheet.height), sheet, 0, format);
  } finally {
    for (const f of out) releaseFrame(f);
  }
}
