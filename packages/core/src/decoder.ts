/**
 * The `Decoder` stage: packet envelopes in, frame envelopes out.
 *
 * Protocol
 * - construct: options checked (typed errors); nothing native yet.
 * - a coded stream's descriptor opens its decoder from the descriptor's codec
 *   parameters (and, with `hwaccel`, a device negotiated for video: see
 *   hw-devices.ts; the choice is `decoder.hardware` and a `'hardware'`
 *   event). The descriptor sent on says what the frames are: raw video or PCM,
 *   and, when the video carries a display matrix and `autorotate` is on (the
 *   default, as ffmpeg's), the upright size and no matrix. A stream that is
 *   already raw passes through untouched, descriptor and frames.
 * - transform: each packet is decoded; the frames it completes are pushed
 *   with the decoder's best-effort timestamp (as the ffmpeg command line uses)
 *   and, when turned upright, through a transpose/flip graph opened at the
 *   first frame. The write's callback waits for the native call, so a slow
 *   consumer slows the packets. A packet the decoder refuses (corrupt data)
 *   is skipped, counted in `decodeErrors` and reported as a `'decodeError'`
 *   event, as ffmpeg goes on after "Error while decoding stream";
 *   `onDecodeError: 'fail'` makes it fatal (`-xerror`).
 * - flush: every decoder is drained and its delayed frames pushed before the
 *   end goes on.
 * - destroy: waits for the native call in flight, then drops the decoders.
 *
 * `decodeFile()` runs the same per-stream decoding ({@link StreamDecoder})
 * inside its source, without an object-mode hop between demuxing and
 * decoding.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { ConfigError, toFFmpegError } from './errors.js';
import { cutShort } from './cut-short.js';
import type { Envelope, PacketEnvelope, StreamDescriptor } from './envelopes.js';
import { beamcoder, releaseFrame, type BeamDecoder, type CodecPar, type Frame, type Packet } from './native.js';
import { uprightFilter } from './orientation.js';
import { openGraph, type FilterGraph } from './filters/graph.js';
import type { Rational } from './rational.js';
import { _negotiateDecoder, type DeviceKind, type HardwareDecodeChoice } from './hw-devices.js';

/** Options shared by the {@link Decoder} stage and `decodeFile()`. */
export interface DecodeOptions {
  /** Decoder threads (default 0: automatic). */
  threads?: number;
  /**
   * Decode video on a hardware device: `'auto'` uses CUDA (NVDEC) or VAAPI when one works here
   * and software otherwise; `'cuda'` or `'vaapi'` insist, and decoding fails with a
   * {@link DeviceUnavailableError} carrying the reasons when that device cannot decode;
   * `'none'` (default) is software.
   */
  hwaccel?: 'auto' | DeviceKind | 'none';
  /**
   * A packet the decoder refuses (corrupt data): `'skip'` (default) drops it and goes on, as the
   * ffmpeg command line does, counting it in `decodeErrors` and emitting a `'decodeError'` event
   * with the FFmpegError; `'fail'` ends with that error (ffmpeg's `-xerror`).
   */
  onDecodeError?: 'skip' | 'fail';
  /**
   * Turn video upright by its display matrix (default true, as ffmpeg's autorotate). `false`
   * keeps the pixels as stored and the matrix in the descriptor.
   */
  autorotate?: boolean;
}

/** Options of the {@link Decoder} stage. */
export interface DecoderOptions extends DecodeOptions {
  /** Frames buffered ahead on the readable side (default 4). */
  highWaterMark?: number;
}

/** @internal Checks what {@link DecodeOptions} may hold. */
export function checkDecodeOptions(opts: DecodeOptions): void {
  if (opts.hwaccel !== undefined) {
    const allowed = ['auto', 'cuda', 'vaapi', 'none'];
    if (!allowed.includes(opts.hwaccel)) throw new ConfigError('hwaccel', `must be one of ${allowed.join(', ')}`, allowed);
  }
  if (opts.onDecodeError !== undefined && opts.onDecodeError !== 'skip' && opts.onDecodeError !== 'fail') {
    throw new ConfigError('onDecodeError', `must be 'skip' or 'fail' (got ${JSON.stringify(opts.onDecodeError)})`, ['skip', 'fail']);
  }
  if (opts.threads !== undefined && (!Number.isInteger(opts.threads) || opts.threads < 0)) {
    throw new ConfigError('threads', `must be a whole number ≥ 0 (0: automatic), got ${String(opts.threads)}`);
  }
}

/**
 * The descriptor of a coded stream once decoded: raw video or PCM, and upright when a display
 * matrix is honoured (`upright` is then the filter chain that turns the frames).
 * @internal
 */
export function decodedDescriptor(coded: StreamDescriptor, autorotate: boolean): { descriptor: StreamDescriptor; upright?: string } {
  const codecpar = { ...coded.codecpar, name: coded.kind === 'video' ? 'rawvideo' : 'pcm' };
  // Frames leave already cut: the trim is the decoder's to apply, not to pass on.
  const { displayMatrix, upstream: _upstream, trim: _trim, ...rest } = coded;
  let matrix = displayMatrix;
  let upright: string | undefined;
  if (matrix && autorotate) {
    const up = uprightFilter(matrix);
    upright = up.filter;
    if (up.swapsSize) {
      [codecpar.width, codecpar.height] = [codecpar.height, codecpar.width];
      if (codecpar.sample_aspect_ratio) codecpar.sample_aspect_ratio = [codecpar.sample_aspect_ratio[1], codecpar.sample_aspect_ratio[0]];
    }
    matrix = undefined;
  }
  const descriptor: StreamDescriptor = { ...rest, codecpar, coded: false, ...(matrix ? { displayMatrix: matrix } : {}) };
  return upright ? { descriptor, upright } : { descriptor };
}

/** The decoder's best guess of the presentation time, as the ffmpeg command line uses. */
function bestEffort(f: Frame): void {
  const best = (f as unknown as { best_effort_timestamp?: number | null }).best_effort_timestamp;
  if (best !== null && best !== undefined) f.pts = best;
}

/**
 * One stream's decoding: the codec context, a hardware device when negotiated, the upright
 * graph, and the skip-or-fail policy for refused packets.
 * @internal
 */
export class StreamDecoder {
  readonly hardware: HardwareDecodeChoice | undefined;
  #decoder: BeamDecoder | undefined;
  #upright: { spec: string; graph?: FilterGraph } | undefined;
  readonly #track: <T>(p: Promise<T>) => Promise<T>;
  readonly #trim: StreamDescriptor['trim'];

  /**
   * @param params the stream's native codec parameters (a demuxer's stream's, or made from a descriptor's)
   * @param label names the stream in errors
   * @param track registers each native call, so that the owner's destroy can wait for it
   */
  constructor(
    params: CodecPar,
    readonly kind: 'video' | 'audio',
    readonly timeBase: Rational,
    readonly label: string,
    opts: DecodeOptions,
    upright: string | undefined,
    track: <T>(p: Promise<T>) => Promise<T>,
    trim?: StreamDescriptor['trim'],
  ) {
    this.#track = track;
    this.#trim = trim;
    // The packets' time base, as the ffmpeg command line sets it: FFmpeg moves a frame's pts
    // past the samples it drops (an MP3's encoder delay, AAC priming) only when it knows it.
    const args: Record<string, unknown> = { params, thread_count: opts.threads ?? 0, pkt_timebase: [timeBase.num, timeBase.den] };
    const hwaccel = opts.hwaccel ?? 'none';
    if (kind === 'video' && hwaccel !== 'none') {
      const choice = _negotiateDecoder(String((params as unknown as { name: string }).name), hwaccel);
      this.hardware = choice;
      if (choice.context) Object.assign(args, { hwaccel: true, hw_device_ctx: choice.context });
    }
    try {
      this.#decoder = beamcoder().decoder(args as never);
    } catch (err) {
      throw toFFmpegError(`open decoder (${label})`, err);
    }
    if (upright) this.#upright = { spec: upright };
  }

  /**
   * Decodes packets (one call for all of them: the addon decodes them in turn and lists those it
   * refused). Frames come back with best-effort times, upright when asked.
   */
  async decode(packets: Packet[]): Promise<{ frames: Frame[]; errors: Error[] }> {
    let res: { frames: Frame[]; errors?: Array<{ packet: number; message: string }> };
    try {
      res = await this.#track(this.#decoder!.decode(packets));
    } catch (err) {
      return { frames: [], errors: [err instanceof Error ? err : new Error(String(err))] };
    }
    const errors = (res.errors ?? []).map((e) => new Error(e.message));
    return { frames: await this.#finish(res.frames), errors };
  }

  /** Drains the decoder: its delayed frames. */
  async flush(): Promise<Frame[]> {
    let res;
    try {
      res = await this.#track(this.#decoder!.flush());
    } catch (err) {
      throw toFFmpegError(`drain decoder (${this.label})`, err);
    }
    return this.#finish(res.frames);
  }

  /**
   * The frames inside the trim; the others (decoded only to reach the first one) are released.
   * An audio frame that starts before the cut is dropped whole: audio starts up to one frame
   * (about 21 ms of AAC) after it.
   */
  #cut(frames: Frame[]): Frame[] {
    const { from, to } = this.#trim!;
    const kept: Frame[] = [];
    for (const f of frames) {
      const pts = f.pts === null || f.pts === undefined ? undefined : BigInt(f.pts);
      if (pts !== undefined && ((from !== undefined && pts < from) || (to !== undefined && pts >= to))) releaseFrame(f);
      else kept.push(f);
    }
    return kept;
  }

  /** The FFmpegError for a refused packet. */
  decodeError(err: unknown): Error {
    return toFFmpegError(`decode ${this.label}`, err);
  }

  release(): void {
    this.#decoder = undefined;
    this.#upright = undefined;
  }

  async #finish(decoded: Frame[]): Promise<Frame[]> {
    for (const f of decoded) bestEffort(f);
    const frames = this.#trim ? this.#cut(decoded) : decoded;
    const up = this.#upright;
    if (!up) return frames;
    const out: Frame[] = [];
    for (const f of frames) {
      try {
        up.graph ??= await this.#track(openGraph('video', f, this.timeBase, up.spec, { pixelFormat: f.format as string }));
        out.push(...(await this.#track(up.graph.run(f))));
      } catch (err) {
        throw toFFmpegError(`turn ${this.label} upright (${up.spec})`, err);
      }
      releaseFrame(f);
    }
    return out;
  }
}

/** Native codec parameters from a descriptor's plain ones. */
function nativeParams(desc: StreamDescriptor): CodecPar {
  const plain = { ...desc.codecpar } as Record<string, unknown>;
  try {
    return (beamcoder() as unknown as { codecParameters(p: object): CodecPar }).codecParameters(plain);
  } catch (err) {
    throw toFFmpegError(`codec parameters of stream ${desc.streamId} (${desc.codecpar.name})`, err);
  }
}

/**
 * Decodes packet envelopes into frame envelopes.
 *
 * @example
 * ```ts
 * await pipeline(req, new Demuxer(), new Decoder(), new Scaler({ width: 640 }), new Encoder(cfg), new Rescaler(), new Muxer({ format: 'mp4', output: 'out.mp4' }));
 * ```
 */
export class Decoder extends Transform {
  readonly #opts: DecoderOptions;
  readonly #streams = new Map<number, StreamDecoder | 'raw'>();
  #inflight: Promise<unknown> | undefined;
  /** The hardware decode negotiation's outcome (with `hwaccel`), once a video decoder is open. */
  hardware: HardwareDecodeChoice | undefined;
  /** Packets the decoders refused and that were skipped (see `onDecodeError`). */
  decodeErrors = 0;

  constructor(opts: DecoderOptions = {}) {
    // Packets queue on the writable side while a decode runs, so _writev can hand the audio
    // packets among them to one native call.
    super({ objectMode: true, readableHighWaterMark: opts.highWaterMark ?? 4, writableHighWaterMark: 16 });
    checkDecodeOptions(opts);
    this.#opts = opts;
  }

  #track = <T>(p: Promise<T>): Promise<T> => {
    this.#inflight = p.catch(() => undefined);
    return p;
  };

  override _transform(env: Envelope, _enc: BufferEncoding, cb: TransformCallback): void {
    this.#handle(env).then(() => cb(), (err: unknown) => cb(err instanceof Error ? err : new Error(String(err))));
  }

  /**
   * Several queued writes at once: consecutive packets of one audio stream go to the decoder in
   * one call (a trip to libuv's pool costs more than decoding an AAC frame); the rest one by one.
   * As Transform does for a single write, the callback waits while the readable side is full.
   */
  override _writev(chunks: Array<{ chunk: Envelope }>, cb: (err?: Error | null) => void): void {
    (async () => {
      const envs = chunks.map((c) => c.chunk);
      for (let i = 0; i < envs.length && !this.destroyed; ) {
        const env = envs[i]!;
        const dec = env.type === 'packet' ? this.#streams.get(env.streamId) : undefined;
        let j = i + 1;
        if (dec instanceof StreamDecoder && dec.kind === 'audio' && this.#opts.onDecodeError !== 'fail') {
          while (j < envs.length && envs[j]!.type === 'packet' && envs[j]!.streamId === env.streamId) j++;
        }
        if (j - i > 1) await this.#decodeRun(dec as StreamDecoder, env.streamId, envs.slice(i, j).map((e) => (e as PacketEnvelope).packet));
        else await this.#handle(env);
        i = j;
      }
    })().then(() => {
      if (this.readableLength < this.readableHighWaterMark || this.destroyed) cb();
      else this.#held = () => cb();
    }, (err: unknown) => cb(err instanceof Error ? err : new Error(String(err))));
  }

  #held: (() => void) | undefined;

  override _read(size: number): void {
    const held = this.#held;
    this.#held = undefined;
    held?.();
    super._read(size);
  }

  async #handle(env: Envelope): Promise<void> {
    if (env.type === 'stream') {
      // Raw streams, and subtitles (carried as packets, never decoded here), pass as they are.
      if (!env.coded || env.kind === 'subtitle') {
        this.#streams.set(env.streamId, 'raw');
        this.push(env);
        return;
      }
      const { descriptor, upright } = decodedDescriptor(env, this.#opts.autorotate !== false);
      const kind = env.kind;
      const dec = new StreamDecoder(nativeParams(env), kind, env.timeBase, `stream ${env.streamId} (${env.codecpar.name})`, this.#opts, upright, this.#track, env.trim);
      if (dec.hardware) {
        this.hardware = dec.hardware;
        this.emit('hardware', dec.hardware);
      }
      const before = this.#streams.get(env.streamId);
      if (before instanceof StreamDecoder) before.release();
      this.#streams.set(env.streamId, dec);
      this.push(descriptor);
      return;
    }
    const dec = this.#streams.get(env.streamId);
    if (dec === undefined) throw new ConfigError('input', `stream ${env.streamId}: a ${env.type} arrived before its stream descriptor`);
    if (dec === 'raw' || env.type === 'frame') {
      this.push(env);
      return;
    }
    await this.#decodeRun(dec, env.streamId, [(env as PacketEnvelope).packet]);
  }

  async #decodeRun(dec: StreamDecoder, streamId: number, packets: Packet[]): Promise<void> {
    const { frames, errors } = await dec.decode(packets);
    if (this.destroyed) return;
    for (const e of errors) this.#refused(dec, e);
    for (const frame of frames) this.push({ type: 'frame', kind: dec.kind, frame, streamId, timeBase: dec.timeBase } satisfies Envelope);
  }

  #refused(dec: StreamDecoder, err: unknown): void {
    const error = dec.decodeError(err);
    if (this.#opts.onDecodeError === 'fail') throw error;
    this.decodeErrors++;
    this.emit('decodeError', error);
  }

  override _flush(cb: TransformCallback): void {
    (async () => {
      for (const [streamId, dec] of this.#streams) {
        if (dec === 'raw') continue;
        const frames = await dec.flush();
        if (this.destroyed) return;
        for (const frame of frames) this.push({ type: 'frame', kind: dec.kind, frame, streamId, timeBase: dec.timeBase } satisfies Envelope);
      }
    })().then(() => cb(), (err: unknown) => cb(err instanceof Error ? err : new Error(String(err))));
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    (this.#inflight ?? Promise.resolve()).then(() => {
      for (const dec of this.#streams.values()) if (dec !== 'raw') dec.release();
      this.#streams.clear();
      cb(err ?? cutShort(this));
    });
  }
}
