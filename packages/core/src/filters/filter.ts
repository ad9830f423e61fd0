/**
 * The Filter stage: FFmpeg's libavfilter on the frames of each stream, with
 * a filter chain per kind in the ffmpeg command line's `-vf` / `-af` syntax:
 * `new Filter({ video: 'crop=640:360,fps=30', audio: 'volume=0.5' })`.
 *
 * Protocol
 * - construct: each chain is checked (filter names, their media type, named
 *   options) and a mistake is a ConfigError naming the filter and option.
 * - transform: a descriptor of a filtered kind goes on at once (stages
 *   downstream count their streams before the first frame); the stream's
 *   first frame opens its graph from the frame's real properties, and before
 *   the first frame the graph gives back the descriptor is sent again with
 *   what the graph made of it, when that differs: size, pixel format, time
 *   base and frame rate, or sample rate, format and layout. A frame of other properties ends the graph
 *   and opens a new one (as the ffmpeg command line reconfigures), which may
 *   send a changed descriptor. Frames go through a {@link CodecPump}, so
 *   backpressure holds; other envelopes wait for demand, then pass.
 * - flush: each graph's input is ended, so filters that hold frames (fps, a
 *   resampler, a delay) give up their tail; then the end travels on.
 * - destroy: waits for the native call in flight; graphs are dropped once.
 */
import { CodecPump, CodecStage } from '../codec-pump.js';
import { BatchPort } from '../batch-port.js';
import { codecParametersFrom, type Envelope, type FrameEnvelope, type MediaKind, type StreamDescriptor } from '../envelopes.js';
import { ConfigError, toFFmpegError } from '../errors.js';
import { releaseFrame, type Frame } from '../native.js';
import { equalRational, rescale, type Rational } from '../rational.js';
import { positiveInt } from '../validate.js';
import { checkFilterSpec } from './filter-spec.js';
import { openGraph, type FilterGraph } from './graph.js';
import { audioFrameKey } from './resampler.js';

/** Options of {@link Filter}. */
export interface FilterOptions {
  /** A filter chain for every video stream, as `ffmpeg -vf` takes it. */
  video?: string;
  /** A filter chain for every audio stream, as `ffmpeg -af` takes it. */
  audio?: string;
  /** Frames buffered on each side (default 4). */
  highWaterMark?: number;
}

interface StreamState {
  key: string;
  graph: FilterGraph;
  pump: CodecPump<FrameEnvelope, Envelope>;
  /** The input's end: the latest frame's pts plus its duration, in the input's time base. */
  endPts?: bigint;
}

/** What of a descriptor a filter graph can change. */
const signature = (d: StreamDescriptor): string => JSON.stringify([
  d.codecpar.width, d.codecpar.height, d.codecpar.format, d.codecpar.sample_rate, d.codecpar.channel_layout, d.timeBase, d.frameRate,
]);

const videoKey = (f: Frame): string => `${f.width}x${f.height}/${String(f.format)}`;

/**
 * Run the frames of each stream through an FFmpeg filter chain.
 *
 * @example
 * ```ts
 * await pipeline(decodeFile('in.mp4'), new Filter({ video: 'crop=iw/2:ih/2,hflip', audio: 'volume=0.5' }),
 *   new Encoder(cfg), new Rescaler(), new Muxer({ format: 'mp4', output: 'out.mp4' }));
 * ```
 */
export class Filter extends CodecStage<Envelope, Envelope> {
  readonly options: FilterOptions;
  readonly #inputs = new Map<number, StreamDescriptor>();
  readonly #streams = new Map<number, StreamState>();
  /** The descriptor each stream was last announced with downstream. */
  readonly #sent = new Map<number, string>();

  constructor(options: FilterOptions) {
    if (typeof options !== 'object' || options === null) throw new ConfigError('options', 'must be an object with video and/or audio filter chains');
    const hwm = options.highWaterMark === undefined ? 4 : positiveInt('highWaterMark', options.highWaterMark, 1024);
    super({ writableHighWaterMark: hwm, readableHighWaterMark: hwm });
    if (options.video === undefined && options.audio === undefined) throw new ConfigError('options', 'needs a video or audio filter chain');
    if (options.video !== undefined) checkFilterSpec('video', options.video, 'video');
    if (options.audio !== undefined) checkFilterSpec('audio', options.audio, 'audio');
    this.options = options;
  }

  #specFor(kind: MediaKind): string | undefined {
    return kind === 'video' ? this.options.video : this.options.audio;
  }

  protected async handle(input: Envelope): Promise<void> {
    if (input.type === 'stream' && this.#specFor(input.kind) !== undefined) {
      // Announced at once, as it came: stages downstream count the streams before the first
      // frame. What the graph changes is announced again before its first frame.
      this.#inputs.set(input.streamId, input);
      this.#sent.set(input.streamId, signature(input));
      await this.gate.wait();
      this.pushOut(input);
      return;
    }
    if (input.type === 'frame' && this.#specFor(input.kind) !== undefined) {
      await this.#filter(input);
      return;
    }
    await this.gate.wait();
    this.pushOut(input);
  }

  protected async finish(): Promise<void> {
    for (const s of this.#streams.values()) await s.pump.drain();
  }

  protected release(): void {
    this.#streams.clear();
  }

  async #filter(env: FrameEnvelope): Promise<void> {
    const key = env.kind === 'video' ? videoKey(env.frame) : audioFrameKey(env.frame);
    let s = this.#streams.get(env.streamId);
    if (s && s.key !== key) {
      await s.pump.drain();
      this.#streams.delete(env.streamId);
      s = undefined;
    }
    s ??= await this.#open(env, key);
    const pts = env.frame.pts;
    const duration = env.frame.pkt_duration;
    if (pts !== null && pts !== undefined) s.endPts = duration > 0 ? BigInt(pts) + BigInt(duration) : undefined;
    await s.pump.write(env);
  }

  async #open(env: FrameEnvelope, key: string): Promise<StreamState> {
    const spec = this.#specFor(env.kind)!;
    const graph = await this.track(() => openGraph(env.kind, env.frame, env.timeBase, spec)).catch((err: unknown) => {
      throw new ConfigError(env.kind, `FFmpeg refused the filter chain ${JSON.stringify(spec)} for these frames: ${(err as Error).message}`);
    });
    const { streamId, kind } = env;
    const inputTb = env.timeBase;
    // What leaves the graph: its descriptor first (a configured graph's output never changes, so
    // only its first frame is looked at), then the frames.
    let described = false;
    const out = (frames: readonly Frame[]): Envelope[] => {
      const tb = graph.output.timeBase ?? inputTb;
      const items: Envelope[] = [];
      if (!described && frames.length > 0) {
        described = true;
        const d = this.#describe(streamId, frames[0]!, tb, graph.output.frameRate);
        if (d) items.push(d);
      }
      for (const frame of frames) items.push({ type: 'frame', kind, frame, streamId, timeBase: tb });
      return items;
    };
    const state: StreamState = {
      key, graph,
      pump: undefined as unknown as CodecPump<FrameEnvelope, Envelope>,
    };
    const port = new BatchPort<FrameEnvelope, Envelope>(
      async (e) => {
        const frames = await this.track(() => graph.run(e.frame)).catch((err: unknown) => { throw toFFmpegError(`filter (${spec})`, err); });
        // Video frames are large: hand their buffers back as soon as the graph has its own reference.
        if (kind === 'video') releaseFrame(e.frame, frames);
        return out(frames);
      },
      async () => out(await this.track(() => graph.end(state.endPts)).catch((err: unknown) => { throw toFFmpegError(`end filter (${spec})`, err); })),
    );
    state.pump = new CodecPump(port, this.pumpSink(), 'Filter');
    this.#streams.set(env.streamId, state);
    return state;
  }

  /** The descriptor of a filtered stream, from its input's and the graph's first output frame; undefined when unchanged. */
  #describe(streamId: number, f: Frame, timeBase: Rational, frameRate: Rational | undefined): StreamDescriptor | undefined {
    const input = this.#inputs.get(streamId);
    const kind: MediaKind = input?.kind ?? (f.width > 0 ? 'video' : 'audio');
    const par = codecParametersFrom(f as unknown as Record<string, unknown>, kind, kind === 'video' ? 'rawvideo' : 'pcm');
    par.format = f.format as string;
    const d: StreamDescriptor = {
      type: 'stream', streamId, kind, timeBase, coded: false,
      codecpar: { ...(input?.codecpar ?? {}), ...par },
      ...(kind === 'video' && (frameRate ?? input?.frameRate) ? { frameRate: frameRate ?? input!.frameRate! } : {}),
      ...(input?.duration !== undefined ? { duration: equalRational(input.timeBase, timeBase) ? input.duration : rescale(input.duration, input.timeBase, timeBase) } : {}),
      ...(input?.displayMatrix ? { displayMatrix: input.displayMatrix } : {}),
      ...(input?.language ? { language: input.language } : {}),
      ...(input?.upstream ? { upstream: input.upstream } : {}),
    };
    const sig = signature(d);
    if (this.#sent.get(streamId) === sig) return undefined;
    this.#sent.set(streamId, sig);
    return d;
  }
}
