/**
 * Inputs of other bit depths and chroma: 10-bit 4:2:2 and 8-bit 4:4:4 video
 * is converted for the encoder, to 8-bit 4:2:0 by default (what players
 * decode), with the same pixels as the ffmpeg command line's conversion; a
 * configured pixelFormat the encoder takes is kept.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { decodeFile } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';
import { ffmpeg, tempDir } from '../../../../test/support/media.js';
import { expectNoNativeLeaks } from '../../../../test/support/leak-hooks.js';

expectNoNativeLeaks();

const dir = tempDir('pixfmt');
const pixFmt = (path: string): string =>
  spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'stream=pix_fmt', '-of', 'csv=p=0', path], { encoding: 'utf8' }).stdout.trim();
const frameSums = (path: string): string =>
  spawnSync('ffmpeg', ['-v', 'error', '-i', path, '-map', '0:v', '-f', 'framemd5', '-'], { encoding: 'utf8', maxBuffer: 16 << 20 }).stdout;

describe('pixel formats', () => {
  for (const [name, fmt] of [['10-bit 4:2:2', 'yuv422p10le'], ['8-bit 4:4:4', 'yuv444p']] as const) {
    it(`${name} input is encoded as 8-bit 4:2:0 by default, pixel for pixel as ffmpeg -pix_fmt yuv420p`, async () => {
      const input = join(dir, `${fmt}.mkv`);
      ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=128x72:rate=25', '-t', '1', '-pix_fmt', fmt, '-c:v', 'libx264', '-preset', 'ultrafast', input]);
      expect(pixFmt(input)).toBe(fmt);
      const ours = join(dir, `${fmt}-ours.mp4`);
      await pipeline(decodeFile(input), new Encoder({ video: { codec: 'h264', preset: 'ultrafast', crf: 0 } }), new Rescaler(), new Muxer({ format: 'mp4', output: ours }));
      const theirs = join(dir, `${fmt}-ffmpeg.mp4`);
      ffmpeg(['-i', input, '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '0', '-pix_fmt', 'yuv420p', theirs]);
      expect(pixFmt(ours)).toBe('yuv420p');
      expect(frameSums(ours)).toBe(frameSums(theirs));
    });
  }

  it('a configured pixelFormat the encoder takes is kept (4:4:4 stays 4:4:4)', async () => {
    const input = join(dir, 'yuv444p.mkv');
    const out = join(dir, 'kept-444.mp4');
    await pipeline(decodeFile(input), new Encoder({ video: { codec: 'h264', preset: 'ultrafast', pixelFormat: 'yuv444p' } }), new Rescaler(), new Muxer({ format: 'mp4', output: out }));
    expect(pixFmt(out)).toBe('yuv444p');
  });
});
