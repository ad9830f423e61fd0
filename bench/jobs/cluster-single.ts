/**
 * The single-process transcode the cluster benchmark compares against, with
 * the settings its workers use: decodeFile → Scaler 640×360 → Encoder (libx264
 * veryfast crf 23, THREADS x264 threads: 1 as each worker, or 0 for FFmpeg's
 * automatic count; AAC 128k) → Rescaler → Muxer → MP4 with its index first.
 *
 *   node --import tsx bench/jobs/cluster-single.ts IN OUT THREADS
 */
import { pipeline } from 'node:stream/promises';
import { decodeFile, Scaler } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';
import { reportFromJob } from './report.js';

const [input, output, threadsArg] = process.argv.slice(2) as [string, string, string];
const threads = Number(threadsArg);
const encoder = new Encoder({
  video: { codec: 'h264', preset: 'veryfast', crf: 23, threads },
  audio: { codec: 'aac', bitRate: 128_000 },
});
await pipeline(
  decodeFile(input, { threads }),
  new Scaler({ width: 640, height: 360, pixelFormat: 'yuv420p' }),
  encoder,
  new Rescaler(),
  new Muxer({ format: 'mp4', output, faststart: true }),
);
reportFromJob({ frames: encoder.stats().framesIn });
