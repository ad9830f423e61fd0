/**
 * The demo: 10 seconds of the built-in test pattern with a tone, encoded once
 * to H.264 + AAC, then muxed twice — an MP4 file and an HLS playlist with its
 * segments — with a progress bar on stderr.
 *
 *   pnpm --filter @beamflow/examples run demo [OUT.mp4] [HLS_DIR]
 *
 * Defaults: out/demo.mp4 and out/demo-hls/index.m3u8 under the directory the
 * command was typed in (the repository's root for `make demo`); DEMO_SECONDS sets the length.
 */
import { createWriteStream, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { tee, testPattern } from '@beamflow/core';
import { Encoder, type EncoderStats } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';
import { shown, userPath } from './user-paths.js';

const out = userPath(process.argv[2] ?? 'out/demo.mp4');
const hlsDir = process.argv[3] ? userPath(process.argv[3]) : join(dirname(out), 'demo-hls');
const seconds = Number(process.env.DEMO_SECONDS ?? 10);

function bar(s: EncoderStats): string {
  const width = 30;
  const done = s.duration ? Math.min(1, s.time / s.duration) : 0;
  const filled = Math.round(done * width);
  const eta = s.duration && s.speed > 0 ? ` eta ${((s.duration - s.time) / s.speed).toFixed(1)}s` : '';
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(100 * done).toFixed(0).padStart(3)}% ` +
    `frames=${s.videoFramesIn} fps=${s.fps.toFixed(0)} speed=${s.speed.toFixed(2)}x time=${s.time.toFixed(1)}s${eta}`;
}

const encoder = new Encoder({
  // No GOP size: the HLS Muxer below asks this Encoder for a keyframe at each 2 s segment boundary.
  video: { codec: 'h264', preset: 'veryfast', crf: 23 },
  audio: { codec: 'aac', bitRate: 128_000 },
  statsInterval: 250,
});
// A bar redrawn in place on a terminal; whole lines elsewhere (a log, a test).
const tty = process.stderr.isTTY === true;
let lastLine = 0;
encoder.on('stats', (s: EncoderStats) => {
  if (tty) process.stderr.write(`\r${bar(s)}`);
  else if (Date.now() - lastLine >= 1000) {
    lastLine = Date.now();
    process.stderr.write(`${bar(s)}\n`);
  }
});

mkdirSync(dirname(out), { recursive: true });
const source = testPattern({
  video: { width: 1280, height: 720, frameRate: 25 },
  audio: { sampleRate: 48000, channels: 2 },
  duration: seconds,
});
// One encode, two containers: the tee gives each muxer its own reference to every packet.
const encoded = pipeline(source, encoder);
const [toFile, toHls] = tee(encoder, 2);
await Promise.all([
  pipeline(toFile!, new Rescaler(), new Muxer({ format: 'mp4' }), createWriteStream(out)),
  pipeline(toHls!, new Rescaler(), new Muxer({ format: 'hls', output: join(hlsDir, 'index.m3u8'), hls: { segmentDuration: 2, playlistType: 'vod' } })),
  encoded,
]);
const s = encoder.stats();
process.stderr.write(`${tty ? `\r${bar(s)}\n` : `${bar(s)}\n`}${shown(out)}: ${(statSync(out).size / 1024).toFixed(0)} KiB; ${shown(join(hlsDir, 'index.m3u8'))}; ${s.videoFramesIn} video frames\n`);
