/**
 * The demo: 10 seconds of the built-in test pattern with a tone, encoded
 * H.264 + AAC into out/demo.mp4, with progress on stderr.
 *
 *   pnpm --filter @beamflow/examples run demo
 */
import { createWriteStream, mkdirSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { testPattern } from '@beamflow/core';
import { Encoder, type EncoderStats } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';

const out = process.argv[2] ?? 'out/demo.mp4';
const seconds = Number(process.env.DEMO_SECONDS ?? 10);

function progress(s: EncoderStats): string {
  const pct = s.duration ? ` ${((100 * s.time) / s.duration).toFixed(0).padStart(3)}%` : '';
  return `${pct} frames=${s.videoFramesIn} fps=${s.fps.toFixed(0)} time=${s.time.toFixed(2)}s speed=${s.speed.toFixed(2)}x size=${(s.bytesOut / 1024).toFixed(0)}KiB`;
}

const encoder = new Encoder({
  video: { codec: 'h264', preset: 'veryfast', crf: 23 },
  audio: { codec: 'aac', bitRate: 128_000 },
  statsInterval: 500,
});
encoder.on('stats', (s: EncoderStats) => process.stderr.write(`\r${progress(s)}   `));

mkdirSync('out', { recursive: true });
await pipeline(
  testPattern({
    video: { width: 1280, height: 720, frameRate: 25 },
    audio: { sampleRate: 48000, channels: 2 },
    duration: seconds,
  }),
  encoder,
  new Rescaler(),
  new Muxer({ format: 'mp4' }),
  createWriteStream(out),
);
process.stderr.write(`\n${out}: ${(statSync(out).size / 1024).toFixed(0)} KiB, ${encoder.stats().videoFramesIn} video frames\n`);
