/**
 * One source, decoded once, into a 3-rendition HLS ladder (1080p, 720p, 360p)
 * with a master playlist: a tee feeds a Scaler + Encoder + Muxer per rendition.
 *
 *   pnpm --filter @beamflow/examples run ladder            # the test pattern, 10 s
 *   pnpm --filter @beamflow/examples run ladder -- in.mp4  # a file
 */
import { pipeline } from 'node:stream/promises';
import { decodeFile, Scaler, tee, testPattern } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { codecsOf, Muxer, Rescaler, writeHlsMasterPlaylist } from '@beamflow/muxer';
import { shown, userPath } from './user-paths.js';

// pnpm passes its `--` separator on to the script.
const arg = process.argv.slice(2).find((a) => a !== '--');
const input = arg === undefined ? undefined : userPath(arg);
const outDir = userPath(process.env.LADDER_OUT ?? 'out/ladder');
const seconds = Number(process.env.LADDER_SECONDS ?? 10);
const rungs = (process.env.LADDER_RUNGS ?? '1080,720,360').split(',').map(Number);

const source = input
  ? decodeFile(input)
  : testPattern({ video: { width: 1920, height: 1080, frameRate: 25 }, audio: { sampleRate: 48000, channels: 2 }, duration: seconds });

const branches = tee(source, rungs.length);
const renditions = rungs.map((height, i) => {
  const crf = height >= 1080 ? 23 : height >= 720 ? 24 : 26;
  const muxer = new Muxer({
    format: 'hls',
    output: `${outDir}/${height}p/index.m3u8`,
    hls: { segmentDuration: 2, playlistType: 'vod' },
  });
  const encoder = new Encoder({
    video: { codec: 'h264', preset: 'veryfast', crf },
    audio: { codec: 'aac', bitRate: height >= 720 ? 128_000 : 96_000 },
  });
  encoder.on('stats', (s) => {
    if (i === 0) process.stderr.write(`\r${rungs.join('/')}p: time=${s.time.toFixed(1)}s fps=${s.fps.toFixed(0)} speed=${s.speed.toFixed(2)}x  `);
  });
  const done = pipeline(branches[i]!, new Scaler({ height }), encoder, new Rescaler(), muxer);
  return { height, muxer, done };
});

await Promise.all(renditions.map((r) => r.done));
const master = `${outDir}/master.m3u8`;
writeHlsMasterPlaylist(master, renditions.map((r) => {
  const video = r.muxer.streams.find((d) => d.kind === 'video');
  return {
    playlist: `${outDir}/${r.height}p/index.m3u8`,
    ...(video?.codecpar.width ? { width: video.codecpar.width } : {}),
    height: video?.codecpar.height ?? r.height,
    codecs: codecsOf(r.muxer.streams),
    ...(video?.frameRate ? { frameRate: video.frameRate.num / video.frameRate.den } : {}),
  };
}));
process.stderr.write(`\n${shown(master)}\n`);
