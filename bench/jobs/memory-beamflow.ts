/**
 * Bounded memory: the 1080p test pattern → libx264 ultrafast → Rescaler into
 * a sink that takes 5 packets a second, far slower than the encoder makes
 * them. Backpressure must stop the source; the parent samples this process's
 * RSS from /proc for as long as it lets it run.
 *
 *   node --import tsx bench/jobs/memory-beamflow.ts
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { testPattern } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { Rescaler } from '@beamflow/muxer';

let packets = 0;
await pipeline(
  testPattern({ video: { width: 1920, height: 1080, frameRate: 25 } }),
  new Encoder({ video: { codec: 'libx264', preset: 'ultrafast' } }),
  new Rescaler(),
  new Writable({
    objectMode: true,
    highWaterMark: 1,
    write(e: { type: string }, _enc, cb) {
      if (e.type !== 'packet') return cb();
      packets++;
      setTimeout(cb, 200);
    },
  }),
);
process.stderr.write(`${packets} packets\n`);
