/**
 * Encode only with beamflow: the 1080p test pattern → libx264 ultrafast →
 * MPEG-TS bytes into a Node stream (this process's stdout, read by the parent).
 * With `source` as the first argument, the source alone: frames counted and
 * dropped.
 *
 *   node --import tsx bench/jobs/encode-beamflow.ts FRAMES [source]
 */
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { testPattern } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';
import { reportFromJob } from './report.js';

const frames = Number(process.argv[2]);
const source = (): ReturnType<typeof testPattern> => testPattern({ video: { width: 1920, height: 1080, frameRate: 25 }, frames });
const t0 = performance.now();
if (process.argv[3] === 'source') {
  let n = 0;
  for await (const e of source()) if (e.type === 'frame') n++;
  reportFromJob({ frames: n, runMs: performance.now() - t0 });
} else {
  const encoder = new Encoder({ video: { codec: 'libx264', preset: 'ultrafast' } });
  await pipeline(source(), encoder, new Rescaler(), new Muxer({ format: 'mpegts' }), process.stdout as Writable);
  reportFromJob({ frames: encoder.stats().framesIn, runMs: performance.now() - t0 });
}
