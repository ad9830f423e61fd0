/**
 * Any input file → MP4 (H.264 + AAC) at a given size and quality, index at the front.
 *
 *   pnpm --filter @beamflow/examples exec tsx transcode-file.ts IN OUT [--size 640x360] [--crf 23] [--preset veryfast]
 */
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { decodeFile, Scaler } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { size: { type: 'string' }, crf: { type: 'string', default: '23' }, preset: { type: 'string', default: 'veryfast' } },
});
const [input, output] = positionals;
if (!input || !output) {
  console.error('usage: transcode-file.ts IN OUT [--size WxH] [--crf N] [--preset P]');
  process.exit(2);
}
const [width, height] = values.size ? values.size.split('x').map(Number) : [];

const encoder = new Encoder({
  video: { codec: 'h264', crf: Number(values.crf), preset: values.preset },
  audio: { codec: 'aac', bitRate: 128_000 },
});
encoder.on('stats', (s) => {
  const pct = s.duration ? ` ${((100 * s.time) / s.duration).toFixed(0)}%` : '';
  process.stderr.write(`\r${pct} time=${s.time.toFixed(1)}s fps=${s.fps.toFixed(0)} speed=${s.speed.toFixed(2)}x  `);
});
await pipeline(
  decodeFile(input),
  new Scaler({ ...(width ? { width } : {}), ...(height ? { height } : {}) }),
  encoder,
  new Rescaler(),
  new Muxer({ format: 'mp4', output, faststart: true }),
);
process.stderr.write(`\n${output}\n`);
