/**
 * `testPattern()`: the built-in source. Moving colour bars and a sine tone
 * with exact timestamps, fast enough never to be a pipeline's bottleneck.
 *
 * Protocol
 * - construct: validates the options (typed {@link ConfigError}s) and renders
 *   once, in memory, a picture twice the output height whose content repeats
 *   vertically every `height` rows. Each plane is contiguous, so frame `n` is
 *   the window starting `n·step` rows down: one memcpy per plane into a fresh
 *   FFmpeg-owned frame, plus a small moving box drawn on top. (Generating the
 *   pattern through FFmpeg's lavfi input runs at a fifth of the speed.)
 * - read: emits one {@link StreamDescriptor} per stream, then frames of both
 *   streams interleaved by presentation time. Video pts counts frames in
 *   1/frameRate; audio pts counts samples in 1/sampleRate — both exact.
 * - end: after `duration` seconds or `frames` video frames (the audio ends at
 *   the same instant; its last frame may be shorter); no end if neither is given.
 * - destroy: nothing native is held between reads.
 *
 * With `realtime: true` frames are released no faster than the wall clock, as
 * a camera or a live encoder's input would be.
 */
import { Readable } from 'node:stream';
import { ConfigError } from '../errors.js';
import type { FrameEnvelope, StreamDescriptor } from '../envelopes.js';
import { beamcoder } from '../native.js';
import { compareTs, invert, rescale, type Rational } from '../rational.js';
import { frameRate as checkFrameRate, nonNegativeNumber, oneOf, positiveInt } from '../validate.js';
import { cutShort } from '../cut-short.js';

/** Pixel formats the test pattern renders. */
export const TEST_PATTERN_PIXEL_FORMATS = ['yuv420p', 'yuvj420p', 'nv12', 'yuv422p', 'yuv444p'] as const;
export type TestPatternPixelFormat = (typeof TEST_PATTERN_PIXEL_FORMATS)[number];

/** Options of {@link testPattern}. */
export interface TestPatternOptions {
  video?: {
    width: number;
    height: number;
    /** Frames per second: 25, 29.97, [30000, 1001]. */
    frameRate: number | readonly [number, number] | { num: number; den: number };
    pixelFormat?: TestPatternPixelFormat;
  };
  audio?: {
    sampleRate: number;
    channels: number;
    /** Tone frequency in whole Hz, up to half the sample rate (default 1000; 0 is silence). */
    frequency?: number;
    /** Samples per frame (default 1024). */
    samplesPerFrame?: number;
  };
  /** Length in seconds. */
  duration?: number;
  /** Length in video frames (or audio frames when there is no video). */
  frames?: number;
  /** Release frames no faster than real time. */
  realtime?: boolean;
  /** Readable high-water mark, in frames (default 2: 1080p frames are 3 MB each). */
  highWaterMark?: number;
}

interface Plane {
  data: Buffer;
  linesize: number;
  rows: number; // rows in one output frame
  step: number; // rows the window moves per frame
}

const VIDEO_ID = 0;
const AUDIO_ID = 1;

/** 75% colour bars in BT.601 limited range: white, yellow, cyan, green, magenta, red, blue. */
const BARS: ReadonlyArray<readonly [number, number, number]> = [
  [180, 128, 128],
  [162, 44, 142],
  [131, 156, 44],
  [112, 72, 58],
  [84, 184, 198],
  [65, 100, 212],
  [35, 212, 114],
];

/** A FrameSource: a Readable of {@link StreamDescriptor}s then {@link FrameEnvelope}s. */
export class TestPatternSource extends Readable {
  /** The descriptors this source announces, video first. */
  readonly streams: readonly StreamDescriptor[];
  readonly #video: { w: number; h: number; rate: Rational; tb: Rational; fmt: TestPatternPixelFormat; planes: Plane[]; total: bigint | undefined } | undefined;
  readonly #audio: { rate: number; channels: number; freq: number; spf: number; tb: Rational; total: bigint | undefined; layout: string } | undefined;
  #vNext = 0n; // next video frame index
  #aNext = 0n; // next audio sample index
  #announced = 0;
  #startedAt: number | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: TestPatternOptions) {
    super({ objectMode: true, highWaterMark: opts.highWaterMark ?? 2 });
    if (!opts.video && !opts.audio) throw new ConfigError('testPattern', 'needs video, audio or both');
    let seconds: number | undefined;
    if (opts.duration !== undefined) seconds = nonNegativeNumber('duration', opts.duration);
    if (opts.frames !== undefined) positiveInt('frames', opts.frames, Number.MAX_SAFE_INTEGER);
    if (seconds !== undefined && opts.frames !== undefined) throw new ConfigError('duration', 'give duration or frames, not both');
    const streams: StreamDescriptor[] = [];

    if (opts.video) {
      const v = opts.video;
      const w = positiveInt('video.width', v.width, 16384);
      const h = positiveInt('video.height', v.height, 16384);
      const rate = checkFrameRate('video.frameRate', v.frameRate);
      const fmt = oneOf('video.pixelFormat', v.pixelFormat ?? 'yuv420p', TEST_PATTERN_PIXEL_FORMATS);
      if (fmt !== 'yuv444p' && w % 2 !== 0) throw new ConfigError('video.width', `must be even for ${fmt} (got ${w})`);
      if ((fmt === 'yuv420p' || fmt === 'yuvj420p' || fmt === 'nv12') && h % 2 !== 0) {
        throw new ConfigError('video.height', `must be even for ${fmt} (got ${h})`);
      }
      const tb = invert(rate);
      let total: bigint | undefined;
      if (opts.frames !== undefined) total = BigInt(opts.frames);
      else if (seconds !== undefined) total = secondsTo(seconds, tb);
      this.#video = { w, h, rate, tb, fmt, planes: renderPlanes(w, h, fmt), total };
      streams.push({
        type: 'stream', streamId: VIDEO_ID, kind: 'video', timeBase: tb, frameRate: rate, coded: false,
        codecpar: { codec_type: 'video', name: 'rawvideo', format: fmt, width: w, height: h, sample_aspect_ratio: [1, 1] },
        ...(total !== undefined ? { duration: total } : {}),
      });
    }
    if (opts.audio) {
      const a = opts.audio;
      const rate = positiveInt('audio.sampleRate', a.sampleRate, 768_000);
      const channels = positiveInt('audio.channels', a.channels, 8);
      const freq = a.frequency === undefined ? 1000 : a.frequency === 0 ? 0 : positiveInt('audio.frequency', a.frequency, rate / 2);
      const spf = a.samplesPerFrame === undefined ? 1024 : positiveInt('audio.samplesPerFrame', a.samplesPerFrame, 1 << 20);
      const tb = { num: 1, den: rate };
      let total: bigint | undefined;
      if (this.#video?.total !== undefined) total = rescale(this.#video.total, this.#video.tb, tb);
      else if (opts.frames !== undefined) total = BigInt(opts.frames) * BigInt(spf);
      else if (seconds !== undefined) total = secondsTo(seconds, tb);
      const layout = defaultLayout(channels);
      this.#audio = { rate, channels, freq, spf, tb, total, layout };
      streams.push({
        type: 'stream', streamId: AUDIO_ID, kind: 'audio', timeBase: tb, coded: false,
        codecpar: { codec_type: 'audio', name: 'pcm_f32le', format: 'fltp', sample_rate: rate, channels, channel_layout: layout },
        ...(total !== undefined ? { duration: total } : {}),
      });
    }
    this.streams = streams;
    this.#realtime = opts.realtime === true;
  }

  readonly #realtime: boolean;

  override _read(): void {
    // Produce on the macrotask queue: beamcoder's frames are freed by N-API
    // finalizers that run from setImmediate, and a consumer that only awaits
    // (for await, RxJS) would otherwise never let them run: 3 MB per 1080p
    // frame would pile up until the source ended.
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      if (!this.destroyed) this.#produce();
    });
  }

  #scheduled = false;

  #produce(): void {
    while (this.#announced < this.streams.length) {
      if (!this.push(this.streams[this.#announced++])) return;
    }
    // A consumer that takes each frame synchronously never makes push() answer false, and this
    // loop would then make every frame in one turn, with none of their native memory freed (the
    // finalizers wait for setImmediate): 100,000 64x36 frames into a plain Writable took RSS to
    // 867 MB. A turn makes at most a buffer's worth, then yields to the event loop.
    for (let made = 0; ; made++) {
      const next = this.#nextKind();
      if (next === undefined) {
        this.push(null);
        return;
      }
      if (this.#realtime && this.#waitForClock(next)) return;
      if (made >= this.readableHighWaterMark) {
        this._read();
        return;
      }
      const env = next === 'video' ? this.#videoFrame() : this.#audioFrame();
      if (!this.push(env)) return;
    }
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (this.#timer) clearTimeout(this.#timer);
    cb(err ?? cutShort(this));
  }

  /** Which stream's frame comes next in presentation order, or undefined at the end. */
  #nextKind(): 'video' | 'audio' | undefined {
    const v = this.#video;
    const a = this.#audio;
    const vLeft = v && (v.total === undefined || this.#vNext < v.total);
    const aLeft = a && (a.total === undefined || this.#aNext < a.total);
    if (vLeft && aLeft) return compareTs(this.#vNext, v.tb, this.#aNext, a.tb) <= 0 ? 'video' : 'audio';
    if (vLeft) return 'video';
    if (aLeft) return 'audio';
    return undefined;
  }

  /** In realtime mode: true (and a timer set) when the next frame is not due yet. */
  #waitForClock(kind: 'video' | 'audio'): boolean {
    const now = performance.now();
    this.#startedAt ??= now;
    const t = kind === 'video' ? this.#vNext : this.#aNext;
    const tb = kind === 'video' ? this.#video!.tb : this.#audio!.tb;
    const dueMs = Number(rescale(t, tb, { num: 1, den: 1000 }));
    const wait = this.#startedAt + dueMs - now;
    if (wait <= 0) return false;
    if (!this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        if (!this.destroyed) this.#produce();
      }, Math.ceil(wait));
    }
    return true;
  }

  #videoFrame(): FrameEnvelope {
    const v = this.#video!;
    const n = this.#vNext++;
    const bc = beamcoder();
    const frame = bc.frame({ width: v.w, height: v.h, format: v.fmt, pts: Number(n), sample_aspect_ratio: [1, 1] }).alloc();
    const data = frame.data;
    const phase = Number(n % BigInt(v.h));
    v.planes.forEach((p, i) => {
      const off = ((phase * p.step) % p.rows) * p.linesize;
      const target = data[i]!;
      p.data.copy(target, 0, off, off + Math.min(target.length, p.linesize * p.rows));
    });
    // The planes' Buffers, taken once: each set holds a reference to the frame's buffers until it is
    // collected, after the frame itself was released.
    drawBox(data, v.planes, v.w, v.h, v.fmt, Number(n));
    return { type: 'frame', kind: 'video', frame, streamId: VIDEO_ID, timeBase: v.tb };
  }

  #audioFrame(): FrameEnvelope {
    const a = this.#audio!;
    const start = this.#aNext;
    let count = a.spf;
    if (a.total !== undefined && a.total - start < BigInt(count)) count = Number(a.total - start);
    this.#aNext += BigInt(count);
    const bc = beamcoder();
    const frame = bc.frame({
      format: 'fltp', sample_rate: a.rate, channels: a.channels, channel_layout: a.layout,
      nb_samples: count, pts: Number(start),
    }).alloc();
    const data = frame.data;
    // Phase from the exact sample index, so the tone never drifts however long it runs.
    const period = a.freq > 0 ? a.rate / a.freq : Infinity;
    const base = Number(start % BigInt(Math.max(1, Math.round(a.rate)))) ;
    const amp = 0.25;
    for (let c = 0; c < a.channels; c++) {
      const buf = data[c]!;
      const f32 = new Float32Array(buf.buffer, buf.byteOffset, count);
      for (let i = 0; i < count; i++) f32[i] = period === Infinity ? 0 : amp * Math.sin((2 * Math.PI * (base + i)) / period);
    }
    return { type: 'frame', kind: 'audio', frame, streamId: AUDIO_ID, timeBase: a.tb };
  }
}

/**
 * A FrameSource of moving colour bars and a sine tone.
 *
 * @example
 * ```ts
 * const src = testPattern({ video: { width: 1280, height: 720, frameRate: 25 },
 *                           audio: { sampleRate: 48000, channels: 2 }, duration: 10 });
 * ```
 */
export function testPattern(opts: TestPatternOptions): TestPatternSource {
  return new TestPatternSource(opts);
}

function secondsTo(seconds: number, tb: Rational): bigint {
  // Seconds arrive as a float; go through milliseconds to stay exact for the usual values.
  const ms = BigInt(Math.round(seconds * 1000));
  return rescale(ms, { num: 1, den: 1000 }, tb);
}

function defaultLayout(channels: number): string {
  return ['mono', 'stereo', '2.1', '4.0', '5.0', '5.1', '6.1', '7.1'][channels - 1] ?? `${channels} channels`;
}

/** Render planes twice the frame height, repeating every `h` rows, so any window of `h` rows is a frame. */
function renderPlanes(w: number, h: number, fmt: TestPatternPixelFormat): Plane[] {
  const probe = beamcoder().frame({ width: w, height: h, format: fmt }).alloc();
  const linesize = probe.linesize;
  const cw = fmt === 'yuv444p' ? w : w / 2;
  const ch = fmt === 'yuv422p' || fmt === 'yuv444p' ? h : h / 2;
  const full = fmt === 'yuvj420p';
  const lumaAt = (x: number, y: number): number => {
    const bar = BARS[Math.min(6, Math.floor((x * 7) / w))]!;
    // A band of diagonal stripes a quarter of the height tall makes the vertical motion visible.
    const yy = y % h;
    const band = yy < h / 4 ? ((x + yy) >> 3) & 1 : 0;
    let yv = band ? 235 - bar[0] + 16 : bar[0];
    if (full) yv = Math.round(((yv - 16) * 255) / 219);
    return yv;
  };
  const chromaAt = (x: number, i: 1 | 2): number => {
    const bar = BARS[Math.min(6, Math.floor((x * 7) / cw))]!;
    return bar[i];
  };
  // Rendered row by row, then copied: every row below the striped band is the same, and so is
  // every chroma row (a pixel-by-pixel loop took ~80 ms of a 720p source's startup).
  const y = Buffer.alloc(linesize[0]! * h * 2 + 64);
  const plain = Buffer.alloc(w);
  for (let x = 0; x < w; x++) plain[x] = lumaAt(x, h - 1);
  for (let r = 0; r < 2 * h; r++) {
    const row = r * linesize[0]!;
    if (r % h >= h / 4) plain.copy(y, row);
    else for (let x = 0; x < w; x++) y[row + x] = lumaAt(x, r);
  }
  // Luma moves two rows a frame; 4:2:0 chroma one, so both stay aligned.
  const planes: Plane[] = [{ data: y, linesize: linesize[0]!, rows: h, step: 2 }];
  const chromaStep = ch === h ? 2 : 1;
  if (fmt === 'nv12') {
    const uv = Buffer.alloc(linesize[1]! * ch * 2 + 64);
    const line = Buffer.alloc(2 * cw);
    for (let x = 0; x < cw; x++) {
      line[2 * x] = chromaAt(x, 1);
      line[2 * x + 1] = chromaAt(x, 2);
    }
    for (let r = 0; r < 2 * ch; r++) line.copy(uv, r * linesize[1]!);
    planes.push({ data: uv, linesize: linesize[1]!, rows: ch, step: chromaStep });
  } else {
    for (const i of [1, 2] as const) {
      const p = Buffer.alloc(linesize[i]! * ch * 2 + 64);
      const line = Buffer.alloc(cw);
      for (let x = 0; x < cw; x++) line[x] = chromaAt(x, i);
      for (let r = 0; r < 2 * ch; r++) line.copy(p, r * linesize[i]!);
      planes.push({ data: p, linesize: linesize[i]!, rows: ch, step: chromaStep });
    }
  }
  return planes;
}

/** A white box moving left to right across the middle, redrawn on each frame. */
function drawBox(data: Buffer[], planes: readonly Plane[], w: number, h: number, fmt: TestPatternPixelFormat, n: number): void {
  const size = Math.max(2, (Math.floor(Math.min(w, h) / 8) >> 1) << 1);
  const x0 = ((n * 8) % Math.max(2, w - size)) & ~1;
  const y0 = ((h - size) >> 2) << 1;
  const ls = planes.map((p) => p.linesize);
  const white = fmt === 'yuvj420p' ? 255 : 235;
  for (let r = y0; r < y0 + size; r++) data[0]!.fill(white, r * ls[0]! + x0, r * ls[0]! + x0 + size);
  const sub = fmt === 'yuv444p' ? 0 : 1;
  const vsub = fmt === 'yuv422p' || fmt === 'yuv444p' ? 0 : 1;
  const cx0 = x0 >> sub;
  const cs = size >> sub;
  for (let r = y0 >> vsub; r < (y0 + size) >> vsub; r++) {
    if (fmt === 'nv12') data[1]!.fill(128, r * ls[1]! + 2 * cx0, r * ls[1]! + 2 * (cx0 + cs));
    else {
      data[1]!.fill(128, r * ls[1]! + cx0, r * ls[1]! + cx0 + cs);
      data[2]!.fill(128, r * ls[2]! + cx0, r * ls[2]! + cx0 + cs);
    }
  }
}
