/**
 * `fromFrames()`: a FrameSource over frames an application already has — an
 * array, a generator, an async generator — as envelopes or as bare beamcoder
 * frames. A stream descriptor is synthesized before the first frame of each
 * stream (from that frame's size, format, rate), so the stages downstream see
 * what they would from any other source. Iteration is pulled, so a slow
 * pipeline slows the generator.
 */
import { Readable } from 'node:stream';
import { ConfigError } from '../errors.js';
import type { Envelope, FrameEnvelope, MediaKind, StreamDescriptor } from '../envelopes.js';
import type { Frame } from '../native.js';
import { invert, toRational, type Rational, type RationalLike } from '../rational.js';

/** Options of {@link fromFrames} for bare frames. */
export interface FromFramesOptions {
  /** Frame rate of bare video frames (their time base is 1/frameRate). Default 25. */
  frameRate?: RationalLike;
  /** Time base of bare video frames' pts, when not 1/frameRate. */
  videoTimeBase?: RationalLike;
  highWaterMark?: number;
}

function isEnvelope(x: unknown): x is Envelope {
  return typeof x === 'object' && x !== null && ['frame', 'stream', 'packet'].includes((x as { type?: string }).type ?? '');
}

/**
 * Wrap frames as a FrameSource.
 *
 * @example
 * ```ts
 * function* frames() { for (let i = 0; i < 50; i++) yield makeFrame(i); }
 * await pipeline(fromFrames(frames(), { frameRate: 25 }), new Encoder({ video: { codec: 'h264' } }), ...);
 * ```
 */
export function fromFrames(frames: Iterable<Frame | Envelope> | AsyncIterable<Frame | Envelope>, opts: FromFramesOptions = {}): Readable {
  const rate: Rational = toRational(opts.frameRate ?? 25);
  const videoTb = opts.videoTimeBase ? toRational(opts.videoTimeBase) : invert(rate);
  async function* envelopes(): AsyncGenerator<Envelope> {
    const described = new Set<number>();
    let n = 0;
    for await (const item of frames as AsyncIterable<Frame | Envelope>) {
      let env: Envelope;
      if (isEnvelope(item)) env = item;
      else {
        const f = item as Frame;
        if (typeof f !== 'object' || f === null || (f as { type?: string }).type !== 'Frame') {
          throw new ConfigError(`frames[${n}]`, 'must be a beamcoder Frame or a beamflow envelope');
        }
        const kind: MediaKind = f.width > 0 ? 'video' : 'audio';
        const timeBase = kind === 'video' ? videoTb : { num: 1, den: f.sample_rate };
        env = { type: 'frame', kind, frame: f, streamId: kind === 'video' ? 0 : 1, timeBase } satisfies FrameEnvelope;
      }
      n++;
      if (env.type === 'stream') described.add(env.streamId);
      else if (!described.has(env.streamId)) {
        described.add(env.streamId);
        if (env.type === 'frame') yield describe(env, rate);
      }
      yield env;
    }
  }
  return Readable.from(envelopes(), { objectMode: true, highWaterMark: opts.highWaterMark ?? 2 });
}

function describe(env: FrameEnvelope, rate: Rational): StreamDescriptor {
  const f = env.frame;
  if (env.kind === 'video') {
    return {
      type: 'stream', streamId: env.streamId, kind: 'video', timeBase: env.timeBase, frameRate: rate, coded: false,
      codecpar: { codec_type: 'video', name: 'rawvideo', width: f.width, height: f.height, format: f.format as string },
    };
  }
  return {
    type: 'stream', streamId: env.streamId, kind: 'audio', timeBase: env.timeBase, coded: false,
    codecpar: { codec_type: 'audio', name: 'pcm', sample_rate: f.sample_rate, channels: f.channels, channel_layout: f.channel_layout as string, format: f.format as string },
  };
}
