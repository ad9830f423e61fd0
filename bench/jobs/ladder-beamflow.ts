/**
 * A 3-rung HLS ladder with beamflow: one decodeFile → tee → per rung Scaler
 * (720/540/360 rows) → Encoder (libx264 veryfast crf 23 + AAC 128k) →
 * Rescaler → HLS Muxer (2 s segments, keyframes asked for by the Muxer).
 *
 *   node --import tsx bench/jobs/ladder-beamflow.ts IN DIR
 */
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { decodeFile, Scaler, tee } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';
import { reportFromJob } from './report.js';

const [input, dir] = process.argv.slice(2) as [string, string];
const rungs = [720, 540, 360];
const branches = tee(decodeFile(input), rungs.length);
const encoders = rungs.map(() => new Encoder({ video: { codec: 'libx264', preset: 'veryfast', crf: 23 }, audio: { codec: 'aac', bitRate: 128_000 } }));
await Promise.all(rungs.map((height, i) => pipeline(
  branches[i]!,
  new Scaler({ height, pixelFormat: 'yuv420p' }),
  encoders[i]!,
  new Rescaler(),
  new Muxer({ format: 'hls', output: join(dir, `${height}p`, 'index.m3u8'), hls: { segmentDuration: 2, playlistType: 'vod' } }),
)));
reportFromJob({ frames: encoders.reduce((n, e) => n + e.stats().framesIn, 0) });
