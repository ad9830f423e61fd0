/**
 * One-input, one-output libavfilter graphs, opened for frames like a given
 * one: what the Scaler, the Filter stage, autorotate (in the sources) and a
 * constant frame rate (in the Encoder) run frames through. A graph is ended at
 * the end of its input so that filters holding frames (fps, a resampler) give
 * them up, and it says the time base and frame rate of what it outputs.
 * @internal
 */
import { beamcoder, type Frame } from '../native.js';
import { reduce, toTuple, type Rational } from '../rational.js';
import type { MediaKind } from '../envelopes.js';
import { defaultChannelLayout } from './resampler.js';

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

/** Opens `spec` (`scale=640:360`, `transpose=clock`, `fps=30`, `volume=0.5`) for frames like `frame`. */
export async function openGraph(kind: MediaKind, frame: Frame, timeBase: Rational, spec: string, out: GraphOutput = {}): Promise<FilterGraph> {
  const input: Record<string, unknown> = { name: 'in0', timeBase: toTuple(timeBase) };
  const output: Record<string, unknown> = { name: 'out0' };
  if (kind === 'video') {
    const sar = (frame.sample_aspect_ratio as [number, number] | undefined) ?? [1, 1];
    Object.assign(input, { width: frame.width, height: frame.height, pixelFormat: frame.format as string, pixelAspect: sar[0] > 0 ? sar : [1, 1] });
    if (out.pixelFormat) output.pixelFormat = out.pixelFormat;
  } else {
    Object.assign(input, {
      sampleRate: frame.sample_rate, sampleFormat: frame.format as string,
      channelLayout: (frame.channel_layout as string) || defaultChannelLayout(frame.channels),
    });
    if (out.sampleRate) output.sampleRate = out.sampleRate;
    if (out.sampleFormat) output.sampleFormat = out.sampleFormat;
    if (out.channelLayout) output.channelLayout = out.channelLayout;
  }
  const filterer = await beamcoder().filterer({
    filterType: kind, inputParams: [input], outputParams: [output], filterSpec: `[in0]${spec}[out0]`,
  } as never);
  const info: { timeBase?: Rational; frameRate?: Rational } = {};
  const call = async (src: Record<string, unknown>): Promise<Frame[]> => {
    const res = (await filterer.filter([src] as never)) as unknown as Array<{ frames: Frame[]; timeBase?: [number, number]; frameRate?: [number, number] }>;
    const r = res[0];
    if (r?.timeBase && r.timeBase[1] > 0) info.timeBase = reduce(r.timeBase);
    if (r?.frameRate && r.frameRate[0] > 0 && r.frameRate[1] > 0) info.frameRate = reduce(r.frameRate);
    return r?.frames ?? [];
  };
  return {
    run: (f) => call({ name: 'in0', frames: [f] }),
    end: (endPts) => call({ name: 'in0', frames: [], eof: endPts === undefined ? true : Number(endPts) }),
    output: info,
  };
}
