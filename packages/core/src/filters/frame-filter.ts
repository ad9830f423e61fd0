/**
 * Base of the frame filters (Scaler, Resampler): a stage that changes frames
 * of one kind and passes everything else through in order.
 *
 * Protocol
 * - construct: options are validated by the subclass; nothing native yet.
 * - transform: a {@link StreamDescriptor} of the filtered kind is rewritten
 *   (new size, format, rate) and passed on; the first frame of each stream
 *   opens that stream's processor (an FFmpeg filter graph) from the frame's
 *   real properties, and a frame whose properties differ from the open
 *   processor's drains it and opens a new one, as the ffmpeg command line
 *   reconfigures its filter graph. Frames go through a {@link CodecPump}, so
 *   backpressure holds; other envelopes wait for demand, then pass. A video
 *   frame handed in is consumed: its buffers are released once the graph has
 *   taken its reference (unless it passes through unchanged).
 * - flush: every processor is drained, then the end travels on.
 * - destroy: waits for the native call in flight; graphs are dropped once.
 */
import { CodecPump, CodecStage, type CodecStageOptions } from '../codec-pump.js';
import { BatchPort } from '../batch-port.js';
import type { Envelope, FrameEnvelope, MediaKind, StreamDescriptor } from '../envelopes.js';
import { toFFmpegError } from '../errors.js';
import { releaseFrame, type Frame } from '../native.js';
import type { Rational } from '../rational.js';

/** What a subclass opens for one stream. */
export interface FrameProcessor {
  /** Properties of the input frames it was opened for; a frame that differs reopens it. */
  readonly key: string;
  /** Time base of the frames it outputs. */
  readonly timeBase: Rational;
  process(frame: Frame, timeBase: Rational): Promise<readonly Frame[]>;
  flush(): Promise<readonly Frame[]>;
}

interface StreamState {
  processor: FrameProcessor;
  pump: CodecPump<FrameEnvelope, Envelope>;
}

export abstract class FrameFilter extends CodecStage<Envelope, Envelope> {
  readonly #streams = new Map<number, StreamState>();

  protected constructor(
    protected readonly kind: MediaKind,
    opts: CodecStageOptions = {},
  ) {
    super(opts);
  }

  /** The descriptor this stage sends on for an input descriptor of its kind. */
  protected abstract describe(input: StreamDescriptor): StreamDescriptor;
  /** A short key of the frame's properties that the processor depends on. */
  protected abstract frameKey(frame: Frame): string;
  /** Open a processor for frames like `frame` (an {@link identityProcessor} when nothing needs to change). */
  protected abstract open(frame: Frame, timeBase: Rational): Promise<FrameProcessor>;

  protected async handle(input: Envelope): Promise<void> {
    if (input.type === 'frame' && input.kind === this.kind) {
      await this.#filter(input);
      return;
    }
    if (input.type === 'stream' && input.kind === this.kind) {
      await this.#forward(this.describe(input));
      return;
    }
    await this.#forward(input);
  }

  protected async finish(): Promise<void> {
    for (const s of this.#streams.values()) await s.pump.drain();
  }

  protected release(): void {
    this.#streams.clear();
  }

  async #forward(e: Envelope): Promise<void> {
    await this.gate.wait();
    this.pushOut(e);
  }

  async #filter(env: FrameEnvelope): Promise<void> {
    const key = this.frameKey(env.frame);
    let s = this.#streams.get(env.streamId);
    if (s && s.processor.key !== key) {
      await s.pump.drain();
      this.#streams.delete(env.streamId);
      s = undefined;
    }
    if (!s) {
      const processor = await this.track(() => this.open(env.frame, env.timeBase)).catch((err: unknown) => {
        throw toFFmpegError(`open ${this.constructor.name}`, err);
      });
      const { streamId, kind } = env;
      const out = (frame: Frame): FrameEnvelope => ({ type: 'frame', kind, frame, streamId, timeBase: processor.timeBase });
      const port = new BatchPort<FrameEnvelope, Envelope>(
        async (e) => {
          const frames = await this.track(() => processor.process(e.frame, e.timeBase));
          // Video frames are large: hand their buffers back as soon as the filter has its own reference.
          if (kind === 'video') releaseFrame(e.frame, frames);
          return frames.map(out);
        },
        async () => (await this.track(() => processor.flush())).map(out),
      );
      s = { processor, pump: new CodecPump(port, this.pumpSink(), this.constructor.name) };
      this.#streams.set(env.streamId, s);
    }
    await s.pump.write(env);
  }
}

/** A processor that passes frames on untouched. */
export function identityProcessor(key: string, timeBase: Rational): FrameProcessor {
  return {
    key,
    timeBase,
    process: async (frame) => [frame],
    flush: async () => [],
  };
}
