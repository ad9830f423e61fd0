/**
 * The source end of every command's pipeline. It does three things the
 * library's sources do not need to:
 *
 * - Look ahead at the stream descriptors before any stage is built: the HLS
 *   ladder needs the frame rate (keyframes on segment boundaries) and a bad
 *   input fails here, before an output file is created.
 * - Stop cleanly. Ctrl-C ends the stream instead of destroying it, as ffmpeg's
 *   `q` does: the Encoder drains its delayed frames and the Muxer writes its
 *   trailer through the ordinary end-of-stream path, which works for every
 *   output, stdout included (the abort path finalizes files only).
 * - Count the video frames taken from the input, across every encoder of a
 *   ladder.
 */
import { Readable } from 'node:stream';
import { type Envelope, type StreamDescriptor } from '@beamflow/core';

/** What the source announced before its first frame. */
export interface SourceInfo {
  streams: StreamDescriptor[];
  video: StreamDescriptor | undefined;
  audio: StreamDescriptor | undefined;
  /** Frames per second of the video, when announced. */
  frameRate: number | undefined;
  /** Length in seconds, when announced (the longest stream's). */
  duration: number | undefined;
}

export class SourceGate {
  readonly info: SourceInfo;
  /** The stream to put at the head of the pipeline. */
  readonly readable: Readable;
  #videoFrames = 0;
  #stopped = false;

  private constructor(source: Readable, iterator: AsyncIterator<Envelope>, ahead: Envelope[]) {
    const streams = ahead.filter((e): e is StreamDescriptor => e.type === 'stream');
    const video = streams.find((d) => d.kind === 'video');
    let duration: number | undefined;
    for (const d of streams) {
      if (d.duration !== undefined) duration = Math.max(duration ?? 0, (Number(d.duration) * d.timeBase.num) / d.timeBase.den);
    }
    this.info = {
      streams,
      video,
      audio: streams.find((d) => d.kind === 'audio'),
      frameRate: video?.frameRate ? video.frameRate.num / video.frameRate.den : undefined,
      duration,
    };
    // One item in flight: frames are large and the stages behind keep their own small queues.
    this.readable = Readable.from(this.#items(iterator, ahead), { objectMode: true, highWaterMark: 1 });
    this.readable.once('close', () => {
      if (!source.destroyed) source.destroy();
    });
  }

  /**
   * Read `source` up to its first frame (or packet), keeping what was read for
   * the pipeline. Rejects with the source's error (a missing or unreadable input).
   */
  static async open(source: Readable): Promise<SourceGate> {
    const iterator = (source as AsyncIterable<Envelope>)[Symbol.asyncIterator]();
    const ahead: Envelope[] = [];
    for (;;) {
      const r = await iterator.next();
      if (r.done) break;
      ahead.push(r.value);
      if (r.value.type !== 'stream') break;
    }
    return new SourceGate(source, iterator, ahead);
  }

  /** End the stream at the next item: everything downstream drains and finalizes. */
  stop(): void {
    this.#stopped = true;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Video frames handed to the pipeline so far. */
  get videoFrames(): number {
    return this.#videoFrames;
  }

  async *#items(iterator: AsyncIterator<Envelope>, ahead: Envelope[]): AsyncGenerator<Envelope> {
    try {
      for (const e of ahead.splice(0)) {
        if (this.#stopped) return;
        this.#count(e);
        yield e;
      }
      for (;;) {
        if (this.#stopped) return;
        const r = await iterator.next();
        if (r.done || this.#stopped) return;
        this.#count(r.value);
        yield r.value;
      }
    } finally {
      // Ends (and frees) the source whether the stream ended, was stopped or failed.
      await iterator.return?.();
    }
  }

  #count(e: Envelope): void {
    if (e.type === 'frame' && e.kind === 'video') this.#videoFrames++;
  }
}
