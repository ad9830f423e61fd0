/**
 * The `audio` processor: the whole input's audio, encoded once (AAC), so the
 * output has no priming gap at the joins of the video segments: cutting the
 * audio per segment would give each piece its own encoder delay (1024
 * samples of silence for AAC) and a click at each join.
 *
 * Protocol
 * - decode the input's audio (from zero, as every beamflow source counts) →
 *   Encoder (AAC) → Rescaler → Muxer: an M4A file for an MP4 output, or an
 *   HLS audio rendition (playlist and MPEG-TS segments, its timestamps moved
 *   by the flow's shift as the video segments' are) for HLS; written under a
 *   temporary name and renamed into place.
 * - Cancelled or killed: as the video segments (see video-segment.ts).
 */
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Job } from 'bullmq';
import { decodeFile, type Envelope } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';
import { checkAudioData } from '../job-data.js';
import { resolveInStorage, writeAtomically } from '../storage.js';
import { cancellation, cancelledFailure, type ProcessorContext } from './context.js';

/** What the audio job reports. */
export interface AudioResult {
  /** The M4A file or the HLS rendition's directory, relative to the storage root. */
  file: string;
  packets: number;
  ms: number;
}

/** The audio piece of a flow, relative to the storage root. */
export function audioFile(work: string, container: 'mp4' | 'hls'): string {
  return container === 'mp4' ? `${work}/audio.m4a` : `${work}/audio`;
}

/** Adds a fixed number of seconds to audio frames (the HLS shift). */
class Shift extends Transform {
  constructor(private readonly seconds: number) {
    super({ objectMode: true, highWaterMark: 4 });
  }

  override _transform(e: Envelope, _enc: BufferEncoding, cb: TransformCallback): void {
    if (e.type === 'frame' && typeof e.frame.pts === 'number' && this.seconds > 0) {
      e.frame.pts += Math.round((this.seconds * e.timeBase.den) / e.timeBase.num);
    }
    cb(null, e);
  }
}

/** Encode the audio an `audio` job names. */
export async function processAudio(job: Job, ctx: ProcessorContext, bullSignal?: AbortSignal): Promise<AudioResult> {
  const data = checkAudioData(job.data);
  const input = resolveInStorage(ctx.storage, data.input, 'data.input');
  const rel = audioFile(data.work, data.container);
  const out = resolveInStorage(ctx.storage, rel, 'data.work');
  const a = data.audio;
  const cancel = cancellation(ctx, data.flow, bullSignal);
  const started = Date.now();
  try {
    const packets = await writeAtomically(out, async (tmp) => {
      const muxer = data.container === 'mp4'
        ? new Muxer({ format: 'mp4', output: tmp })
        : new Muxer({ format: 'hls', output: `${tmp}/index.m3u8`, hls: { segmentDuration: data.segmentSeconds, segmentFilename: 'seg-%05d.ts' } });
      await pipeline([
        decodeFile(input, { video: false }),
        new Shift(data.container === 'hls' ? data.shift : 0),
        new Encoder({
          audio: {
            codec: 'aac',
            bitRate: a.bitRate ?? 128_000,
            ...(a.sampleRate !== undefined ? { sampleRate: a.sampleRate } : {}),
            ...(a.channels !== undefined ? { channels: a.channels } : {}),
          },
        }),
        new Rescaler(),
        muxer,
      ], { signal: cancel.signal });
      return muxer.packetsWritten;
    });
    return { file: rel, packets, ms: Date.now() - started };
  } catch (err) {
    if (cancel.cancelled()) throw cancelledFailure(job);
    throw err;
  } finally {
    cancel.stop();
  }
}
