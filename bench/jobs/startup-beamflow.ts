/**
 * Startup: to the first packet of MPEG-TS written to stdout (1280×720 test
 * pattern, libx264 ultrafast, zero latency). Taken in-process from the start
 * of the process (performance.now()'s origin), so loading beamflow's modules
 * and beamcoder's addon is inside it; the parent also times spawn → first
 * byte, as for the ffmpeg command line.
 *
 *   node --import tsx bench/jobs/startup-beamflow.ts
 */
import type { Writable } from 'node:stream';
import { reportFromJob } from './report.js';

const [{ testPattern }, { Encoder }, { Muxer, Rescaler }, { pipeline }] = await Promise.all([
  import('@beamflow/core'), import('@beamflow/encoder'), import('@beamflow/muxer'), import('node:stream/promises'),
]);
let firstPacket: number | undefined;
const muxer = new Muxer({ format: 'mpegts' });
muxer.once('data', () => {
  firstPacket = performance.now();
});
await pipeline(
  testPattern({ video: { width: 1280, height: 720, frameRate: 25 }, frames: 25 }),
  new Encoder({ video: { codec: 'libx264', preset: 'ultrafast', options: { tune: 'zerolatency' } } }),
  new Rescaler(),
  muxer,
  process.stdout as Writable,
);
reportFromJob({ firstPacketMs: firstPacket });
