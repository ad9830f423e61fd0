/**
 * `Resampler`: changes the sample rate, sample format and channel layout of
 * audio frames (FFmpeg's swresample, through an `aresample`/`aformat` graph)
 * and re-chunks them to a fixed number of samples per frame, which AAC (1024)
 * and Opus (960) require. Video frames and other envelopes pass through.
 *
 * Protocol: see {@link FrameFilter}. Output timestamps are counted in samples
 * of the output rate from the first frame's pts ({@link AudioChunker}), so
 * they stay exact over any length. At end of input the last, shorter chunk is
 * emitted as is. The conversion graph is ended at the end of input (and
 * before it is replaced for frames of another format), so swresample's
 * delayed samples come out too: no tail is lost.
 */
import { ConfigError } from '../errors.js';
import type { StreamDescriptor } from '../envelopes.js';
import { beamcoder, type Frame } from '../native.js';
import { rescale, type Rational } from '../rational.js';
import { positiveInt } from '../validate.js';
import { AudioChunker, sampleFormatInfo } from './audio-chunker.js';
import { FrameFilter, type FrameProcessor } from './frame-filter.js';
import { openGraph, type FilterGraph } from './graph.js';

/** Options of {@link Resampler}; anything left out is kept from the input. */
export interface ResamplerOptions {
  sampleRate?: number;
  sampleFormat?: string;
  /** FFmpeg's layout name: 'mono', 'stereo', '5.1'... */
  channelLayout?: string;
  /** Samples per output frame (1024 for AAC). Left out: frames keep their sizes. */
  frameSize?: number;
  highWaterMark?: number;
}

const LAYOUTS: Record<string, number> = { mono: 1, stereo: 2, '2.1': 3, '3.0': 3, quad: 4, '4.0': 4, '5.0': 5, '5.1': 6, '6.1': 7, '7.1': 8 };

/** Channel count of a layout name. @internal */
export function layoutChannels(layout: string): number | undefined {
  return LAYOUTS[layout];
}

/** Default layout for a channel count. @internal */
export function defaultChannelLayout(channels: number): string {
  return Object.entries(LAYOUTS).find(([, n]) => n === channels)?.[0] ?? `${channels}c`;
}

/**
 * Convert and re-chunk audio.
 *
 * @example
 * ```ts
 * new Resampler({ sampleRate: 48000, sampleFormat: 'fltp', channelLayout: 'stereo', frameSize: 1024 })
 * ```
 */
export class Resampler extends FrameFilter {
  readonly #rate: number | undefined;
  readonly #format: string | undefined;
  readonly #layout: string | undefined;
  readonly #frameSize: number | undefined;

  constructor(opts: ResamplerOptions = {}) {
    super('audio', { writableHighWaterMark: opts.highWaterMark ?? 8, readableHighWaterMark: opts.highWaterMark ?? 8 });
    this.#rate = opts.sampleRate === undefined ? undefined : positiveInt('sampleRate', opts.sampleRate, 768_000);
    if (opts.sampleFormat !== undefined) {
      const all = Object.keys(beamcoder().sample_fmts());
      if (!all.includes(opts.sampleFormat)) {
        throw new ConfigError('sampleFormat', `unknown sample format ${JSON.stringify(opts.sampleFormat)}; allowed: ${all.join(', ')}`, all);
      }
    }
    this.#format = opts.sampleFormat;
    if (opts.channelLayout !== undefined && layoutChannels(opts.channelLayout) === undefined) {
      throw new ConfigError('channelLayout', `unknown channel layout ${JSON.stringify(opts.channelLayout)}; allowed: ${Object.keys(LAYOUTS).join(', ')}`, Object.keys(LAYOUTS));
    }
    this.#layout = opts.channelLayout;
    this.#frameSize = opts.frameSize === undefined ? undefined : positiveInt('frameSize', opts.frameSize, 1 << 20);
  }

  protected describe(input: StreamDescriptor): StreamDescriptor {
    const rate = this.#rate ?? input.codecpar.sample_rate;
    const layout = this.#layout ?? input.codecpar.channel_layout;
    return {
      ...input,
      timeBase: rate ? { num: 1, den: rate } : input.timeBase,
      codecpar: {
        ...input.codecpar,
        ...(rate ? { sample_rate: rate } : {}),
        ...(this.#format ? { format: this.#format } : {}),
        ...(layout ? { channel_layout: layout, channels: layoutChannels(layout) ?? input.codecpar.channels } : {}),
        ...(this.#frameSize ? { frame_size: this.#frameSize } : {}),
      },
    };
  }

  protected frameKey(_frame: Frame): string {
    // The processor reconfigures its own conversion graph on a format change,
    // keeping its re-chunker and timestamps: one processor per stream.
    return 'audio';
  }

  protected async open(frame: Frame, timeBase: Rational): Promise<FrameProcessor> {
    const opts: AudioTarget = {};
    if (this.#rate !== undefined) opts.sampleRate = this.#rate;
    if (this.#format !== undefined) opts.sampleFormat = this.#format;
    if (this.#layout !== undefined) opts.channelLayout = this.#layout;
    if (this.#frameSize !== undefined) opts.frameSize = this.#frameSize;
    return openAudioProcessor(opts, frame, timeBase, this.frameKey(frame));
  }
}

/** What {@link openAudioProcessor} converts to; left out = as the input. @internal */
export interface AudioTarget {
  sampleRate?: number;
  sampleFormat?: string;
  channelLayout?: string;
  frameSize?: number;
}

/** Audio key of a frame: the properties a converter depends on. @internal */
export function audioFrameKey(frame: Frame): string {
  return `${frame.sample_rate}/${frame.format}/${frame.channel_layout}/${frame.channels}`;
}


/**
 * Open a converter + re-chunker whose output format is fixed by `target` and
 * the first frame. A later frame of another rate, format or layout gets a new
 * conversion graph (as the ffmpeg command line reconfigures its filters) while
 * the re-chunker and the sample-counted timestamps carry on, so the output
 * stays gap-free and exact. Shared by Resampler and Encoder. @internal
 */
export async function openAudioProcessor(target: AudioTarget, frame: Frame, timeBase: Rational, key = audioFrameKey(frame)): Promise<FrameProcessor> {
  const firstLayout = (frame.channel_layout as string) || defaultChannelLayout(frame.channels);
  const rate = target.sampleRate ?? frame.sample_rate;
  const fmt = target.sampleFormat ?? (frame.format as string);
  const layout = target.channelLayout ?? firstLayout;
  const channels = layoutChannels(layout) ?? frame.channels;
  const outTb: Rational = { num: 1, den: rate };
  sampleFormatInfo(fmt);
  const graphFor = async (f: Frame, tb: Rational): Promise<FilterGraph | undefined> => {
    const inLayout = (f.channel_layout as string) || defaultChannelLayout(f.channels);
    if (f.sample_rate === rate && f.format === fmt && inLayout === layout) return undefined;
    return openGraph('audio', f, tb, `aresample=${rate},aformat=sample_fmts=${fmt}:channel_layouts=${layout}`, {
      sampleRate: rate, sampleFormat: fmt, channelLayout: layout,
    });
  };
  let graphKey = audioFrameKey(frame);
  let filterer = await graphFor(frame, timeBase);
  const chunker = target.frameSize ? new AudioChunker(target.frameSize, fmt, rate, channels, layout) : undefined;
  // Counted in output samples from the first frame's pts, so timestamps never drift.
  let nextPts: bigint | undefined;
  const stamp = (f: Frame, pts: bigint | undefined): bigint => {
    nextPts ??= pts ?? 0n;
    const p = nextPts;
    nextPts += BigInt(f.nb_samples);
    return p;
  };
  const emit = (converted: readonly Frame[], inPts: bigint | undefined, out: Frame[]): void => {
    for (const c of converted) {
      const pts = stamp(c, inPts);
      if (chunker) out.push(...chunker.push(c, pts));
      else {
        c.pts = Number(pts);
        out.push(c);
      }
    }
  };
  /** Ends the conversion graph: the samples swresample still holds. */
  const drain = async (): Promise<Frame[]> => (filterer ? filterer.end() : []);
  return {
    key,
    timeBase: outTb,
    process: async (f, tb) => {
      const out: Frame[] = [];
      const k = audioFrameKey(f);
      if (k !== graphKey) {
        emit(await drain(), undefined, out);
        filterer = await graphFor(f, tb);
        graphKey = k;
      }
      const inPts = f.pts === null || f.pts === undefined ? undefined : rescale(BigInt(f.pts), tb, outTb);
      emit(filterer ? await filterer.run(f) : [f], inPts, out);
      return out;
    },
    flush: async () => {
      const out: Frame[] = [];
      emit(await drain(), undefined, out);
      if (chunker) out.push(...chunker.flush());
      return out;
    },
  };
}
