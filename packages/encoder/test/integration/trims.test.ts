/**
 * Trims: `start` and `end` on sources and the Demuxer. A transcode is frame
 * accurate (decoded from the keyframe before `start`, the frames before it
 * dropped), judged against `ffmpeg -ss S -to E -i IN` with framemd5; stream
 * copy starts at the keyframe and says so.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { BeamflowError, Decoder, Demuxer, decodeFile, demuxFile } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';
import { decodeErrors, ffmpeg, streams, tempDir } from '../../../../test/support/media.js';
import { expectNoNativeLeaks } from '../../../../test/support/leak-hooks.js';
import { cli } from '../../../cli/test/run-cli.js';

expectNoNativeLeaks();

const dir = tempDir('trims');
const input = join(dir, 'in.mp4');
// Keyframes every second, B-frames: a cut at 1.1 s must decode from the keyframe at 1 s.
ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=128x72:rate=25', '-f', 'lavfi', '-i', 'sine=sample_rate=48000', '-t', '4', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-bf', '2', '-c:a', 'aac', input]);
const ts = join(dir, 'in.ts');
ffmpeg(['-i', input, '-c', 'copy', ts]);

/** Video frames as md5s of their pixels, ffmpeg's framemd5 of a lossless encode. */
function videoMd5s(path: string): string[] {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', path, '-map', '0:v', '-f', 'framemd5', '-'], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(',').pop()!.trim());
}

const LOSSLESS = { video: { codec: 'h264', preset: 'ultrafast', crf: 0, threads: 1 }, audio: { codec: 'aac' } } as const;

describe('trims', () => {
  it('decodeFile({ start, end }) keeps exactly the frames ffmpeg -ss 1.1 -to 2.5 keeps, pixel for pixel', async () => {
    const ours = join(dir, 'ours.mp4');
    await pipeline(decodeFile(input, { start: 1.1, end: 2.5 }), new Encoder(LOSSLESS), new Rescaler(), new Muxer({ format: 'mp4', output: ours }));
    const theirs = join(dir, 'theirs.mp4');
    // Passthrough: ffmpeg's MP4 default (cfr) would repeat the first frame to fill the 20 ms before it.
    ffmpeg(['-ss', '1.1', '-to', '2.5', '-i', input, '-fps_mode', 'passthrough', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '0', '-c:a', 'aac', theirs]);
    const mine = videoMd5s(ours);
    expect(mine).toHaveLength(35);
    expect(mine).toEqual(videoMd5s(theirs));
    const audio = streams(ours).find((s) => s.codec_type === 'audio');
    expect(audio).toBeDefined();
    expect(decodeErrors(ours)).toBe('');
  });

  it('Demuxer({ start, end }) → Decoder on bytes (no seeking) gives the same frames as decodeFile on the file', async () => {
    const fromBytes = join(dir, 'bytes.mp4');
    await pipeline(createReadStream(ts), new Demuxer({ start: 1.1, end: 2.5 }), new Decoder(), new Encoder(LOSSLESS), new Rescaler(), new Muxer({ format: 'mp4', output: fromBytes }));
    const fromFile = join(dir, 'file.mp4');
    await pipeline(decodeFile(ts, { start: 1.1, end: 2.5 }), new Encoder(LOSSLESS), new Rescaler(), new Muxer({ format: 'mp4', output: fromFile }));
    expect(videoMd5s(fromBytes)).toHaveLength(35);
    expect(videoMd5s(fromBytes)).toEqual(videoMd5s(fromFile));
  });

  it('stream copy cuts at the keyframe before start and says so in a trim event; the copy plays', async () => {
    const src = demuxFile(input, { start: 1.1, end: 2.5 });
    const said: Array<{ start: number; keyframe: number }> = [];
    src.on('trim', (t: { start: number; keyframe: number }) => said.push(t));
    const out = join(dir, 'copy.mkv');
    await pipeline(src, new Rescaler(), new Muxer({ format: 'matroska', output: out }));
    expect(said).toHaveLength(1);
    expect(said[0]!.start).toBe(1.1);
    expect(said[0]!.keyframe).toBeCloseTo(1, 6);
    const v = streams(out).find((s) => s.codec_type === 'video');
    // From the keyframe at 1.0 s up to 2.5 s: 37 or 38 packets (the B-frames around the end).
    expect(Number(v?.nb_read_frames)).toBeGreaterThanOrEqual(35);
    expect(Number(v?.nb_read_frames)).toBeLessThanOrEqual(40);
    expect(decodeErrors(out)).toBe('');
  });

  it('beamflow transcode --start 1.1 --end 2.5 writes those 35 frames', async () => {
    const out = join(dir, 'cli.mp4');
    const r = await cli(['transcode', input, '-o', out, '--start', '1.1', '--end', '2.5', '--preset', 'ultrafast', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(Number(streams(out).find((s) => s.codec_type === 'video')?.nb_read_frames)).toBe(35);
    const bad = await cli(['transcode', input, '-o', out, '--start', 'soon']);
    expect(bad.code).toBe(2);
  });

  it('bad times are ConfigErrors naming the option', () => {
    const code = (f: () => unknown): unknown => {
      try {
        f();
      } catch (e) {
        return BeamflowError.isInstance(e) ? [e.code, (e as { field?: string }).field] : e;
      }
      return undefined;
    };
    expect(code(() => decodeFile(input, { start: -1 }))).toEqual(['BEAMFLOW_CONFIG', 'start']);
    expect(code(() => decodeFile(input, { start: 2, end: 1 }))).toEqual(['BEAMFLOW_CONFIG', 'end']);
    expect(code(() => new Demuxer({ end: Number.NaN }))).toEqual(['BEAMFLOW_CONFIG', 'end']);
  });
});
