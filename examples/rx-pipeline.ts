/**
 * The demo's job written with RxJS operators: the test pattern encoded once to
 * H.264 + AAC, then muxed to an MP4 file and to HLS. The fan-out is core's
 * tee (each branch gets its own reference to every packet, so one muxer's
 * timestamp rewrite never reaches the other); backpressure holds across the
 * bridge both ways.
 *
 *   pnpm --filter @beamflow/examples exec tsx rx-pipeline.ts [OUT.mp4] [HLS_DIR]
 */
import { dirname, join } from 'node:path';
import { lastValueFrom } from 'rxjs';
import { tee, testPattern, type Envelope } from '@beamflow/core';
import { fromReadable, toReadable } from '@beamflow/core/rx';
import { encode } from '@beamflow/encoder/rx';
import { mux, rescale } from '@beamflow/muxer/rx';
import { shown, userPath } from './user-paths.js';

const out = userPath(process.argv[2] ?? 'out/rx-demo.mp4');
const hlsDir = process.argv[3] ? userPath(process.argv[3]) : join(dirname(out), 'rx-demo-hls');
const seconds = Number(process.env.DEMO_SECONDS ?? 10);

const encoded = toReadable(
  fromReadable<Envelope>(testPattern({ video: { width: 1280, height: 720, frameRate: 25 }, audio: { sampleRate: 48000, channels: 2 }, duration: seconds })).pipe(
    encode({ video: { codec: 'h264', preset: 'veryfast', crf: 23 }, audio: { codec: 'aac', bitRate: 128_000 } }),
  ),
);
const [toFile, toHls] = tee(encoded, 2);
await Promise.all([
  lastValueFrom(fromReadable<Envelope>(toFile!).pipe(rescale(), mux({ format: 'mp4', output: out, faststart: true })), { defaultValue: undefined }),
  lastValueFrom(
    fromReadable<Envelope>(toHls!).pipe(rescale(), mux({ format: 'hls', output: join(hlsDir, 'index.m3u8'), hls: { segmentDuration: 2, playlistType: 'vod' } })),
    { defaultValue: undefined },
  ),
]);
process.stderr.write(`${shown(out)}\n${shown(join(hlsDir, 'index.m3u8'))}\n`);
