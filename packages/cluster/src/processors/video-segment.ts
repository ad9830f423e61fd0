/**
 * The `video-segment` processor: one segment of one rendition, encoded on
 * its own and written to shared storage.
 *
 * Protocol
 * - The data is checked (paths confined to the storage, settings from the
 *   whitelist); a bad job fails without retries.
 * - decode exactly [start, end) of the input (`decodeFile` with `start`/`end`:
 *   from the keyframe at `start`, frames before it dropped, frames from `end`
 *   on not shown), video only → timestamps made relative to the segment's
 *   first frame (for an HLS piece: then moved to the frame's place in the
 *   whole input, plus the flow's shift) → Scaler (size, 4:2:0) → Encoder
 *   (x264; the first frame of every encode is a keyframe, and no frame refers
 *   to another encode's, so GOPs are closed) → Rescaler → Muxer (MP4 piece, or
 *   an MPEG-TS HLS segment) under a temporary name, renamed into place when
 *   its trailer is written.
 * - The number of frames decoded must be the index's: a segment that gained
 *   or lost a frame at a join fails (InputError) instead of stitching a glitch.
 * - Progress: `job.updateProgress({ frames })` as frames leave the encoder
 *   (fire and forget: a slow Redis must not stall the encode).
 * - Cancelled (the flow's cancel key, or BullMQ's signal): the pipeline is
 *   aborted, the temporary file removed, and the job fails without retries.
 *   Killed (SIGKILL): only a `.partial-*` file is left; BullMQ's stalled-job
 *   check hands the segment to another worker, whose encode has the same
 *   frames, times and keyframes. The same bytes too with `mbtree: false`:
 *   with mb-tree and B-frames, Debian 12's libx264 reads 4 bytes past one of
 *   its own buffers (valgrind shows it in the ffmpeg command line as well),
 *   so its output can depend on what the heap held there.
 */
import { statSync } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Job } from 'bullmq';
import { decodeFile, InputError, Scaler, type Envelope } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';
import { checkVideoSegmentData, type VideoSegmentData } from '../job-data.js';
import { resolveInStorage, writeAtomically } from '../storage.js';
import { cancellation, cancelledFailure, reportProgress, type ProcessorContext } from './context.js';

/** What a finished segment reports (its job's return value). */
export interface VideoSegmentResult {
  segment: number;
  rung: number;
  /** The segment file, relative to the storage root. */
  file: string;
  frames: number;
  bytes: number;
  /** Milliseconds the encode took (for the benchmark's model). */
  ms: number;
}

/** The segment file of a rendition, relative to the storage root. */
export function segmentFile(work: string, rung: number, index: number, container: 'mp4' | 'mpegts'): string {
  return `${work}/r${rung}/seg-${String(index).padStart(5, '0')}.${container === 'mp4' ? 'mp4' : 'ts'}`;
}

/**
 * Moves frame timestamps so the segment's first frame is at `base` (ticks of the frames' own
 * time base) and counts the frames.
 */
class Retime extends Transform {
  frames = 0;
  #first: number | undefined;

  constructor(private readonly base: number) {
    super({ objectMode: true, highWaterMark: 2 });
  }

  override _transform(e: Envelope, _enc: BufferEncoding, cb: TransformCallback): void {
    if (e.type === 'frame' && e.kind === 'video') {
      const pts = e.frame.pts;
      if (typeof pts === 'number') {
        this.#first ??= pts;
        e.frame.pts = pts - this.#first + this.base;
      }
      this.frames++;
    }
    cb(null, e);
  }
}

/** Counts encoded video packets and reports them as progress. */
class Progress extends Transform {
  frames = 0;
  #last = 0;

  constructor(private readonly job: Job, private readonly interval: number) {
    super({ objectMode: true, highWaterMark: 4 });
  }

  override _transform(e: Envelope, _enc: BufferEncoding, cb: TransformCallback): void {
    if (e.type === 'packet' && e.kind === 'video') {
      this.frames++;
      const now = Date.now();
      if (now - this.#last >= this.interval) {
        this.#last = now;
        reportProgress(this.job, { frames: this.frames });
      }
    }
    cb(null, e);
  }
}

/** Encode the segment a `video-segment` job names. */
export async function processVideoSegment(job: Job, ctx: ProcessorContext, bullSignal?: AbortSignal): Promise<VideoSegmentResult> {
  const data: VideoSegmentData = checkVideoSegmentData(job.data);
  const input = resolveInStorage(ctx.storage, data.input, 'data.input');
  const rel = segmentFile(data.work, data.rung, data.segment.index, data.container);
  const out = resolveInStorage(ctx.storage, rel, 'data.work');
  const seg = data.segment;
  const v = data.video;
  const threads = v.threads ?? ctx.threads;
  const tb = { num: data.timeBase[0], den: data.timeBase[1] };
  // HLS pieces carry their place in the whole input (plus the flow's shift); MP4 pieces start at
  // zero and the stitch moves them.
  const base = data.container === 'mpegts' ? Number(BigInt(seg.firstPts) + BigInt(Math.round((data.shift * tb.den) / tb.num))) : 0;
  const cancel = cancellation(ctx, data.flow, bullSignal);
  const started = Date.now();
  try {
    const { frames, retimed } = await writeAtomically(out, async (tmp) => {
      const retime = new Retime(base);
      const progress = new Progress(job, ctx.progressInterval);
      await pipeline([
        decodeFile(input, {
          ...(seg.index > 0 ? { start: seg.start } : {}),
          ...(seg.end !== null ? { end: seg.end } : {}),
          audio: false,
          ...(threads !== undefined ? { threads } : {}),
        }),
        retime,
        new Scaler({ ...(v.width && v.height ? { width: v.width, height: v.height } : {}), pixelFormat: 'yuv420p' }),
        new Encoder({
          video: {
            codec: 'h264',
            preset: v.preset ?? 'veryfast',
            crf: v.crf ?? 23,
            ...(v.bitRate !== undefined ? { bitRate: v.bitRate } : {}),
            ...(v.profile !== undefined ? { profile: v.profile } : {}),
            ...(v.maxBFrames !== undefined ? { maxBFrames: v.maxBFrames } : {}),
            ...(v.gopSize !== undefined ? { gopSize: v.gopSize } : {}),
            ...(threads !== undefined ? { threads } : {}),
            ...(v.mbtree !== undefined ? { options: { mbtree: v.mbtree } } : {}),
          },
        }),
        new Rescaler(),
        progress,
        new Muxer({ format: data.container, output: tmp }),
      ], { signal: cancel.signal });
      if (retime.frames !== seg.frames) {
        throw new InputError(data.input, `segment ${seg.index} [${seg.start}, ${seg.end ?? 'end'}) decoded ${retime.frames} frames where the index has ${seg.frames}: the cut is not frame exact here`);
      }
      return { frames: progress.frames, retimed: retime.frames };
    });
    if (frames !== retimed) throw new InputError(data.input, `segment ${seg.index}: ${retimed} frames in, ${frames} encoded`);
    reportProgress(job, { frames });
    return { segment: seg.index, rung: data.rung, file: rel, frames, bytes: statSync(out).size, ms: Date.now() - started };
  } catch (err) {
    if (cancel.cancelled()) throw cancelledFailure(job);
    throw err;
  } finally {
    cancel.stop();
  }
}
