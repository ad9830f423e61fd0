/**
 * Live streaming: the test pattern and its tone, released at the pace of the
 * wall clock, encoded H.264 (x264 veryfast, zerolatency) + AAC and published
 * as FLV to an RTMP server (nginx-rtmp, a streaming service's ingest URL).
 * Runs until Ctrl-C unless given a duration; progress goes to stderr.
 *
 *   pnpm --filter @beamflow/examples run live-rtmp -- rtmp://127.0.0.1/live/test [--seconds 30] [--size 1280x720]
 *
 * LIVE_SECONDS in the environment sets the duration too.
 */
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { testPattern } from '@beamflow/core';
import { Encoder, type EncoderStats } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';

const usage = 'usage: live-rtmp rtmp://HOST[:PORT]/APP/STREAM [--seconds N] [--size WxH] [--fps N]';
// `pnpm run live-rtmp -- URL` hands its `--` on to the script.
const argv = process.argv.slice(2);
if (argv[0] === '--') argv.shift();
const { values, positionals } = parseArgs({
  args: argv,
  options: { seconds: { type: 'string' }, size: { type: 'string' }, fps: { type: 'string' } },
  allowPositionals: true,
});
const url = positionals[0];
if (!url || !/^rtmps?:\/\//.test(url)) {
  process.stderr.write(`${usage}\n`);
  process.exit(2);
}
const secondsArg = values.seconds ?? process.env.LIVE_SECONDS;
const seconds = secondsArg === undefined || secondsArg === '' ? undefined : Number(secondsArg);
const size = /^(\d+)x(\d+)$/.exec(values.size ?? '1280x720');
const width = Number(size?.[1]);
const height = Number(size?.[2]);
const fps = Number(values.fps ?? 25);
if ((seconds !== undefined && !(seconds > 0)) || !(width > 0) || !(height > 0) || !(fps > 0)) {
  process.stderr.write(`${usage}\n`);
  process.exit(2);
}

const stop = new AbortController();
let stoppedBy: NodeJS.Signals | undefined;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    // A second Ctrl-C means "now": skip the trailer.
    if (stoppedBy) process.exit(130);
    stoppedBy = sig;
    process.stderr.write(`\n${sig}: stopping\n`);
    stop.abort();
  });
}

const encoder = new Encoder({
  // zerolatency: no B-frames and no lookahead, so a frame leaves the encoder as soon as it is in.
  // Keyframes every 2 s, the interval ingest services ask for; the bit rate cap keeps the
  // stream within what an uplink was sized for.
  video: { codec: 'h264', preset: 'veryfast', crf: 23, bitRate: 3_000_000, gopSize: 2 * Math.round(fps), options: { tune: 'zerolatency' } },
  audio: { codec: 'aac', bitRate: 128_000 },
  statsInterval: 1000,
});
encoder.on('stats', (s: EncoderStats) => {
  const kbps = s.time > 0 ? (8 * s.bytesOut) / s.time / 1000 : 0;
  process.stderr.write(`\rlive ${s.time.toFixed(1)}s speed=${s.speed.toFixed(2)}x ${kbps.toFixed(0)}kbit/s sent=${(s.bytesOut / 1024).toFixed(0)}KiB   `);
});
const muxer = new Muxer({ format: 'flv', output: url });

process.stderr.write(`publishing ${width}x${height}@${fps} to ${url}${seconds ? ` for ${seconds} s` : ' (Ctrl-C stops)'}\n`);
try {
  await pipeline(
    testPattern({
      video: { width, height, frameRate: fps },
      audio: { sampleRate: 48000, channels: 2 },
      ...(seconds ? { duration: seconds } : {}),
      realtime: true,
    }),
    encoder,
    new Rescaler(),
    muxer,
    { signal: stop.signal },
  );
} catch (err) {
  if (!stoppedBy) {
    process.stderr.write(`\n${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
// An abort rejects the pipeline as soon as the stages are told to stop; the Muxer writes
// the trailer and closes the connection (the server sees the stream unpublished) while
// it is being destroyed, and 'close' follows.
if (muxer.destroyed && !muxer.closed) await new Promise((resolve) => muxer.once('close', resolve));
process.stderr.write(`\n${url}: ${muxer.packetsWritten} packets sent${stoppedBy ? ` (stopped by ${stoppedBy})` : ''}\n`);
