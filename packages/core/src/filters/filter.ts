/**
 * The Filter stage: FFmpeg's libavfilter on the frames of each stream, with
 * a filter chain per kind in the ffmpeg command line's `-vf` / `-af` syntax:
 * `new Filter({ video: 'crop=640:360,fps=30', audio: 'volume=0.5' })`, or a
 * graph with extra inputs in its `-filter_complex` syntax, where the
 * pipeline's own stream is the pad `[in]` and each of `inputs` the pad of its
 * name: `new Filter({ video: '[in][logo]overlay=W-w-10:10', inputs: { logo:
 * decodeFile('logo.png') } })`. An extra input is any Readable of frame
 * envelopes (a source, another pipeline's output); its first stream of the
 * graph's kind feeds the pad.
 *
 * Protocol
 * - construct: each chain is checked (filter names, their media type, named
 *   options) and a mistake is a ConfigError naming the filter and option; so
 *   are a graph's labels: one that names no input, an input never used, an
 *   input feeding two pads, two loose outputs. From here the Filter owns its
 *   extra inputs: it destroys them when it is done or destroyed, and an error
 *   of one fails the Filter with that error.
 * - transform: a descriptor of a filtered kind goes on at once (stages
 *   downstream count their streams before the first frame); the stream's
 *   first frame opens its graph from the frame's real properties (and, for a
 *   graph with inputs, each input's first frame of that kind; an input with
 *   none is a ConfigError), and before the first frame the graph gives back
 *   the descriptor is sent again with what the graph made of it, when that
 *   differs: size, pixel format, time base and frame rate, or sample rate,
 *   format and layout. A frame of other properties ends the graph and opens a
 *   new one (as the ffmpeg command line reconfigures), which may send a
 *   changed descriptor; extra inputs go on from where they are in the new
 *   graph, and one that has ended is ended there at once, as ffmpeg does.
 *   Frames go through a {@link CodecPump}, so backpressure holds; other
 *   envelopes wait for demand, then pass.
 * - extra inputs are pulled, never pushed: before a frame of the stream goes
 *   into its graph, each input is read only until it reaches that frame (its
 *   latest frame starts at or after the frame's pts and ends at or after the
 *   frame's end), which is what overlay's frame sync and amix need to give
 *   that frame out; its frames go into the graph in the same native call. So
 *   an input much longer than the stream is read no further than the stream
 *   goes, and only the pipeline's stream sets the pace. Libavfilter can say
 *   which input it waits for (buffersrc's failed requests), but the fork's
 *   filterer does not pass that on, so the schedule is by timestamps: a graph
 *   that shifts an input backwards (`setpts=PTS-5/TB`) holds the stream's
 *   frames until the input catches up. An input that ends is ended in the
 *   graph in that call, so a still logo is repeated (overlay's repeatlast).
 * - flush: each graph input (the stream's and every extra one) is ended, so
 *   filters that hold frames (fps, a resampler, a delay, amix) give up their
 *   tail; the extra inputs are destroyed (the stream sets the length: what an
 *   input holds past the stream's end is not read, as with amix's
 *   `duration=first` or overlay's `shortest=1`); then the end travels on.
 * - destroy: waits for the native call in flight; graphs are dropped once;
 *   extra inputs are destroyed, and frames read from them but not yet in a
 *   graph released.
 */
import type { Readable } from 'node:stream';
import { CodecPump, CodecStage } from '../codec-pump.js';
import { BatchPort } from '../batch-port.js';
import { codecParametersFrom, type Envelope, type FrameEnvelope, type MediaKind, type StreamDescriptor } from '../envelopes.js';
import { ConfigError, InputError, toFFmpegError } from '../errors.js';
import { releaseFrame, type Frame } from '../native.js';
import { compareTs, equalRational, rescale, type Rational } from '../rational.js';
import { describe as describeValue, positiveInt } from '../validate.js';
import { checkFilterSpec, planGraph, type GraphPlan } from './filter-spec.js';
import { openMultiInputGraph, sourceParams, type GraphFeed, type SourceParams } from './graph.js';
import { audioFrameKey } from './resampler.js';

/** Options of {@link Filter}. */
export interface FilterOptions {
  /** A filter chain for every video stream, as `ffmpeg -vf` takes it, or a graph of labelled pads (see `inputs`). */
  video?: string;
  /** A filter chain for every audio stream, as `ffmpeg -af` takes it, or a graph of labelled pads (see `inputs`). */
  audio?: string;
  /**
   * Extra inputs of the graphs, by pad label (letters, digits, `_`; not `in` or `out`): Readables
   * of frame envelopes (`decodeFile`, `testPattern`, `fromFrames`, another pipeline's output).
   * A chain that labels its pads, as `ffmpeg -filter_complex` does, takes the pipeline's own
   * stream as `[in]` and an input as `[name]`, fed with the input's first stream of the chain's
   * kind: `{ video: '[in][logo]overlay=W-w-10:10', inputs: { logo: decodeFile('logo.png') } }`.
   * A graph with inputs filters one stream of its kind. The Filter reads each input only as far
   * as the pipeline's stream has come, and destroys it when done; that stream sets the length,
   * so an input is ended in the graph where the stream ends (amix's `duration=longest`, or an
   * overlay without `shortest=1`, stop there too, where ffmpeg would go on to the longest input).
   */
  inputs?: Readonly<Record<string, Readable>>;
  /** Frames buffered on each side (default 4). */
  highWaterMark?: number;
}

interface StreamState {
  key: string;
  pump: CodecPump<FrameEnvelope, Envelope>;
  /** The input's end: the latest frame's pts plus its duration, in the input's time base. */
  endPts?: bigint;
}

/** An extra input's pad in the graphs of one kind: where that input stands, kept when a graph is reopened. */
interface Pad {
  readonly name: string;
  readonly source: ExtraInput;
  /** The buffer source's parameters, from the input's first frame of the kind. */
  readonly params: SourceParams;
  readonly timeBase: Rational;
  /** Read but not yet in a graph: the first frame, read to open it. */
  readonly pending: FrameEnvelope[];
  /** pts of the latest frame fed, and where that frame ends, in `timeBase`. */
  lastPts?: bigint;
  reached?: bigint;
  /** The input has no more frames of the kind. */
  done: boolean;
}

/** What of a descriptor a filter graph can change. */
const signature = (d: StreamDescriptor): string => JSON.stringify([
  d.codecpar.width, d.codecpar.height, d.codecpar.format, d.codecpar.sample_rate, d.codecpar.channel_layout, d.timeBase, d.frameRate,
]);

const videoKey = (f: Frame): string => `${f.width}x${f.height}/${String(f.format)}`;

/** A frame's length in its time base: a video frame's duration as decoded (0 when unknown), an audio frame's samples. */
function frameLength(env: FrameEnvelope): bigint {
  const f = env.frame;
  if (env.kind === 'audio' && f.sample_rate > 0 && f.nb_samples > 0) return rescale(BigInt(f.nb_samples), { num: 1, den: f.sample_rate }, env.timeBase);
  return f.pkt_duration > 0 ? BigInt(f.pkt_duration) : 0n;
}

/** Frames the Filter read but gives no graph: a video frame's buffers go back at once. */
function drop(env: FrameEnvelope): void {
  if (env.kind === 'video') releaseFrame(env.frame);
}

const LABEL = /^[A-Za-z_][A-Za-z0-9_]*$/;

const isReadable = (v: unknown): v is Readable =>
  typeof v === 'object' && v !== null && typeof (v as Readable).on === 'function' && typeof (v as Readable).destroy === 'function'
  && typeof (v as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';

/**
 * One of a Filter's extra inputs: read an envelope at a time when a graph needs a frame of it,
 * its frames sorted by kind. Frames of a kind no graph takes are released as they come, so an
 * input with video and audio used by one graph never piles up the other kind.
 */
class ExtraInput {
  /** Kinds a graph takes from this input (the pipeline has a stream of that kind). */
  readonly wanted = new Set<MediaKind>();
  readonly #source: Readable;
  #iterator: AsyncIterator<unknown> | undefined;
  #reading: Promise<void> | undefined;
  #ended = false;
  #closed = false;
  /** The stream of each kind that feeds the pad: the first announced. */
  readonly #streamOf = new Map<MediaKind, number>();
  readonly #queued: Record<MediaKind, FrameEnvelope[]> = { video: [], audio: [] };

  constructor(
    readonly name: string,
    source: Readable,
    onError: (err: Error) => void,
  ) {
    this.#source = source;
    // Errors while nobody reads (an upstream stage of that input failing) fail the Filter too.
    source.on('error', (err: Error) => {
      if (!this.#closed) onError(err);
    });
  }

  /** The input's next frame of `kind`, or null when it has no more. */
  async next(kind: MediaKind): Promise<FrameEnvelope | null> {
    for (;;) {
      const queued = this.#queued[kind].shift();
      if (queued) return queued;
      if (this.#ended || this.#closed) return null;
      // One read at a time: two graphs (video, audio) may each wait for this input.
      this.#reading ??= this.#readOne().finally(() => {
        this.#reading = undefined;
      });
      await this.#reading;
    }
  }

  async #readOne(): Promise<void> {
    this.#iterator ??= (this.#source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    let r: IteratorResult<unknown>;
    try {
      r = await this.#iterator.next();
    } catch (err) {
      // Destroyed by close(): the end of reading, not a failure.
      if (this.#closed) return;
      throw err;
    }
    if (r.done) {
      this.#ended = true;
      return;
    }
    const e = r.value as Envelope;
    if (this.#closed) {
      if (e.type === 'frame') drop(e);
      return;
    }
    if (typeof e !== 'object' || e === null || !['stream', 'frame', 'packet'].includes((e as { type?: unknown }).type as string)) {
      throw new InputError(`inputs.${this.name}`, `must carry beamflow envelopes (a frame source); got ${describeValue(e)}`);
    }
    if (e.type === 'packet') throw new InputError(`inputs.${this.name}`, 'carries coded packets; a Filter takes frames (decodeFile, not demuxFile)');
    if (e.kind === 'subtitle') return;
    if (!this.#streamOf.has(e.kind)) this.#streamOf.set(e.kind, e.streamId);
    if (e.type === 'stream') return;
    if (this.wanted.has(e.kind) && this.#streamOf.get(e.kind) === e.streamId) this.#queued[e.kind].push(e);
    else drop(e);
  }

  /**
   * Stops reading: destroys the source and releases what was read and not taken; resolves once
   * the source has closed (a decoding source frees its native objects only then).
   */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      for (const q of Object.values(this.#queued)) for (const e of q.splice(0)) drop(e);
      this.#source.destroy();
    }
    const src = this.#source;
    // A stream made with emitClose: false never says it closed; destroyed is all there is.
    const silent = (src as unknown as { _readableState?: { emitClose?: boolean } })._readableState?.emitClose === false;
    return src.closed || silent ? Promise.resolve() : new Promise((resolve) => src.once('close', () => resolve()));
  }
}

/**
 * Run the frames of each stream through an FFmpeg filter chain, or a graph
 * that also takes frames of other sources (a logo, a second video, music).
 *
 * @example
 * ```ts
 * await pipeline(decodeFile('in.mp4'), new Filter({ video: 'crop=iw/2:ih/2,hflip', audio: 'volume=0.5' }),
 *   new Encoder(cfg), new Rescaler(), new Muxer({ format: 'mp4', output: 'out.mp4' }));
 *
 * // A logo in the top right corner, and music under the sound (ffmpeg -filter_complex):
 * await pipeline(decodeFile('in.mp4'), new Filter({
 *   video: '[in][logo]overlay=W-w-10:10',
 *   audio: '[in][music]amix=inputs=2:duration=first',
 *   inputs: { logo: decodeFile('logo.png'), music: decodeFile('music.wav', { video: false }) },
 * }), new Encoder(cfg), new Rescaler(), new Muxer({ format: 'mp4', output: 'out.mp4' }));
 * ```
 */
export class Filter extends CodecStage<Envelope, Envelope> {
  readonly options: FilterOptions;
  readonly #plans = new Map<MediaKind, GraphPlan>();
  readonly #extras = new Map<string, ExtraInput>();
  /** The pads of each kind's graph with inputs, made at its first frame. */
  readonly #pads = new Map<MediaKind, Pad[]>();
  /** The one stream of each kind that a graph with inputs filters. */
  readonly #padded = new Map<MediaKind, number>();
  readonly #inputs = new Map<number, StreamDescriptor>();
  readonly #streams = new Map<number, StreamState>();
  /** The descriptor each stream was last announced with downstream. */
  readonly #sent = new Map<number, string>();

  constructor(options: FilterOptions) {
    if (typeof options !== 'object' || options === null) throw new ConfigError('options', 'must be an object with video and/or audio filter chains');
    const hwm = options.highWaterMark === undefined ? 4 : positiveInt('highWaterMark', options.highWaterMark, 1024);
    super({ writableHighWaterMark: hwm, readableHighWaterMark: hwm });
    if (options.video === undefined && options.audio === undefined) throw new ConfigError('options', 'needs a video or audio filter chain');
    const inputs = options.inputs ?? {};
    if (typeof inputs !== 'object' || inputs === null) throw new ConfigError('inputs', 'must be an object of Readables by pad label');
    const names = Object.keys(inputs);
    const seen = new Map<Readable, string>();
    for (const name of names) {
      if (!LABEL.test(name) || name === 'in' || name === 'out') {
        throw new ConfigError(`inputs.${name}`, "a pad label is letters, digits and _ (not 'in', the pipeline's own stream, or 'out')");
      }
      const source = inputs[name];
      if (!isReadable(source)) throw new ConfigError(`inputs.${name}`, `must be a Readable of frame envelopes (decodeFile, testPattern, fromFrames); got ${describeValue(source)}`);
      const twin = seen.get(source);
      if (twin !== undefined) throw new ConfigError(`inputs.${name}`, `is the same stream as inputs.${twin}; an input feeds one pad (split it in the graph)`);
      seen.set(source, name);
    }
    const used = new Set<string>();
    for (const kind of ['video', 'audio'] as const) {
      const spec = options[kind];
      if (spec === undefined) continue;
      checkFilterSpec(kind, spec, kind);
      const plan = planGraph(kind, spec, names);
      if (plan.mode === 'graph') for (const n of plan.inputs) used.add(n);
      this.#plans.set(kind, plan);
    }
    const unused = names.find((n) => !used.has(n));
    if (unused !== undefined) throw new ConfigError(`inputs.${unused}`, `is not used: no chain has a pad labelled [${unused}]`);
    this.options = options;
    // Only once everything is accepted: a refused Filter leaves the caller's streams alone.
    for (const name of names) this.#extras.set(name, new ExtraInput(name, inputs[name]!, (err) => this.destroy(err)));
  }

  #specFor(kind: MediaKind): string | undefined {
    return kind === 'video' ? this.options.video : this.options.audio;
  }

  /** The plan of a kind's graph when it has extra inputs. */
  #padPlan(kind: MediaKind): Extract<GraphPlan, { mode: 'graph' }> | undefined {
    const plan = this.#plans.get(kind);
    return plan?.mode === 'graph' && plan.inputs.length > 0 ? plan : undefined;
  }

  /** A graph with inputs takes one stream of its kind: their frames can feed one graph only. */
  #claim(kind: MediaKind, streamId: number): void {
    const plan = this.#padPlan(kind);
    if (!plan) return;
    const owner = this.#padded.get(kind);
    if (owner === undefined) {
      this.#padded.set(kind, streamId);
      for (const name of plan.inputs) this.#extras.get(name)!.wanted.add(kind);
    } else if (owner !== streamId) {
      throw new ConfigError('inputs', `the ${kind} graph with inputs (${plan.inputs.map((n) => `[${n}]`).join(', ')}) filters one ${kind} stream; this pipeline has ${kind} streams ${owner} and ${streamId} (pick one at the source)`);
    }
  }

  protected async handle(input: Envelope): Promise<void> {
    if (input.type === 'stream' && input.kind !== 'subtitle' && this.#specFor(input.kind) !== undefined) {
      this.#claim(input.kind, input.streamId);
      // Announced at once, as it came: stages downstream count the streams before the first
      // frame. What the graph changes is announced again before its first frame.
      this.#inputs.set(input.streamId, input);
      this.#sent.set(input.streamId, signature(input));
      await this.gate.wait();
      this.pushOut(input);
      return;
    }
    if (input.type === 'frame' && this.#specFor(input.kind) !== undefined) {
      this.#claim(input.kind, input.streamId);
      await this.#filter(input);
      return;
    }
    await this.gate.wait();
    this.pushOut(input);
  }

  protected async finish(): Promise<void> {
    for (const s of this.#streams.values()) await s.pump.drain();
    // The stream has ended, and with it the graphs: what the inputs hold past it is not read.
    await Promise.all([...this.#extras.values()].map((x) => x.close()));
  }

  /** Once the inputs have closed too: a Filter that has closed holds nothing native, nor do they. */
  protected async release(): Promise<void> {
    this.#streams.clear();
    for (const pads of this.#pads.values()) for (const p of pads) for (const e of p.pending.splice(0)) drop(e);
    await Promise.all([...this.#extras.values()].map((x) => x.close()));
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
    const plan = this.#plans.get(env.kind)!;
    const refused = (err: unknown): never => {
      throw new ConfigError(env.kind, `FFmpeg refused the filter chain ${JSON.stringify(spec)} for these frames: ${(err as Error).message}`);
    };
    const { streamId, kind } = env;
    const pads = plan.mode === 'graph' ? await this.#padsFor(kind, plan) : [];
    // A plain chain gets labels of its own around it; a graph's labels are the caller's.
    const main = plan.mode === 'chain' ? 'in0' : 'in';
    const graph = await this.track(() => openMultiInputGraph(kind, [
      { name: main, params: sourceParams(kind, env.frame, env.timeBase) }, ...pads.map((p) => ({ name: p.name, params: p.params })),
    ], plan.mode === 'chain' ? `[in0]${spec}[out0]` : spec, plan.mode === 'chain' ? 'out0' : plan.output)).catch(refused);
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
    const state: StreamState = { key, pump: undefined as unknown as CodecPump<FrameEnvelope, Envelope> };
    /** Pads ended in this graph. */
    const closed = new Set<string>();
    const run = async (feeds: readonly GraphFeed[], op: string): Promise<Envelope[]> => {
      const frames = await this.track(() => graph.run(feeds)).catch((err: unknown) => { throw toFFmpegError(`${op} (${spec})`, err); });
      // Video frames are large: hand their buffers back as soon as the graph has its own reference.
      if (kind === 'video') for (const f of feeds) for (const fr of f.frames) releaseFrame(fr, frames);
      return out(frames);
    };
    const port = new BatchPort<FrameEnvelope, Envelope>(
      async (e) => {
        const feeds: GraphFeed[] = [{ name: main, frames: [e.frame] }];
        for (const pad of pads) feeds.push(await this.#feed(pad, e, closed));
        return run(feeds, 'filter');
      },
      async () => {
        const feeds: GraphFeed[] = [{ name: main, frames: [], eof: state.endPts ?? true }];
        for (const pad of pads) {
          if (closed.has(pad.name)) continue;
          closed.add(pad.name);
          const frames = pad.pending.splice(0).map((p) => this.#take(pad, p));
          feeds.push({ name: pad.name, frames, eof: pad.reached ?? true });
        }
        return run(feeds, 'end filter');
      },
    );
    state.pump = new CodecPump(port, this.pumpSink(), 'Filter');
    this.#streams.set(env.streamId, state);
    return state;
  }

  /** The pads of `kind`'s graph: each input's first frame of that kind says what its buffer source takes. */
  async #padsFor(kind: MediaKind, plan: Extract<GraphPlan, { mode: 'graph' }>): Promise<Pad[]> {
    const made = this.#pads.get(kind);
    if (made) return made;
    const pads: Pad[] = [];
    // Registered before the reads, so that a failure among them still releases what was read.
    this.#pads.set(kind, pads);
    for (const name of plan.inputs) {
      const source = this.#extras.get(name)!;
      source.wanted.add(kind);
      const first = await source.next(kind);
      if (!first) throw new ConfigError(`inputs.${name}`, `has no ${kind} frames for the pad [${name}] of ${JSON.stringify(this.#specFor(kind))}`);
      pads.push({ name, source, params: sourceParams(kind, first.frame, first.timeBase), timeBase: first.timeBase, pending: [first], done: false });
    }
    return pads;
  }

  /** Notes how far a pad has been fed; returns the frame to feed. */
  #take(pad: Pad, env: FrameEnvelope): Frame {
    const pts = env.frame.pts;
    if (pts !== null && pts !== undefined) {
      pad.lastPts = BigInt(pts);
      pad.reached = pad.lastPts + frameLength(env);
    }
    return env.frame;
  }

  /**
   * Whether the pad's input has not yet reached the stream's frame `main`: overlay's frame sync
   * gives a frame out once every input has one at or after it, amix once every input has
   * samples to its end.
   */
  #behind(pad: Pad, main: FrameEnvelope): boolean {
    if (pad.lastPts === undefined || pad.reached === undefined) return true;
    const pts = main.frame.pts;
    if (pts === null || pts === undefined) return false;
    if (compareTs(pad.lastPts, pad.timeBase, pts, main.timeBase) < 0) return true;
    return compareTs(pad.reached, pad.timeBase, BigInt(pts) + frameLength(main), main.timeBase) < 0;
  }

  /** What a pad gets beside the stream's frame `main`: its input's frames up to there, and its end once it has ended. */
  async #feed(pad: Pad, main: FrameEnvelope, closed: Set<string>): Promise<GraphFeed> {
    const frames = pad.pending.splice(0).map((p) => this.#take(pad, p));
    while (!pad.done && this.#behind(pad, main)) {
      const next = await pad.source.next(main.kind);
      if (!next) {
        pad.done = true;
        break;
      }
      frames.push(this.#take(pad, next));
      // A frame without a time cannot be placed against the stream: one per frame of the stream.
      if (next.frame.pts === null || next.frame.pts === undefined) break;
    }
    if (!pad.done || closed.has(pad.name)) return { name: pad.name, frames };
    closed.add(pad.name);
    return { name: pad.name, frames, eof: pad.reached ?? true };
  }

  /** The descriptor of a filtered stream, from its input's and the graph's first output frame; undefined when unchanged. */
  #describe(streamId: number, f: Frame, timeBase: Rational, frameRate: Rational | undefined): StreamDescriptor | undefined {
    const input = this.#inputs.get(streamId);
    const kind: MediaKind = input && input.kind !== 'subtitle' ? input.kind : f.width > 0 ? 'video' : 'audio';
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
