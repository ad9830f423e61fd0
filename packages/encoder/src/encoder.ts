/**
 * The Encoder stage: frame envelopes in; a stream descriptor per output
 * stream, then packet envelopes out.
 *
 * Configuration
 * - construct: the config is validated and each codec name resolved to an
 *   encoder before anything native exists (→ `initialized`). A bad value is a
 *   ConfigError thrown by the constructor.
 * - Each configured kind gets one FFmpeg encoder per input stream, opened from
 *   the stream's descriptor or its first frame (fields left out of the config
 *   come from there; fields given are checked against the frames). Threads
 *   default to FFmpeg's automatic count, as the ffmpeg command line does.
 *
 * Data processing
 * - Frames go through a {@link CodecPump} per codec: the write callback waits
 *   until the codec took the frame; a full readable side pauses the codec.
 *   Video in a pixel format the codec is not set for (10-bit, 4:2:2, 4:4:4
 *   into 8-bit 4:2:0, the default) is converted through swscale first.
 *   A video frame is made a keyframe when a request says so: the config's
 *   `forceKeyframes`, or a Muxer's need (HLS/DASH segment boundaries) that
 *   reached the Encoder through the `upstream` of the descriptors it sent.
 *   Video pts stay in the input's time base, so a variable-rate input keeps
 *   every frame's time (a configured frameRate counts in 1/frameRate); audio
 *   is converted to the encoder's format and re-chunked to its frame size with
 *   exact sample-counted timestamps. Video encodes run on libuv's pool; an
 *   audio frame's encode, which costs about what a trip there does, runs on
 *   this thread (as ffmpeg encodes audio on its main thread) while it takes
 *   under a millisecond on average. A video frame
 *   handed in is consumed:
 *   its buffers are released once the codec has its own reference.
 * - The descriptor of a stream can only be complete once its codec has opened
 *   (x264 makes its extradata at the first frame), and a muxer must know every
 *   stream before its first packet, so packets are held back until each
 *   expected stream has been described — this lasts a frame or two.
 * - Frames of a kind with no config are dropped, with their descriptors.
 *
 * Shutdown
 * - end of input (`_final`) → `draining`: every codec is flushed (null frame,
 *   receive until EOF) and every packet pushed before the readable side ends
 *   (→ `closed`).
 * - destroy: waits for the native call in flight, then drops each codec once
 *   (→ `error` if it carried an error, then `closed`). `close()` is an
 *   idempotent, awaitable destroy.
 */
import {
  CodecPump, CodecStage, ConfigError, FFmpegError, InputError, Lifecycle, beamcoder, codecParametersFrom, releaseFrame,
  equalRational, invert, rescale, toTuple, NOPTS, type BeamEncoder, type Envelope, type FrameEnvelope, type MediaKind,
  type PacketEnvelope, type Rational, type StreamDescriptor, type TransitionTable, type Frame, type Packet,
  type KeyframeRequest,
} from '@beamflow/core';
import {
  BatchPort, InlineBudget, layoutChannels, defaultChannelLayout, openAudioProcessor, toFFmpegError, validate, openGraph,
  type FrameProcessor, type FilterGraph,
} from '@beamflow/core/internal';
import { hwEncoderParams, negotiate, type HardwareChoice } from '@beamflow/hw';
import { KeyframeSchedule, checkRequest } from './keyframes.js';
import {
  encoderInfo, resolveSoftwareEncoder, validateAudio, validateVideo,
  type EncoderConfig, type EncoderInfo, type AudioEncoderConfig, type VideoEncoderConfig,
} from './encoder-config.js';

/** States of an Encoder (from the encoder lifecycle reference). */
export type EncoderState = 'created' | 'initialized' | 'headerWritten' | 'encoding' | 'draining' | 'closed' | 'error';

/** The Encoder's transition table. */
export const ENCODER_TRANSITIONS: TransitionTable<EncoderState> = {
  created: ['initialized', 'error', 'closed'],
  initialized: ['headerWritten', 'draining', 'error', 'closed'],
  headerWritten: ['encoding', 'draining', 'error', 'closed'],
  encoding: ['draining', 'error', 'closed'],
  draining: ['closed', 'error'],
  error: ['closed'],
  closed: [],
};

/** What a progress bar needs. */
export interface EncoderStats {
  /** Frames taken, video and audio together. */
  framesIn: number;
  /** Video frames taken. */
  videoFramesIn: number;
  packetsOut: number;
  bytesOut: number;
  /**
   * Frames per wall-clock second since the first frame: video frames when there is video (as the
   * ffmpeg command line's fps=), otherwise audio frames.
   */
  fps: number;
  /** Media time encoded per wall-clock second (1 = real time). */
  speed: number;
  /** Media time taken so far, in seconds: the latest frame's time from the input's first frame. */
  time: number;
  /** Total media duration in seconds, when the source announced it. */
  duration: number | undefined;
  /** Wall-clock seconds since the first frame. */
  elapsed: number;
}

interface CodecSlot {
  kind: MediaKind;
  streamId: number;
  info: EncoderInfo;
  enc: BeamEncoder | undefined;
  timeBase: Rational;
  inputTimeBase: Rational;
  pump: CodecPump<FrameEnvelope, Envelope>;
  described: boolean;
  audio?: FrameProcessor;
  width?: number;
  height?: number;
  pixelFormat?: string;
  /** The pixel format of the stream's frames, when it differs from the codec's: they are converted. */
  inputFormat?: string;
  convert?: FilterGraph;
  nextPts: bigint;
  keyframes?: KeyframeSchedule;
  /** Nominal frame rate (video): what the descriptor announces and rate control assumes. */
  frameRate?: Rational;
  /** fpsMode 'cfr': FFmpeg's fps filter, opened at the first frame, and where the input ends. */
  cfr?: { graph?: FilterGraph; endPts?: bigint };
  /** Audio: where the next encode runs, from the codec's measured time per call. */
  budget?: InlineBudget;
}

/**
 * Encode frames into packets.
 *
 * @example
 * ```ts
 * await pipeline(
 *   testPattern({ video: { width: 1280, height: 720, frameRate: 25 }, audio: { sampleRate: 48000, channels: 2 }, duration: 10 }),
 *   new Encoder({ video: { codec: 'h264', preset: 'veryfast', crf: 23 }, audio: { codec: 'aac', bitRate: 128_000 } }),
 *   new Rescaler(),
 *   new Muxer({ format: 'mp4', output: 'out.mp4' }),
 * );
 * ```
 */
export class Encoder extends CodecStage<Envelope, Envelope> {
  readonly config: EncoderConfig;
  readonly #life = new Lifecycle<EncoderState>('created', ENCODER_TRANSITIONS, 'Encoder');
  #videoInfo: EncoderInfo | undefined;
  /** The hardware negotiation's outcome, when `hwDevice` asked for one (its `rejected` list says why each device lost). */
  hardware: HardwareChoice | undefined;
  readonly #audioInfo: EncoderInfo | undefined;
  readonly #slots = new Map<number, CodecSlot>();
  readonly #inputs = new Map<number, StreamDescriptor>();
  readonly #held: Envelope[] = [];
  #firstFrameAt: number | undefined;
  #lastStatsAt: number | undefined;
  #latestTime = 0;
  #startTime: number | undefined;
  readonly #started = new Set<number>();
  #stats = { framesIn: 0, videoFramesIn: 0, packetsOut: 0, bytesOut: 0 };
  #closePromise: Promise<void> | undefined;
  readonly #keyRequests: KeyframeRequest[] = [];

  constructor(config: EncoderConfig) {
    super({ writableHighWaterMark: 2, readableHighWaterMark: 32 });
    this.#life.on('state', (c) => this.emit('state', c));
    if (typeof config !== 'object' || config === null) throw new ConfigError('config', 'must be an object with video and/or audio');
    if (!config.video && !config.audio) throw new ConfigError('config', 'needs video, audio or both');
    this.config = config;
    if (config.video) {
      if (typeof config.video.codec !== 'string') throw new ConfigError('video.codec', 'must be a codec or encoder name');
      const hw = config.video.hwDevice;
      if (hw !== undefined) validate.oneOf('video.hwDevice', hw, ['auto', 'cuda', 'vaapi', 'none'] as const);
      this.#videoInfo = resolveSoftwareEncoder('video.codec', config.video.codec, 'video');
      validateVideo(config.video, this.#videoInfo);
    }
    if (config.audio) {
      if (typeof config.audio.codec !== 'string') throw new ConfigError('audio.codec', 'must be a codec or encoder name');
      this.#audioInfo = resolveSoftwareEncoder('audio.codec', config.audio.codec, 'audio');
      validateAudio(config.audio, this.#audioInfo);
    }
    if (config.statsInterval !== undefined) validate.nonNegativeNumber('statsInterval', config.statsInterval);
    this.#life.to('initialized');
  }

  /** The current lifecycle state. */
  get state(): EncoderState {
    return this.#life.state;
  }

  /** The encoder names in use, once resolved: `{ video: 'libx264', audio: 'aac' }`. */
  get encoders(): { video?: string; audio?: string } {
    return { ...(this.#videoInfo ? { video: this.#videoInfo.name } : {}), ...(this.#audioInfo ? { audio: this.#audioInfo.name } : {}) };
  }

  /** Counters and rates so far. Correct for inputs of unknown length (duration is then undefined). */
  stats(): EncoderStats {
    const elapsed = this.#firstFrameAt === undefined ? 0 : (performance.now() - this.#firstFrameAt) / 1000;
    let duration: number | undefined;
    for (const d of this.#inputs.values()) {
      if (d.duration !== undefined) {
        const s = (Number(d.duration) * d.timeBase.num) / d.timeBase.den;
        duration = Math.max(duration ?? 0, s);
      }
    }
    return {
      ...this.#stats,
      fps: elapsed > 0 ? (this.#stats.videoFramesIn || this.#stats.framesIn) / elapsed : 0,
      speed: elapsed > 0 ? this.#encodedTime() / elapsed : 0,
      time: this.#encodedTime(),
      duration,
      elapsed,
    };
  }

  #encodedTime(): number {
    return this.#startTime === undefined ? 0 : Math.max(0, this.#latestTime - this.#startTime);
  }

  /**
   * Ask for keyframes on every video stream (as `video.forceKeyframes` does) from the next
   * frame on. A Muxer writing HLS or DASH calls this through the descriptor's `upstream`.
   */
  requestKeyframes(request: KeyframeRequest): void {
    checkRequest(request, 'request');
    this.#keyRequests.push(request);
    for (const slot of this.#slots.values()) slot.keyframes?.add(request);
  }

  /** Destroy the stage and wait until its native resources are released. Idempotent. */
  close(): Promise<void> {
    this.#closePromise ??= new Promise<void>((resolve) => {
      if (this.destroyed && this.closed) return resolve();
      this.once('close', () => resolve());
      if (!this.destroyed) this.destroy();
    });
    return this.#closePromise;
  }

  protected async handle(input: Envelope): Promise<void> {
    if (input.type === 'stream') {
      if (input.coded || input.kind === 'subtitle') throw new InputError(`stream ${input.streamId}`, `the Encoder takes raw frames; this stream is already coded (${input.codecpar.name})`);
      if (this.#configFor(input.kind)) this.#inputs.set(input.streamId, input);
      return;
    }
    if (input.type === 'packet') throw new InputError(`stream ${input.streamId}`, 'the Encoder takes frames, not packets');
    if (!this.#configFor(input.kind)) return;
    this.#stats.framesIn++;
    if (input.kind === 'video') this.#stats.videoFramesIn++;
    this.#firstFrameAt ??= performance.now();
    let slot = this.#slots.get(input.streamId);
    if (!slot) slot = await this.#open(input);
    else this.#checkFrame(slot, input.frame);
    if (this.#life.is('headerWritten')) this.#life.to('encoding');
    const t = Number(input.frame.pts ?? 0) * input.timeBase.num / input.timeBase.den;
    // The input's start is the earliest first frame of its streams (an MPEG-TS input may start at 1.4 s).
    if (!this.#started.has(input.streamId)) {
      this.#started.add(input.streamId);
      this.#startTime = Math.min(this.#startTime ?? t, t);
    }
    if (t > this.#latestTime) this.#latestTime = t;
    await slot.pump.write(input);
    this.#maybeStats();
  }

  protected async finish(): Promise<void> {
    this.#life.to('draining');
    for (const slot of this.#slots.values()) await slot.pump.drain();
    await this.#releaseHeld(true);
    this.#emitStats();
    this.#life.to('closed');
  }

  protected release(): void {
    for (const slot of this.#slots.values()) slot.enc = undefined;
    this.#slots.clear();
    this.#held.length = 0;
  }

  protected override lifecycle(): { tryTo(next: 'error' | 'closed'): boolean } {
    return this.#life;
  }

  #configFor(kind: MediaKind): VideoEncoderConfig | AudioEncoderConfig | undefined {
    return kind === 'video' ? this.config.video : this.config.audio;
  }

  /** Open the codec for a stream from its descriptor and first frame. */
  async #open(env: FrameEnvelope): Promise<CodecSlot> {
    const desc = this.#inputs.get(env.streamId);
    if (env.kind === 'video') await this.#negotiate(env);
    const slot = env.kind === 'video' ? this.#openVideo(env, desc) : await this.#openAudio(env, desc);
    this.#slots.set(env.streamId, slot);
    if (!this.#inputs.has(env.streamId)) this.#inputs.set(env.streamId, synthesize(env));
    if (this.#life.is('initialized')) this.#life.to('headerWritten');
    return slot;
  }

  /** hwDevice 'auto' | 'cuda' | 'vaapi' with a codec name: let @beamflow/hw pick the encoder. */
  async #negotiate(env: FrameEnvelope): Promise<void> {
    const cfg = this.config.video!;
    const hw = cfg.hwDevice ?? 'none';
    if (hw === 'none' || encoderInfo(cfg.codec)) return;
    const choice = await negotiate({
      codec: this.#videoInfo!.codecName, width: env.frame.width, height: env.frame.height, pixelFormat: env.frame.format as string,
      ...(hw === 'auto' ? {} : { device: hw }),
    });
    this.hardware = choice;
    const info = choice.kind === 'software' ? undefined : encoderInfo(choice.encoder);
    if (choice.kind !== 'software' && info) {
      // The config was checked against the software encoder at construction; the device's
      // encoder may name presets or ranges differently. With 'auto' a config it cannot take
      // is one more reason to fall back, as a device that failed to open is.
      try {
        validateVideo({ ...cfg, codec: choice.encoder }, info);
        this.#videoInfo = info;
      } catch (err) {
        if (hw !== 'auto' || !(err instanceof ConfigError)) throw err;
        this.hardware = {
          kind: 'software', encoder: this.#videoInfo!.name, device: undefined, pixelFormat: env.frame.format as string, upload: false,
          rejected: [...choice.rejected, { kind: choice.kind, encoder: choice.encoder, reason: `the config does not fit ${choice.encoder}: ${err.message}` }],
        };
      }
    }
    this.emit('hardware', this.hardware);
  }

  #openVideo(env: FrameEnvelope, desc: StreamDescriptor | undefined): CodecSlot {
    const cfg = this.config.video!;
    const info = this.#videoInfo!;
    const f = env.frame;
    const width = cfg.width ?? f.width;
    const height = cfg.height ?? f.height;
    const inputFormat = f.format as string;
    const upload = this.hardware?.upload === true;
    const pixelFormat = cfg.pixelFormat ?? (upload ? inputFormat : defaultPixelFormat(info.pixelFormats ?? [], inputFormat));
    const rate: Rational = cfg.frameRate !== undefined ? validate.frameRate('video.frameRate', cfg.frameRate) : desc?.frameRate ?? invert(env.timeBase);
    // A device-frames encoder (VAAPI) lists only its device format; the frames it is
    // given are uploaded from system memory, so the check is the upload's, not this one.
    if (!upload && info.pixelFormats?.length && !info.pixelFormats.includes(pixelFormat)) {
      throw new ConfigError('video.pixelFormat', `${info.name} does not take ${pixelFormat} frames; it takes ${info.pixelFormats.join(', ')} (put a Scaler with pixelFormat before the Encoder)`, info.pixelFormats);
    }
    // Chroma subsampled by two in a direction needs an even size in it; x264 would refuse to
    // open with only a log line, so say which stream and what to do.
    const sub = beamcoder().pix_fmts()[pixelFormat] as { log2_chroma_w?: number; log2_chroma_h?: number } | undefined;
    if (sub && ((sub.log2_chroma_w && width % 2) || (sub.log2_chroma_h && height % 2))) {
      throw new InputError(`stream ${env.streamId}`, `${width}x${height} frames cannot be encoded as ${pixelFormat}, whose chroma is subsampled: ` +
        `the ${sub.log2_chroma_w && width % 2 ? 'width' : 'height'} must be even (put a Scaler with an even size before the Encoder, or set video.width/height)`);
    }
    // Every frame keeps its own time (a variable-rate input passes through): the encoder counts
    // in the input's time base, and the rate only informs rate control. A constant rate (cfr)
    // counts in 1/frameRate, the frames set on that grid by FFmpeg's fps filter.
    const cfr = (cfg.fpsMode ?? (cfg.frameRate !== undefined ? 'cfr' : 'passthrough')) === 'cfr';
    const timeBase = cfr ? invert(rate) : env.timeBase;
    const priv: Record<string, string | number | boolean> = { ...(cfg.options ?? {}) };
    if (cfg.preset !== undefined) priv.preset = cfg.preset;
    if (cfg.crf !== undefined) priv.crf = cfg.crf;
    if (cfg.profile !== undefined) priv.profile = cfg.profile;
    const sar = (f.sample_aspect_ratio as [number, number] | undefined) ?? [1, 1];
    const params: Record<string, unknown> = {
      name: info.name, width, height, pix_fmt: pixelFormat, time_base: toTuple(timeBase), framerate: toTuple(rate),
      sample_aspect_ratio: sar[0] > 0 ? sar : [1, 1], thread_count: cfg.threads ?? 0, priv_data: priv,
    };
    if (this.config.globalHeader !== false) params.flags = { GLOBAL_HEADER: true };
    if (cfg.gopSize !== undefined) params.gop_size = cfg.gopSize;
    if (cfg.maxBFrames !== undefined) params.max_b_frames = cfg.maxBFrames;
    if (cfg.bitRate !== undefined) {
      if (cfg.crf !== undefined) {
        // crf with a bit rate means "quality, capped", as -crf with -maxrate/-bufsize.
        params.rc_max_rate = cfg.bitRate;
        params.rc_buffer_size = cfg.bitRate * 2;
      } else params.bit_rate = cfg.bitRate;
    } else if (cfg.crf !== undefined && /vpx|aom/.test(info.name)) {
      params.bit_rate = 0; // constant quality for libvpx/libaom needs b:v 0
    }
    let enc: BeamEncoder;
    try {
      if (this.hardware && this.hardware.kind !== 'software') {
        const { priv_data: hwPriv, ...hwParams } = hwEncoderParams(this.hardware, { width, height, pixelFormat });
        Object.assign(params, hwParams);
        Object.assign(priv, hwPriv);
      }
      enc = beamcoder().encoder(params as { name: string });
    } catch (err) {
      throw toFFmpegError(`open ${info.name}`, err);
    }
    const keyframes = new KeyframeSchedule();
    if (cfg.forceKeyframes) keyframes.add(cfg.forceKeyframes);
    for (const r of this.#keyRequests) keyframes.add(r);
    const slot: CodecSlot = {
      kind: 'video', streamId: env.streamId, info, enc, timeBase, inputTimeBase: env.timeBase,
      described: false, width, height, pixelFormat, nextPts: 0n, keyframes, frameRate: rate, ...(cfr ? { cfr: {} } : {}),
      ...(inputFormat !== pixelFormat && !upload ? { inputFormat } : {}),
      pump: undefined as unknown as CodecPump<FrameEnvelope, Envelope>,
    };
    this.#checkFrame(slot, f);
    slot.pump = this.#makePump(slot, desc);
    return slot;
  }

  async #openAudio(env: FrameEnvelope, desc: StreamDescriptor | undefined): Promise<CodecSlot> {
    const cfg = this.config.audio!;
    const info = this.#audioInfo!;
    const f = env.frame;
    const inRate = f.sample_rate;
    let sampleRate = cfg.sampleRate ?? inRate;
    const rates = info.sampleRates ?? [];
    if (cfg.sampleRate === undefined && rates.length && !rates.includes(sampleRate)) {
      // As the ffmpeg command line does: the closest rate the encoder supports, preferring higher.
      sampleRate = [...rates].sort((a, b) => Math.abs(a - inRate) - Math.abs(b - inRate) || b - a)[0]!;
    }
    const channels = cfg.channels ?? f.channels;
    const layout = channels === f.channels && f.channel_layout && layoutChannels(String(f.channel_layout)) === channels
      ? String(f.channel_layout) : defaultChannelLayout(channels);
    const fmts = info.sampleFormats ?? [];
    const inFmt = f.format as string;
    const sampleFormat = cfg.sampleFormat ?? (fmts.length === 0 || fmts.includes(inFmt) ? inFmt : preferFormat(fmts));
    const timeBase: Rational = { num: 1, den: sampleRate };
    const params: Record<string, unknown> = {
      name: info.name, sample_rate: sampleRate, sample_fmt: sampleFormat, channels, channel_layout: layout,
      time_base: [1, sampleRate], priv_data: { ...(cfg.options ?? {}) }, thread_count: 0,
    };
    if (this.config.globalHeader !== false) params.flags = { GLOBAL_HEADER: true };
    if (cfg.bitRate !== undefined) params.bit_rate = cfg.bitRate;
    let enc: BeamEncoder;
    try {
      enc = beamcoder().encoder(params as { name: string });
    } catch (err) {
      throw toFFmpegError(`open ${info.name}`, err);
    }
    const frameSize = info.variableFrameSize ? 0 : (enc.frame_size as number) || 0;
    const audio = await this.track(() => openAudioProcessor(
      { sampleRate, sampleFormat, channelLayout: layout, ...(frameSize > 0 ? { frameSize } : {}) }, f, env.timeBase,
    )).catch((err: unknown) => { throw toFFmpegError('open audio converter', err); });
    const slot: CodecSlot = {
      kind: 'audio', streamId: env.streamId, info, enc, timeBase, inputTimeBase: env.timeBase, described: false,
      audio, nextPts: 0n, pump: undefined as unknown as CodecPump<FrameEnvelope, Envelope>, budget: new InlineBudget(),
    };
    slot.pump = this.#makePump(slot, desc);
    return slot;
  }

  #makePump(slot: CodecSlot, desc: StreamDescriptor | undefined): CodecPump<FrameEnvelope, Envelope> {
    const encodeFrames = async (frames: readonly Frame[]): Promise<Envelope[]> => {
      const out: Envelope[] = [];
      if (frames.length === 0) return out;
      const enc = slot.enc;
      if (!enc) throw new FFmpegError('encode', 'encoder released');
      // The frames one input became (an audio frame re-chunked to the codec's size) go in one
      // native call: the addon sends each and reads what the codec has ready in between.
      const input = frames.length === 1 ? frames[0]! : [...frames];
      // An audio frame's encode costs about what a trip to libuv's pool does: done on this thread
      // (where the fork has it), as the ffmpeg command line encodes audio on its main thread —
      // while it stays cheap, so that an expensive codec never holds up the event loop.
      const inline = slot.budget !== undefined && typeof enc.encodeInline === 'function' && slot.budget.inline;
      const res = await this.track(() => (inline ? enc.encodeInline(input) : enc.encode(input)))
        .catch((err: unknown) => { throw toFFmpegError(`encode (${slot.info.name})`, err); });
      slot.budget?.record(res.total_time);
      this.#describeOnce(slot, desc, out);
      for (const p of res.packets) out.push(this.#packet(slot, p));
      return out;
    };
    /** Video frames (in `timeBase`) into the codec: keyframes decided, pts on the codec's count. */
    const encodeVideo = async (frames: readonly Frame[], timeBase: Rational): Promise<Envelope[]> => {
      for (const f of frames) {
        // Read once: each read of a frame field is a call into the addon.
        const rawPts = f.pts;
        const hasPts = rawPts !== null && rawPts !== undefined && BigInt(rawPts) !== NOPTS;
        const inPts = hasPts ? BigInt(rawPts) : slot.nextPts;
        // A decoded frame carries its source's picture type, which libx264 would obey (copying the
        // source's GOP): as the ffmpeg command line does, the type is cleared unless a keyframe is
        // due, and keyframe times are judged on the frame's own timestamp, before any rounding below.
        const due = slot.keyframes?.due(inPts, hasPts ? timeBase : slot.timeBase) === true;
        f.pict_type = due ? 'I' : null;
        let pts = inPts;
        if (hasPts && !equalRational(timeBase, slot.timeBase)) pts = rescale(pts, timeBase, slot.timeBase);
        if (pts < slot.nextPts) pts = slot.nextPts; // x264 refuses non-increasing pts
        slot.nextPts = pts + 1n;
        f.pts = Number(pts);
      }
      const out = await encodeFrames(frames);
      // The codec holds its own reference to what it still needs (FFmpeg refs the frame it is sent).
      for (const f of frames) releaseFrame(f);
      return out;
    };
    const port = new BatchPort<FrameEnvelope, Envelope>(
      async (env) => {
        if (slot.kind === 'audio') {
          const frames = await this.track(() => slot.audio!.process(env.frame, env.timeBase));
          return encodeFrames(frames);
        }
        let f = env.frame;
        if (slot.inputFormat !== undefined) {
          // 10-bit, 4:2:2 or 4:4:4 into an encoder set for 8-bit 4:2:0: swscale, as ffmpeg inserts it.
          const target = slot.pixelFormat!;
          slot.convert ??= await this.track(() => openGraph('video', f, env.timeBase, `format=${target}`, { pixelFormat: target }))
            .catch((err: unknown) => { throw toFFmpegError(`open pixel format conversion to ${target}`, err); });
          const convert = slot.convert;
          const [converted] = await this.track(() => convert.run(f)).catch((err: unknown) => { throw toFFmpegError(`convert to ${target}`, err); });
          releaseFrame(f);
          if (!converted) return [];
          f = converted;
        }
        if (!slot.cfr) return encodeVideo([f], env.timeBase);
        // fps repeats and drops frames onto the grid; the end of the input is where the last frame ends.
        const cfr = slot.cfr;
        const rate = slot.frameRate!;
        cfr.graph ??= await this.track(() => openGraph('video', f, env.timeBase, `fps=${rate.num}/${rate.den}`, { pixelFormat: f.format as string }))
          .catch((err: unknown) => { throw toFFmpegError('open fps filter', err); });
        const pts = f.pts;
        const duration = f.pkt_duration;
        // A frame that does not say how long it lasts lasts one frame of the output rate.
        if (pts !== null && pts !== undefined && BigInt(pts) !== NOPTS) {
          cfr.endPts = BigInt(pts) + (duration > 0 ? BigInt(duration) : rescale(1n, invert(rate), env.timeBase));
        }
        const graph = cfr.graph;
        const frames = await this.track(() => graph.run(f)).catch((err: unknown) => { throw toFFmpegError('fps filter', err); });
        releaseFrame(f);
        return encodeVideo(frames, slot.timeBase);
      },
      async () => {
        const out: Envelope[] = [];
        if (slot.audio) out.push(...(await encodeFrames(await slot.audio.flush())));
        const graph = slot.cfr?.graph;
        if (graph) {
          const endPts = slot.cfr!.endPts;
          const tail = await this.track(() => graph.end(endPts)).catch((err: unknown) => { throw toFFmpegError('end fps filter', err); });
          out.push(...(await encodeVideo(tail, slot.timeBase)));
        }
        const enc = slot.enc;
        if (!enc) return out;
        const res = await this.track(() => enc.flush()).catch((err: unknown) => { throw toFFmpegError(`flush (${slot.info.name})`, err); });
        this.#describeOnce(slot, desc, out);
        for (const p of res.packets) out.push(this.#packet(slot, p));
        return out;
      },
    );
    const sink = this.pumpSink();
    return new CodecPump(port, {
      push: (e) => this.#deliver(e, sink.push),
      waitForDemand: sink.waitForDemand,
    }, `encode (${slot.info.name})`);
  }

  #describeOnce(slot: CodecSlot, desc: StreamDescriptor | undefined, out: Envelope[]): void {
    if (slot.described || !slot.enc) return;
    slot.described = true;
    const enc = slot.enc as unknown as Record<string, unknown>;
    const codecpar = codecParametersFrom(enc, slot.kind, slot.info.codecName);
    codecpar.format = (slot.kind === 'video' ? enc.pix_fmt : enc.sample_fmt) as string;
    const d: StreamDescriptor = {
      type: 'stream', streamId: slot.streamId, kind: slot.kind, timeBase: slot.timeBase, codecpar, coded: true,
      ...(slot.kind === 'video' ? { frameRate: slot.frameRate ?? invert(slot.timeBase), upstream: { requestKeyframes: (r: KeyframeRequest) => this.requestKeyframes(r) } } : {}),
      ...(desc?.duration !== undefined ? { duration: rescale(desc.duration, desc.timeBase, slot.timeBase) } : {}),
      // Pixels not turned upright upstream (autorotate: false) keep telling the player how to turn them.
      ...(slot.kind === 'video' && desc?.displayMatrix ? { displayMatrix: desc.displayMatrix } : {}),
      ...(desc?.language ? { language: desc.language } : {}),
    };
    out.unshift(d);
  }

  #packet(slot: CodecSlot, p: Packet): PacketEnvelope {
    p.stream_index = slot.streamId;
    this.#stats.packetsOut++;
    this.#stats.bytesOut += p.size;
    return { type: 'packet', kind: slot.kind, packet: p, streamId: slot.streamId, timeBase: slot.timeBase };
  }

  /** Hold packets until every expected stream is described; descriptors go first. */
  #deliver(e: Envelope, push: (e: Envelope) => boolean): boolean {
    if (this.#held.length === 0 && this.#allDescribed()) return push(e);
    if (e.type === 'stream') {
      // Descriptors wait too, then go out in the input's stream order (video before
      // audio when the source said so), whichever codec opened first.
      this.#held.unshift(e);
      return this.#allDescribed() ? this.#flushHeld(push) : true;
    }
    this.#held.push(e);
    // As ffmpeg's max_muxing_queue_size: a stream that was announced but never
    // delivers a frame must not make the others pile up in memory without end.
    if (this.#held.length > MAX_HELD) {
      const waiting = [...this.#inputs.keys()].filter((id) => !this.#slots.get(id)?.described);
      throw new InputError(`stream ${waiting.join(', ')}`, `announced but no frame arrived while ${MAX_HELD} packets of the other streams waited for it`);
    }
    return true;
  }

  #flushHeld(push: (e: Envelope) => boolean): boolean {
    const order = [...this.#inputs.keys()];
    const held = this.#held.splice(0);
    const descriptors = held.filter((h) => h.type === 'stream').sort((a, b) => order.indexOf(a.streamId) - order.indexOf(b.streamId));
    let ok = true;
    for (const h of [...descriptors, ...held.filter((x) => x.type !== 'stream')]) ok = push(h) && ok;
    return ok;
  }

  async #releaseHeld(_final: boolean): Promise<void> {
    if (this.#held.length) {
      await this.gate.wait();
      this.#flushHeld((e) => this.pushOut(e));
    }
  }

  #allDescribed(): boolean {
    for (const id of this.#inputs.keys()) {
      const s = this.#slots.get(id);
      if (!s || !s.described) return false;
    }
    return true;
  }

  #checkFrame(slot: CodecSlot, f: Frame): void {
    if (slot.kind !== 'video') return;
    if (f.width !== slot.width || f.height !== slot.height) {
      throw new InputError(`stream ${slot.streamId}`, `frame size ${f.width}x${f.height} differs from the encoder's ${slot.width}x${slot.height} (put a Scaler before the Encoder to change sizes)`);
    }
    const expected = slot.inputFormat ?? slot.pixelFormat;
    if (f.format !== expected) {
      throw new InputError(`stream ${slot.streamId}`, `frame pixel format ${String(f.format)} differs from the stream's ${String(expected)} (put a Scaler with pixelFormat before the Encoder)`);
    }
  }

  #maybeStats(): void {
    const interval = this.config.statsInterval ?? 1000;
    const now = performance.now();
    if (this.#lastStatsAt === undefined || now - this.#lastStatsAt >= interval) this.#emitStats(now);
  }

  #emitStats(now = performance.now()): void {
    this.#lastStatsAt = now;
    this.emit('stats', this.stats());
  }
}

const MAX_HELD = 1024;

/** 8-bit 4:2:0, what every player decodes. */
const PLAYABLE = ['yuv420p', 'nv12', 'yuvj420p'];

/**
 * The pixel format a video encoder gets when the config names none: the frames' own when it is
 * 8-bit 4:2:0 and the encoder takes it, else 4:2:0 8-bit (yuv420p) when the encoder takes that
 * (H.264 High 10, 4:2:2 and 4:4:4 streams play almost nowhere), else the frames' own, else the
 * encoder's first.
 */
function defaultPixelFormat(takes: readonly string[], input: string): string {
  if (takes.length === 0) return input;
  if (PLAYABLE.includes(input) && takes.includes(input)) return input;
  if (takes.includes('yuv420p')) return 'yuv420p';
  return takes.includes(input) ? input : takes[0]!;
}

function preferFormat(fmts: readonly string[]): string {
  for (const p of ['fltp', 'flt', 's16', 's16p', 's32']) if (fmts.includes(p)) return p;
  return fmts[0]!;
}

function synthesize(env: FrameEnvelope): StreamDescriptor {
  const f = env.frame;
  return env.kind === 'video'
    ? { type: 'stream', streamId: env.streamId, kind: 'video', timeBase: env.timeBase, coded: false, codecpar: { codec_type: 'video', name: 'rawvideo', width: f.width, height: f.height, format: f.format as string } }
    : { type: 'stream', streamId: env.streamId, kind: 'audio', timeBase: env.timeBase, coded: false, codecpar: { codec_type: 'audio', name: 'pcm', sample_rate: f.sample_rate, channels: f.channels } };
}
