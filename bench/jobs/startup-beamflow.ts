/**
 * Startup: from the import of beamflow's packages to the first packet of
 * MPEG-TS written to stdout (1280×720 test pattern, libx264 ultrafast,
 * zero latency). The time is taken in-process from just before the imports;
 * the parent also times spawn → first byte, as for the ffmpeg command line.
 *
 *   node --import tsx bench/jobs/startup-beamflow.ts
 */
import type { Writable } from 'node:stream';
import { reportFromJob } from '../lib.js';

const t0 = performance.now();
const [{ testPattern }, { Encoder }, { Muxer, Rescaler }, { pipeline }] = await Promise.all([
  import('@beamflow/core'), import('@beamflow/encoder'), import('@beamflow/muxer'), import('node:stream/promises'),
]);
const imported = performance.now() - t0;
let firstPacket: number | undefined;
const muxer = new Muxer({ format: 'mpegts' });
muxer.once('data', () => {
  firstPacket = performance.now() - t0;
});
await pipeline(
  testPattern({ video: { width: 1280, height: 720, frameRate: 25 }, frames: 25 }),
  new Encoder({ video: { codec: 'libx264', preset: 'ultrafast', options: { tune: 'zerolatency' } } }),
  new Rescaler(),
  muxer,
  process.stdout as Writable,
);
reportFromJob({ importMs: imported, firstPacketMs: firstPacket, sinceProcessStartMs: (firstPacket ?? 0) + t0 });
