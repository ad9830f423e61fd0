/**
 * Keyframes where they are needed: an HLS Muxer's segment boundaries reach the
 * Encoder upstream (through a Rescaler and a tee) without a GOP size set,
 * `forceKeyframes` puts them where ffmpeg's `-force_key_frames` does, and a
 * decoded input's picture types do not leak into the new encode.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { ConfigError, decodeFile, tee, testPattern } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';
import { ffmpeg, tempDir } from '../../../../test/support/media.js';
import { decodeErrors } from '../../../../test/support/probe.js';

const dir = tempDir('keyframes');
const source = (seconds: number, audio = true) => testPattern({
  video: { width: 128, height: 72, frameRate: 25 }, ...(audio ? { audio: { sampleRate: 48000, channels: 2 } } : {}), duration: seconds,
});

/** Presentation times of the video keyframes of a file, as ffprobe reads its packets. */
function keyframeTimes(path: string): number[] {
  const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.split('\n').filter((l) => /,K/.test(l)).map((l) => Number(l.split(',')[0])).sort((a, b) => a - b);
}

const segmentDurations = (playlist: string): number[] =>
  readFileSync(playlist, 'utf8').split('\n').filter((l) => l.startsWith('#EXTINF:')).map((l) => Number(l.slice(8).split(',')[0]));

describe('keyframes where segments need them', () => {
  it('an HLS Muxer gets segments of the duration it asks for, without a GOP size, through a Rescaler', async () => {
    const playlist = join(dir, 'hls', 'index.m3u8');
    await pipeline(
      source(7),
      new Encoder({ video: { codec: 'h264', preset: 'veryfast', crf: 23 }, audio: { codec: 'aac' } }),
      new Rescaler(),
      new Muxer({ format: 'hls', output: playlist, hls: { segmentDuration: 2 } }),
    );
    const segs = segmentDurations(playlist);
    expect(segs).toHaveLength(4);
    // Within a frame (40 ms) of 2 s; the last holds what is left.
    for (const d of segs.slice(0, -1)) expect(Math.abs(d - 2)).toBeLessThanOrEqual(0.04);
    expect(segs.reduce((a, b) => a + b, 0)).toBeCloseTo(7, 1);
    expect(decodeErrors(playlist)).toBe('');
  });

  it('the request passes a tee: the MP4 beside the HLS has the same keyframes, one every segment', async () => {
    // Without scene-cut keyframes of x264's own (the pattern changes at 4.4 s), only the requested ones remain.
    const encoder = new Encoder({ video: { codec: 'h264', preset: 'veryfast', options: { sc_threshold: 0 } }, audio: { codec: 'aac' } });
    const encoded = pipeline(source(6.5), encoder);
    const [toHls, toFile] = tee(encoder, 2);
    const mp4 = join(dir, 'tee.mp4');
    await Promise.all([
      encoded,
      pipeline(toHls!, new Rescaler(), new Muxer({ format: 'hls', output: join(dir, 'tee-hls', 'index.m3u8'), hls: { segmentDuration: 1.5 } })),
      pipeline(toFile!, new Rescaler(), new Muxer({ format: 'mp4', output: mp4 })),
    ]);
    expect(keyframeTimes(mp4)).toEqual([0, 1.52, 3, 4.52, 6]);
    expect(segmentDurations(join(dir, 'tee-hls', 'index.m3u8'))).toEqual([1.52, 1.48, 1.52, 1.48, 0.52]);
  });

  it('forceKeyframes at given times puts them where ffmpeg -force_key_frames does', async () => {
    const ours = join(dir, 'force-at.mp4');
    await pipeline(source(3, false), new Encoder({ video: { codec: 'h264', preset: 'veryfast', forceKeyframes: { at: [0.5, 1.7, 2.2] } } }), new Rescaler(), new Muxer({ format: 'mp4', output: ours }));
    const theirs = join(dir, 'force-at-ffmpeg.mp4');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=128x72:rate=25', '-t', '3', '-c:v', 'libx264', '-preset', 'veryfast', '-force_key_frames', '0.5,1.7,2.2', theirs]);
    expect(keyframeTimes(ours)).toEqual(keyframeTimes(theirs));
    expect(keyframeTimes(ours)).toEqual([0, 0.52, 1.72, 2.2]);
  });

  it('forceKeyframes every N seconds: on the frame that reaches each multiple', async () => {
    const out = join(dir, 'force-every.mp4');
    await pipeline(source(3, false), new Encoder({ video: { codec: 'h264', preset: 'veryfast', forceKeyframes: { every: 0.8 } } }), new Rescaler(), new Muxer({ format: 'mp4', output: out }));
    // ffmpeg's expr:gte(t,n_forced*0.8) puts the third at 2.44 s: in doubles 3 × 0.8 is above 60 × 0.04.
    // Times are compared here in whole microseconds, so frame 60 (2.4 s) is the one.
    expect(keyframeTimes(out)).toEqual([0, 0.8, 1.6, 2.4]);
  });

  it('a transcode does not copy the source\'s picture types: keyframes are the encoder\'s own', async () => {
    const input = join(dir, 'gop10.mp4');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=128x72:rate=25', '-t', '3', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '10', '-sc_threshold', '0', input]);
    expect(keyframeTimes(input)).toHaveLength(8);
    const out = join(dir, 'from-gop10.mp4');
    await pipeline(decodeFile(input), new Encoder({ video: { codec: 'h264', preset: 'veryfast', options: { sc_threshold: 0 } } }), new Rescaler(), new Muxer({ format: 'mp4', output: out }));
    expect(keyframeTimes(out)).toEqual([0]);
  });

  it('a request that is not times or an interval is a ConfigError naming the field', () => {
    const bad = (forceKeyframes: unknown) => () => new Encoder({ video: { codec: 'h264', forceKeyframes: forceKeyframes as never } });
    expect(bad({ every: 0 })).toThrow(ConfigError);
    expect(bad({ every: 0 })).toThrow(/video\.forceKeyframes\.every/);
    expect(bad({ at: [1, -2] })).toThrow(/video\.forceKeyframes\.at/);
    expect(bad({})).toThrow(/video\.forceKeyframes/);
  });
});
