/**
 * Every frame keeps its time: a variable-frame-rate input, made by the ffmpeg
 * command line as phones and screen recorders write them, is transcoded with
 * each frame at its own presentation time (nothing rounded onto a grid the
 * input does not have), and the audio beside it keeps its place.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { decodeFile } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';
import { ffmpeg, tempDir } from '../../../../test/support/media.js';
import { decodeErrors } from '../../../../test/support/probe.js';

const dir = tempDir('timing');

/** Presentation time of every decoded frame of a stream, in seconds, as ffprobe reads them. */
function frameTimes(path: string, stream: 'v' | 'a'): number[] {
  const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', stream, '-show_entries', 'frame=pts_time', '-of', 'csv=p=0', path], { encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.split('\n').map((l) => l.replace(/,$/, '')).filter(Boolean).map(Number);
}

describe('variable frame rate', () => {
  it('passes through: every frame of a VFR input at its own time, audio beside it', async () => {
    const input = join(dir, 'vfr.mp4');
    // 30 fps with 3 of every 7 frames dropped for 100 frames, then all: 78 frames over 4 s on a 1/30 s grid.
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=128x72:rate=30', '-f', 'lavfi', '-i', 'sine=sample_rate=48000', '-t', '4',
      '-vf', "select='lt(mod(n\\,7)\\,4)+gt(n\\,100)'", '-fps_mode', 'vfr', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', input]);
    const out = join(dir, 'vfr-out.mp4');
    await pipeline(decodeFile(input), new Encoder({ video: { codec: 'h264', preset: 'veryfast' }, audio: { codec: 'aac' } }), new Rescaler(), new Muxer({ format: 'mp4', output: out }));
    const src = frameTimes(input, 'v');
    const got = frameTimes(out, 'v');
    expect(src).toHaveLength(78);
    expect(got).toHaveLength(src.length);
    // Equal after the shift both have in common (each starts at zero here), to the MP4 timescale's precision.
    const shift = got[0]! - src[0]!;
    for (let i = 0; i < src.length; i++) expect(Math.abs(got[i]! - shift - src[i]!), `frame ${i}`).toBeLessThan(1e-3);
    // Audio starts where it did and lasts as long: no drift against the video.
    const srcAudio = frameTimes(input, 'a');
    const gotAudio = frameTimes(out, 'a');
    expect(Math.abs(gotAudio[0]! - srcAudio[0]!)).toBeLessThan(0.03);
    expect(Math.abs(gotAudio.at(-1)! - srcAudio.at(-1)!)).toBeLessThan(0.03);
    expect(decodeErrors(out)).toBe('');
  });
});

/** Each stream's start and the file's, as ffprobe reads them. */
function starts(path: string): { format: number; video: number; audio: number } {
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=start_time:stream=codec_type,start_time', '-of', 'json', path], { encoding: 'utf8' });
  const j = JSON.parse(r.stdout) as { format: { start_time: string }; streams: Array<{ codec_type: string; start_time: string }> };
  const of = (k: string): number => Number(j.streams.find((s) => s.codec_type === k)?.start_time);
  return { format: Number(j.format.start_time), video: of('video'), audio: of('audio') };
}

describe('start', () => {
  const transcode = (input: string, out: string, copyts?: boolean) => pipeline(
    decodeFile(input, copyts ? { copyts } : {}), new Encoder({ video: { codec: 'h264', preset: 'veryfast' }, audio: { codec: 'aac' } }),
    new Rescaler(), new Muxer({ format: 'mp4', output: out }),
  );

  it('a broadcast MPEG-TS that starts at 2.8 s transcodes to a file that starts at zero, as ffmpeg\'s does', async () => {
    const input = join(dir, 'late.ts');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=128x72:rate=25', '-f', 'lavfi', '-i', 'sine=sample_rate=48000', '-t', '4',
      '-output_ts_offset', '1.44', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-f', 'mpegts', input]);
    expect(starts(input).format).toBeGreaterThan(2.5);
    const ours = join(dir, 'late.mp4');
    await transcode(input, ours);
    const theirs = join(dir, 'late-ffmpeg.mp4');
    ffmpeg(['-i', input, '-c:v', 'libx264', '-preset', 'veryfast', '-c:a', 'aac', theirs]);
    expect(starts(ours).format).toBe(starts(theirs).format);
    expect(starts(ours).format).toBe(0);
    const length = (p: string): number => Number(spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', p], { encoding: 'utf8' }).stdout);
    expect(Math.abs(length(ours) - length(theirs))).toBeLessThan(0.05);
    expect(decodeErrors(ours)).toBe('');
  });

  it('keeps the offset between streams: video that starts 0.5 s after its audio still does', async () => {
    const input = join(dir, 'offset.mkv');
    ffmpeg(['-f', 'lavfi', '-i', 'sine=sample_rate=48000', '-itsoffset', '0.5', '-f', 'lavfi', '-i', 'testsrc2=size=128x72:rate=25', '-t', '3',
      '-map', '1:v', '-map', '0:a', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', input]);
    const src = starts(input);
    // 0.5 s of -itsoffset, plus what x264's first frame and the AAC priming add (0.541 s here).
    expect(src.video - src.audio).toBeGreaterThan(0.45);
    const out = join(dir, 'offset.mp4');
    await transcode(input, out);
    const got = starts(out);
    expect(got.audio).toBe(0);
    // ffmpeg's own MP4 starts its video at 0 (its constant-rate default repeats the first frame
    // back to zero); the offset is information, and it is kept.
    expect(Math.abs((got.video - got.audio) - (src.video - src.audio))).toBeLessThan(0.002);
  });

  it('copyts keeps the source\'s timestamps, as ffmpeg -copyts', async () => {
    const input = join(dir, 'late.ts');
    const out = join(dir, 'late-copyts.mkv');
    await pipeline(decodeFile(input, { copyts: true }), new Encoder({ video: { codec: 'h264', preset: 'veryfast' }, audio: { codec: 'aac' } }),
      new Rescaler(), new Muxer({ format: 'matroska', output: out }));
    expect(Math.abs(starts(out).video - starts(input).video)).toBeLessThan(0.002);
  });
});

describe('constant frame rate', () => {
  /** Every decoded video frame's pts and checksum, as the ffmpeg command line's framemd5 lists them. */
  const frames = (path: string): string[] =>
    spawnSync('ffmpeg', ['-v', 'error', '-i', path, '-map', '0:v', '-f', 'framemd5', '-'], { encoding: 'utf8', maxBuffer: 16 << 20 }).stdout
      .split('\n').filter((l) => l && !l.startsWith('#')).map((l) => { const c = l.split(','); return `${c[2]!.trim()} ${c[5]!.trim()}`; });

  it('frameRate puts a VFR input on a constant grid, frame for frame as FFmpeg\'s fps filter, and ends where the input ends', async () => {
    const input = join(dir, 'vfr-cfr.mp4');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=128x72:rate=30', '-t', '4', '-vf', "select='lt(mod(n\\,7)\\,4)+gt(n\\,100)'", '-fps_mode', 'vfr',
      '-c:v', 'libx264', '-preset', 'ultrafast', input]);
    // Lossless on both sides: each output frame's checksum says which input frame it repeats.
    for (const [rate, cli] of [[24, ['-vf', 'fps=24']], [50, ['-vf', 'fps=50']], [30, ['-r', '30']]] as const) {
      const ours = join(dir, `cfr-${rate}.mp4`);
      await pipeline(decodeFile(input), new Encoder({ video: { codec: 'h264', preset: 'ultrafast', crf: 0, frameRate: rate } }), new Rescaler(), new Muxer({ format: 'mp4', output: ours }));
      const theirs = join(dir, `cfr-${rate}-ffmpeg.mp4`);
      ffmpeg(['-i', input, ...cli, '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '0', theirs]);
      const got = frames(ours);
      expect(got, `${rate} fps`).toHaveLength(4 * rate);
      expect(got, `${rate} fps`).toEqual(frames(theirs));
    }
  });

  it('fpsMode passthrough with a frameRate keeps every frame at its own time', async () => {
    const input = join(dir, 'vfr-cfr.mp4');
    const out = join(dir, 'vfr-passthrough-rate.mp4');
    await pipeline(decodeFile(input), new Encoder({ video: { codec: 'h264', preset: 'ultrafast', frameRate: 30, fpsMode: 'passthrough' } }), new Rescaler(), new Muxer({ format: 'mp4', output: out }));
    const src = frameTimes(input, 'v');
    const got = frameTimes(out, 'v');
    expect(got).toHaveLength(src.length);
    for (let i = 0; i < src.length; i++) expect(Math.abs(got[i]! - src[i]!), `frame ${i}`).toBeLessThan(1e-3);
  });

  it('an fpsMode that is not one is a ConfigError naming what is allowed', () => {
    expect(() => new Encoder({ video: { codec: 'h264', fpsMode: 'vfr' as never } })).toThrow(/video\.fpsMode/);
  });
});
