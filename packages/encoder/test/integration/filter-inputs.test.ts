/**
 * A Filter graph with extra inputs against the ffmpeg command line's
 * -filter_complex: a logo from a PNG over the video, a second video scaled
 * inside the graph for picture-in-picture (at its own frame rate too), and
 * amix of two audio sources give the frames and samples ffmpeg gives
 * (video compared losslessly frame by frame, audio sample for sample as PCM).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { Filter, decodeFile } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';
import { ffmpeg, tempDir } from '../../../../test/support/media.js';
import { decodeErrors } from '../../../../test/support/probe.js';
import { expectNoNativeLeaks } from '../../../../test/support/leak-hooks.js';

expectNoNativeLeaks();

const dir = tempDir('filter-inputs');
const main = join(dir, 'main.mp4');
ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '2',
  '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', main]);
// Half-transparent, so that overlay blends rather than copies.
const logo = join(dir, 'logo.png');
ffmpeg(['-f', 'lavfi', '-i', 'color=c=red@0.5:s=32x18,format=rgba', '-frames:v', '1', logo]);
const pip = join(dir, 'pip.mp4');
ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=160x90:rate=25', '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', pip]);
const pipAt = (rate: number): string => {
  const p = join(dir, `pip${rate}.mp4`);
  ffmpeg(['-f', 'lavfi', '-i', `testsrc=size=160x90:rate=${rate}`, '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', p]);
  return p;
};
// Longer than the main input, mono, at another rate: amix's inputs are converted inside the graph.
const music = join(dir, 'music.wav');
ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=44100', '-t', '3', '-ac', '1', '-c:a', 'pcm_s16le', music]);
// Shorter than the main input: amix goes on with the main input alone.
const jingle = join(dir, 'jingle.wav');
ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=660:sample_rate=48000', '-t', '0.7', '-ac', '2', '-c:a', 'pcm_s16le', jingle]);

/** Each decoded frame's checksum (`-f framemd5`), or the whole stream's (`-f md5`). */
const md5 = (path: string, map: string, fmt: 'framemd5' | 'md5'): string[] =>
  spawnSync('ffmpeg', ['-v', 'error', '-i', path, '-map', map, '-f', fmt, '-'], { encoding: 'utf8', maxBuffer: 16 << 20 }).stdout
    .split('\n').filter((l) => l && !l.startsWith('#'));

const losslessVideo = () => new Encoder({ video: { codec: 'h264', preset: 'ultrafast', crf: 0 } });
const X264_LOSSLESS = ['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '0'];

describe('Filter with extra inputs, against ffmpeg -filter_complex', () => {
  it('a logo from a PNG over the video: the frames ffmpeg gives, the one-frame logo on every frame', async () => {
    const ours = join(dir, 'logo.mp4');
    await pipeline(decodeFile(main, { audio: false }), new Filter({ video: '[in][logo]overlay=W-w-4:4', inputs: { logo: decodeFile(logo) } }),
      losslessVideo(), new Rescaler(), new Muxer({ format: 'mp4', output: ours }));
    const theirs = join(dir, 'logo-ffmpeg.mp4');
    ffmpeg(['-i', main, '-i', logo, '-filter_complex', '[0:v][1:v]overlay=W-w-4:4', '-an', ...X264_LOSSLESS, theirs]);
    const sums = md5(ours, '0:v', 'framemd5');
    expect(sums).toHaveLength(50);
    expect(sums).toEqual(md5(theirs, '0:v', 'framemd5'));
    // The logo is there: the frames are not the main input's own.
    const plain = join(dir, 'plain.mp4');
    ffmpeg(['-i', main, '-an', ...X264_LOSSLESS, plain]);
    expect(sums.at(-1)).not.toEqual(md5(plain, '0:v', 'framemd5').at(-1));
    expect(decodeErrors(ours)).toBe('');
  });

  it('picture-in-picture: a second video scaled inside the graph', async () => {
    const graph = '[pip]scale=64:36[small];[in][small]overlay=W-w-4:H-h-4';
    const ours = join(dir, 'pip-out.mp4');
    await pipeline(decodeFile(main, { audio: false }), new Filter({ video: graph, inputs: { pip: decodeFile(pip) } }),
      losslessVideo(), new Rescaler(), new Muxer({ format: 'mp4', output: ours }));
    const theirs = join(dir, 'pip-ffmpeg.mp4');
    ffmpeg(['-i', main, '-i', pip, '-filter_complex', '[1:v]scale=64:36[small];[0:v][small]overlay=W-w-4:H-h-4', '-an', ...X264_LOSSLESS, theirs]);
    const sums = md5(ours, '0:v', 'framemd5');
    expect(sums).toHaveLength(50);
    expect(sums).toEqual(md5(theirs, '0:v', 'framemd5'));
  });

  // 30 fps: a frame of the second video between two of the main's; 5 fps: one frame of it under five of the main's.
  for (const [rate, end] of [[30, ':shortest=1'], [5, '']] as const) {
    it(`picture-in-picture of a ${rate} fps video on a 25 fps one: overlay's frame sync picks the same frames`, async () => {
      const other = pipAt(rate);
      const graph = (main: string, second: string): string => `${second}scale=80:46[small];${main}[small]overlay=0:0${end}`;
      const ours = join(dir, `pip${rate}-out.mp4`);
      await pipeline(decodeFile(main, { audio: false }), new Filter({ video: graph('[in]', '[pip]'), inputs: { pip: decodeFile(other) } }),
        losslessVideo(), new Rescaler(), new Muxer({ format: 'mp4', output: ours }));
      const theirs = join(dir, `pip${rate}-ffmpeg.mp4`);
      ffmpeg(['-i', main, '-i', other, '-filter_complex', graph('[0:v]', '[1:v]'), '-an', ...X264_LOSSLESS, theirs]);
      const sums = md5(ours, '0:v', 'framemd5');
      expect(sums).toHaveLength(50);
      expect(sums).toEqual(md5(theirs, '0:v', 'framemd5'));
    });
  }

  for (const [name, file, duration] of [['longer, mono, 44.1 kHz', music, 'first'], ['shorter', jingle, 'first'], ['shorter, duration=shortest', jingle, 'shortest']] as const) {
    it(`amix of the sound and a ${name} WAV: the samples ffmpeg gives`, async () => {
      const graph = `[in][music]amix=inputs=2:duration=${duration}`;
      const ours = join(dir, `amix-${name.replace(/\W+/g, '-')}.wav`);
      await pipeline(decodeFile(main, { video: false }), new Filter({ audio: graph, inputs: { music: decodeFile(file) } }),
        new Encoder({ audio: { codec: 'pcm_s16le' } }), new Rescaler(), new Muxer({ format: 'wav', output: ours }));
      const theirs = join(dir, `amix-${name.replace(/\W+/g, '-')}-ffmpeg.wav`);
      ffmpeg(['-i', main, '-i', file, '-filter_complex', `[0:a][1:a]amix=inputs=2:duration=${duration}`, '-c:a', 'pcm_s16le', theirs]);
      const ffSamples = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=duration_ts', '-of', 'csv=p=0', theirs], { encoding: 'utf8' }).stdout.trim();
      const ourSamples = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=duration_ts', '-of', 'csv=p=0', ours], { encoding: 'utf8' }).stdout.trim();
      expect(Number(ourSamples)).toBeGreaterThan(0);
      expect(ourSamples).toBe(ffSamples);
      expect(md5(ours, '0:a', 'md5')).toHaveLength(1);
      expect(md5(ours, '0:a', 'md5')).toEqual(md5(theirs, '0:a', 'md5'));
    });
  }

  it('one input in both graphs: its video over the video, its sound mixed into the sound', async () => {
    const both = join(dir, 'both.mp4');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=64x36:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=880:sample_rate=48000', '-t', '2',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', both]);
    const ours = join(dir, 'both-out.mkv');
    await pipeline(decodeFile(main), new Filter({
      video: '[in][b]overlay=8:8', audio: '[in][b]amix=inputs=2:duration=first', inputs: { b: decodeFile(both) },
    }), new Encoder({ video: { codec: 'h264', preset: 'ultrafast', crf: 0 }, audio: { codec: 'pcm_s16le' } }), new Rescaler(),
    new Muxer({ format: 'matroska', output: ours }));
    const theirs = join(dir, 'both-ffmpeg.mkv');
    ffmpeg(['-i', main, '-i', both, '-filter_complex', '[0:v][1:v]overlay=8:8[v];[0:a][1:a]amix=inputs=2:duration=first[a]',
      '-map', '[v]', '-map', '[a]', ...X264_LOSSLESS, '-c:a', 'pcm_s16le', theirs]);
    expect(md5(ours, '0:v', 'framemd5')).toHaveLength(50);
    expect(md5(ours, '0:v', 'framemd5')).toEqual(md5(theirs, '0:v', 'framemd5'));
    expect(md5(ours, '0:a', 'md5')).toHaveLength(1);
    expect(md5(ours, '0:a', 'md5')).toEqual(md5(theirs, '0:a', 'md5'));
    expect(decodeErrors(ours)).toBe('');
  });
});
