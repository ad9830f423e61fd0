/**
 * What a viewer sees of a phone's recording: the pixels are stored sideways
 * with a display matrix. A transcode turns them upright, pixel for pixel as
 * the ffmpeg command line's autorotate does, and writes no matrix;
 * `autorotate: false` keeps the pixels and carries the matrix; stream copy
 * carries it untouched.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { decodeFile, demuxFile, displayRotation, type Envelope } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';
import { ffmpeg, tempDir } from '../../../../test/support/media.js';
import { decodeErrors } from '../../../../test/support/probe.js';
import { PHONE_MATRICES, setTrackMatrix } from '../../../../test/support/orientation.js';
import { expectNoNativeLeaks } from '../../../../test/support/leak-hooks.js';

expectNoNativeLeaks();

const dir = tempDir('orientation');
const stored = join(dir, 'stored.mp4');
ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=128x72:rate=25', '-f', 'lavfi', '-i', 'sine=sample_rate=48000', '-t', '1',
  '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', stored]);

function phoneFile(turn: keyof typeof PHONE_MATRICES): string {
  const p = join(dir, `${turn}.mp4`);
  copyFileSync(stored, p);
  setTrackMatrix(p, PHONE_MATRICES[turn]);
  return p;
}

/** Size and display rotation of the video stream, as ffprobe reads them (rotation 0 when it has no matrix). */
function view(path: string): { width: number; height: number; rotation: number } {
  const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_streams', path], { encoding: 'utf8' });
  const field = (k: string): number => Number(new RegExp(`^${k}=(.*)$`, 'm').exec(r.stdout)?.[1] ?? 0);
  return { width: field('width'), height: field('height'), rotation: field('rotation') };
}

/** Every decoded video frame's checksum. */
const frameSums = (path: string): string[] =>
  spawnSync('ffmpeg', ['-v', 'error', '-i', path, '-map', '0:v', '-f', 'framemd5', '-'], { encoding: 'utf8' }).stdout
    .split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(',').at(-1)!.trim());

describe('display matrix', () => {
  for (const [turn, rotation, size] of [
    ['portrait', -90, [72, 128]], ['upsideDown', -180, [128, 72]], ['portraitFlipped', 90, [72, 128]],
  ] as const) {
    it(`${turn} (rotation ${rotation}): the transcode is upright, the same pixels as ffmpeg's autorotate, with no matrix`, async () => {
      const input = phoneFile(turn);
      expect(view(input)).toEqual({ width: 128, height: 72, rotation });
      // Lossless on both sides, so that the decoded pixels are exactly what each turned upright.
      const ours = join(dir, `${turn}-upright.mp4`);
      await pipeline(decodeFile(input), new Encoder({ video: { codec: 'h264', preset: 'ultrafast', crf: 0 }, audio: { codec: 'aac' } }),
        new Rescaler(), new Muxer({ format: 'mp4', output: ours }));
      const theirs = join(dir, `${turn}-ffmpeg.mp4`);
      ffmpeg(['-i', input, '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '0', '-c:a', 'aac', theirs]);
      expect(view(ours)).toEqual({ width: size[0], height: size[1], rotation: 0 });
      expect(view(theirs)).toEqual(view(ours));
      const sums = frameSums(ours);
      expect(sums).toHaveLength(25);
      expect(sums).toEqual(frameSums(theirs));
      expect(decodeErrors(ours)).toBe('');
    });
  }

  it('the descriptor says what the source says: the matrix without autorotate, the upright size with it', async () => {
    const input = phoneFile('portrait');
    const first = async (src: AsyncIterable<unknown>): Promise<Extract<Envelope, { type: 'stream' }>> => {
      for await (const e of src) {
        const env = e as Envelope;
        if (env.type === 'stream' && env.kind === 'video') return env;
      }
      throw new Error('no video descriptor');
    };
    const kept = await first(decodeFile(input, { autorotate: false, audio: false }));
    expect(displayRotation(kept.displayMatrix!)).toBe(-90);
    expect([kept.codecpar.width, kept.codecpar.height]).toEqual([128, 72]);
    const upright = await first(decodeFile(input, { audio: false }));
    expect(upright.displayMatrix).toBeUndefined();
    expect([upright.codecpar.width, upright.codecpar.height]).toEqual([72, 128]);
  });

  it('autorotate: false keeps the pixels and carries the matrix into the output', async () => {
    const out = join(dir, 'kept.mp4');
    await pipeline(decodeFile(phoneFile('portrait'), { autorotate: false }), new Encoder({ video: { codec: 'h264', preset: 'ultrafast' }, audio: { codec: 'aac' } }),
      new Rescaler(), new Muxer({ format: 'mp4', output: out }));
    expect(view(out)).toEqual({ width: 128, height: 72, rotation: -90 });
  });

  it('stream copy carries the matrix untouched', async () => {
    const out = join(dir, 'copied.mp4');
    await pipeline(demuxFile(phoneFile('portraitFlipped')), new Rescaler(), new Muxer({ format: 'mp4', output: out }));
    expect(view(out)).toEqual({ width: 128, height: 72, rotation: 90 });
    expect(decodeErrors(out)).toBe('');
  });
});
