/**
 * The `stitch` processor: the flow's parent job, run once every child has
 * completed (BullMQ holds a parent in `waiting-children` until then).
 *
 * Protocol
 * - The data is checked; every child's return value must be there and say
 *   it encoded as many frames as the plan has for its segment.
 * - MP4: the pieces and the audio are joined by stream copy (stitch.ts) into
 *   a temporary file beside the output, renamed into place once its index is
 *   written (first). HLS: the pieces are moved into a temporary directory
 *   beside the output with their playlists, whose entries (each rendition's
 *   directory, audio/, master.m3u8 last) are then moved into the output
 *   directory, replacing only those: other files there are left alone.
 * - Then the flow's work directory is removed. A stitch that fails leaves the
 *   pieces where they are, so a retry of the stitch alone can use them.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Job } from 'bullmq';
import { InputError, demuxFile, type StreamDescriptor } from '@beamflow/core';
import { checkStitchData, type StitchData } from '../job-data.js';
import { resolveInStorage, writeAtomically } from '../storage.js';
import { stitchMp4, writeHlsPlaylists } from '../stitch.js';
import { cancellation, cancelledFailure, flowCancelled, type ProcessorContext } from './context.js';
import { audioFile } from './audio.js';
import { segmentFile, type VideoSegmentResult } from './video-segment.js';

/** What a finished transcode reports (the parent job's return value, and `TranscodeJob.done`'s). */
export interface TranscodeResult {
  /** The output (an MP4 file, or the HLS directory's master playlist), relative to the storage root. */
  output: string;
  format: 'mp4' | 'hls';
  /** Video frames in the output (per rendition). */
  frames: number;
  segments: number;
  /** Bytes of the MP4, or of every HLS file. */
  bytes: number;
  /** Milliseconds the stitch took, the segments' encodes took added up, and the audio's (for the model). */
  stitchMs: number;
  encodeMs: number;
  audioMs: number;
}

/** Bytes of every file under a directory. */
function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return n;
}

/** The first descriptor of a file. */
async function firstDescriptor(file: string): Promise<StreamDescriptor | undefined> {
  for await (const e of demuxFile(file)) {
    if ((e as { type: string }).type === 'stream') return e as StreamDescriptor;
  }
  return undefined;
}

function checkChildren(data: StitchData, values: Record<string, unknown>): { encodeMs: number; audioMs: number } {
  const done = new Map<string, VideoSegmentResult>();
  let audioMs = 0;
  for (const v of Object.values(values)) {
    const r = v as Partial<VideoSegmentResult> & { packets?: number; ms?: number } | null;
    if (r && typeof r.segment === 'number' && typeof r.rung === 'number') done.set(`${r.rung}/${r.segment}`, r as VideoSegmentResult);
    else if (r && typeof r.packets === 'number' && typeof r.ms === 'number') audioMs = r.ms;
  }
  let encodeMs = 0;
  data.rungs.forEach((_r, rung) => {
    for (const s of data.segments) {
      const r = done.get(`${rung}/${s.index}`);
      if (!r) throw new InputError(`segment ${s.index}`, `rendition ${rung}: no result from its job (was it removed?)`);
      if (r.frames !== s.frames) throw new InputError(`segment ${s.index}`, `rendition ${rung}: ${r.frames} frames encoded, the plan has ${s.frames}`);
      encodeMs += r.ms;
    }
  });
  return { encodeMs, audioMs };
}

/** Stitch a flow's pieces into its output. */
export async function processStitch(job: Job, ctx: ProcessorContext, bullSignal?: AbortSignal): Promise<TranscodeResult> {
  const data = checkStitchData(job.data);
  // Cancelling a flow removes its children, which releases this job: it must fail as cancelled
  // (never retried), not as a flow with missing pieces.
  if (await flowCancelled(ctx, data.flow)) throw cancelledFailure(job);
  const { encodeMs, audioMs } = checkChildren(data, await job.getChildrenValues());
  const out = resolveInStorage(ctx.storage, data.output, 'data.output');
  const work = resolveInStorage(ctx.storage, data.work, 'data.work');
  const container = data.format === 'mp4' ? 'mp4' : 'mpegts';
  const piece = (rung: number, index: number): string => resolveInStorage(ctx.storage, segmentFile(data.work, rung, index, container), 'data.work');
  const audio = data.audio ? resolveInStorage(ctx.storage, audioFile(data.work, data.format), 'data.work') : undefined;
  const timeBase = { num: data.timeBase[0], den: data.timeBase[1] };
  const frames = data.segments.reduce((n, s) => n + s.frames, 0);
  const cancel = cancellation(ctx, data.flow, bullSignal);
  const started = Date.now();
  try {
    let output = data.output;
    let bytes = 0;
    if (data.format === 'mp4') {
      await writeAtomically(out, (tmp) => stitchMp4({
        pieces: data.segments.map((s) => ({ file: piece(0, s.index), firstPts: BigInt(s.firstPts) })),
        timeBase, ...(audio ? { audio } : {}), output: tmp, signal: cancel.signal,
      }));
      bytes = statSync(out).size;
    } else {
      const video = await Promise.all(data.rungs.map(async (_r, i) => (await firstDescriptor(piece(i, 0)))!));
      const audioDesc = audio ? await firstDescriptor(join(audio, 'seg-00000.ts')) : undefined;
      // Built beside the output, then moved in entry by entry (master.m3u8, each rendition's
      // directory, audio/): whatever else the output directory holds is left alone.
      await writeAtomically(`${out}.beamflow-${data.flow}`, async (tmp) => {
        writeHlsPlaylists({
          dir: tmp,
          renditions: data.rungs.map((r, i) => ({ name: r.name, width: r.width, height: r.height, files: data.segments.map((s) => piece(i, s.index)) })),
          durations: data.segments.map((s) => s.duration),
          ...(audio ? { audioDir: audio } : {}),
          descriptors: { video, ...(audioDesc ? { audio: audioDesc } : {}) },
        });
      });
      const built = `${out}.beamflow-${data.flow}`;
      mkdirSync(out, { recursive: true });
      // The playlists last, so a player never finds a master that names what is not there yet.
      const entries = readdirSync(built).sort((a, b) => Number(a.endsWith('.m3u8')) - Number(b.endsWith('.m3u8')));
      for (const name of entries) {
        rmSync(join(out, name), { recursive: true, force: true });
        renameSync(join(built, name), join(out, name));
      }
      rmSync(built, { recursive: true, force: true });
      bytes = ['master.m3u8', ...data.rungs.map((r) => r.name), ...(audio ? ['audio'] : [])].reduce((n, e) => {
        const p = join(out, e);
        return n + (statSync(p).isDirectory() ? dirBytes(p) : statSync(p).size);
      }, 0);
      output = `${data.output}/master.m3u8`;
    }
    rmSync(work, { recursive: true, force: true });
    return { output, format: data.format, frames, segments: data.segments.length, bytes, stitchMs: Date.now() - started, encodeMs, audioMs };
  } catch (err) {
    if (cancel.cancelled()) throw cancelledFailure(job);
    throw err;
  } finally {
    cancel.stop();
  }
}
