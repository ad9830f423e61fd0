/**
 * Transcode with beamflow: decodeFile → Scaler 640×360 → Encoder (libx264
 * veryfast crf 23 + AAC) → Rescaler → Muxer → MP4 file. The stages run
 * concurrently; each native call runs on libuv's pool.
 *
 *   node --import tsx bench/jobs/transcode-beamflow.ts IN OUT
 */
import { pipeline } from 'node:stream/promises';
import { decodeFile, Scaler } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';
import { reportFromJob } from './report.js';

const [input, output] = process.argv.slice(2) as [string, string];
const encoder = new Encoder({
  video: { codec: 'libx264', preset: 'veryfast', crf: 23 },
  audio: { codec: 'aac', bitRate: 128_000 },
});
await pipeline(
  decodeFile(input),
  new Scaler({ width: 640, height: 360 }),
  encoder,
  new Rescaler(),
  new Muxer({ format: 'mp4', output }),
);
reportFromJob({ frames: encoder.stats().framesIn });
