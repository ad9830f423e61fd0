/**
 * libavfilter graphs, opened for frames like given ones: what the Scaler, the
 * Filter stage, autorotate (in the sources) and a constant frame rate (in the
 * Encoder) run frames through. Most have one input and one output
 * ({@link openGraph}); the Filter's graphs with extra inputs (overlay, amix)
 * have several named inputs ({@link openMultiInputGraph}). A graph's inputs
 * are ended at the end so that filters holding frames (fps, a resampler) give
 * them up, and it says the time base and frame rate of what it outputs.
 * @internal
 */
import { beamcoder, type Frame } from '../native.js';
import { reduce, toTuple, type Rational } from '../rational.js';
import type { MediaKind } from '../envelopes.js';
import { defaultChannelLayout } from './resampler.js';
import { InlineBudget } from '../inline-budget.js';

/** A graph's output format, where the caller fixes it; anything left out is the graph's choice. */
export interface GraphOutput {
  pixelFormat?: string;
  sampleRate?: number;
  sampleFormat?: string;
  channelLayout?: string;
}

/** A running graph. */
export interface FilterGraph {
  /** Runs a frame through; what the graph gives back now. */
  run(frame: Frame): Promise<Frame[]>;
  /**
   * Ends the input (at `endPts`, in the input's time base, or at the last frame) and returns
   * what the graph still held: fps repeats its last frame to the end, as the command line's does.
   */
  end(endPts?: bigint): Promise<Frame[]>;
  /** Time base and frame rate of the output, known once the graph has given back a result. */
  readonly output: { timeBase?: Rational; frameRate?: Rational };
}

/** What a graph's buffer source is told of its input: size and format (or rate, format and layout) and time base. */
export type SourceParams = Record<string, unknown>;

/** The source parameters for frames like `frame`, whose pts count in `timeBase`. */
export function sourceParams(kind: MediaKind, frame: Frame, timeBase: Rational): SourceParams {
  if (kind === 'video') {
    const sar = (frame.sample_aspect_ratio as [number, number] | undefined) ?? [1, 1];
    return { timeBase: toTuple(timeBase), width: frame.width, height: frame.height, pixelFormat: frame.format as string, pixelAspect: sar[0] > 0 ? sar : [1, 1] };
  }
  return {
    timeBase: toTuple(timeBase), sampleRate: frame.sample_rate, sampleFormat: frame.format as string,
    channelLayout: (frame.channel_layout as string) || defaultChannelLayout(frame.channels),
  };
}

function sinkParams(kind: MediaKind, name: string, out: GraphOutput): Record<string, unknown> {
  const output: Record<string, unknown> = { name };
  if (kind === 'video') {
    if (out.pixelFormat) output.pixelFormat = out.pixelFormat;
  } else {
    if (out.sampleRate) output.sampleRate = out.sampleRate;
    if (out.sampleFormat) output.sampleFormat = out.sampleFormat;
    if (out.channelLayout) output.channelLayout = out.channelLayout;
  }
  return output;
}

/** One input's share of a graph run: frames, then, with `eof`, its end (at that pts, or `true`: at its last frame). */
export interface GraphFeed {
  name: string;
  frames: readonly Frame[];
  eof?: true | bigint;
}

/**
 * Graph calls averaging longer than this (µs) go to libuv's pool. Lower than the encoders'
 * budget: a 720p → 360p scale (~750 µs) run inline made the 60 s transcode slower (wall 5.0–5.3 s
 * against 4.6–5.1 s through the pool), because it holds the thread that feeds every other stage;
 * an audio conversion inline made a 2-minute WAV → AAC job 18 % faster.
 */
const GRAPH_INLINE_MAX_MICROS = 250;

/** A running graph of several named inputs and one output. */
export interface MultiInputGraph {
  /** Feeds each input its frames (and end), then returns what the output gives now. */
  run(feeds: readonly GraphFeed[]): Promise<Frame[]>;
  /** Time base and frame rate of the output, known once the graph has given back a result. */
  readonly output: { timeBase?: Rational; frameRate?: Rational };
}

/**
 * Opens a graph whose inputs are the named buffer sources of `sources` and whose output is the
 * sink `output`: `spec` wires them by label, as `-filter_complex` does (`[in][logo]overlay`).
 * Every input is of `kind` (FFmpeg's filterer takes one media type per graph).
 */
export async function openMultiInputGraph(
  kind: MediaKind, sources: ReadonlyArray<{ name: string; params: SourceParams }>, spec: string, output: string, out: GraphOutput = {},
): Promise<MultiInputGraph> {
  const filterer = await beamcoder().filterer({
    filterType: kind, inputParams: sources.map((s) => ({ name: s.name, ...s.params })), outputParams: [sinkParams(kind, output, out)], filterSpec: spec,
  } as never);
  const info: { timeBase?: Rational; frameRate?: Rational } = {};
  const budget = new InlineBudget(GRAPH_INLINE_MAX_MICROS);
  const run = async (feeds: readonly GraphFeed[]): Promise<Frame[]> => {
    const src = feeds.map((f) => ({ name: f.name, frames: f.frames, ...(f.eof === undefined ? {} : { eof: f.eof === true ? true : Number(f.eof) }) }));
    // An audio conversion (~10 µs a call) costs far less than the trip to the pool: run here while cheap.
    const inline = budget.inline && typeof filterer.filterInline === 'function';
    const res = (await (inline ? filterer.filterInline(src as never) : filterer.filter(src as never))) as unknown as
      Array<{ name: string; frames: Frame[]; timeBase?: [number, number]; frameRate?: [number, number] }> & { total_time: number };
    budget.record(res.total_time);
    const r = res.find((x) => x.name === output) ?? res[0];
    if (r?.timeBase && r.timeBase[1] > 0) info.timeBase = reduce(r.timeBase);
    if (r?.frameRate && r.frameRate[0] > 0 && r.frameRate[1] > 0) info.frameRate = reduce(r.frameRate);
    return r?.frames ?? [];
  };
  return { run, output: info };
}

/** Opens `spec` (`scale=640:360`, `transpose=clock`, `fps=30`, `volume=0.5`) for frames like `frame`. */
export async function openGraph(kind: MediaKind, frame: Frame, timeBase: Rational, spec: string, out: GraphOutput = {}): Promise<FilterGraph> {
  const graph = await openMultiInputGraph(kind, [{ name: 'in0', params: sourceParams(kind, frame, timeBase) }], `[in0]${spec}[out0]`, 'out0', out);
  return {
    run: (f) => graph.run([{ name: 'in0', frames: [f] }]),
    end: (endPts) => graph.run([{ name: 'in0', frames: [], eof: endPts ?? true }]),
    output: graph.output,
  };
}
