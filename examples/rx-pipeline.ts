/**
 * The demo's job written with RxJS operators: test pattern → H.264 + AAC → MP4 file.
 *
 *   pnpm --filter @beamflow/examples exec tsx rx-pipeline.ts [OUT]
 */
import { lastValueFrom } from 'rxjs';
import { testPattern, type Envelope } from '@beamflow/core';
import { fromReadable } from '@beamflow/core/rx';
import { encode } from '@beamflow/encoder/rx';
import { mux, rescale } from '@beamflow/muxer/rx';

const out = process.argv[2] ?? 'out/rx-demo.mp4';
const seconds = Number(process.env.DEMO_SECONDS ?? 10);

await lastValueFrom(
  fromReadable<Envelope>(testPattern({ video: { width: 1280, height: 720, frameRate: 25 }, audio: { sampleRate: 48000, channels: 2 }, duration: seconds })).pipe(
    encode({ video: { codec: 'h264', preset: 'veryfast', crf: 23 }, audio: { codec: 'aac', bitRate: 128_000 } }),
    rescale(),
    mux({ format: 'mp4', output: out, faststart: true }),
  ),
  { defaultValue: undefined },
);
process.stderr.write(`${out}\n`);
