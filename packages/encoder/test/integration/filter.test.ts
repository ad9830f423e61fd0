/**
 * The Filter stage against the ffmpeg command line: the same chain gives the
 * same frames (video and audio, compared losslessly), the descriptors say what
 * the graph made, the graph's tail comes out at the end, and a chain FFmpeg
 * would refuse is a ConfigError naming the filter and option.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { ConfigError, Filter, decodeFile, type Envelope, type StreamDescriptor } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';
import { ffmpeg, outcome, tempDir } from '../../../../test/support/media.js';
import { expectNoNativeLeaks } from '../../../../test/support/leak-hooks.js';

expectNoNativeLeaks();

const dir = tempDir('filter');
const input = join(dir, 'in.mp4');
ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '2',
  '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', input]);

const md5 = (path: string, map: string, fmt: string): string =>
  spawnSync('ffmpeg', ['-v', 'error', '-i', path, '-map', map, '-f', fmt, '-'], { encoding: 'utf8', maxBuffer: 16 << 20 }).stdout;

describe('Filter', () => {
  it('a video chain (crop, fps, flip) gives the frames ffmpeg -vf gives, tail included', async () => {
    const chain = 'crop=160:90:20:10,fps=10,hflip';
    const ours = join(dir, 'video.mp4');
    await pipeline(decodeFile(input, { audio: false }), new Filter({ video: chain }),
      new Encoder({ video: { codec: 'h264', preset: 'ultrafast', crf: 0 } }), new Rescaler(), new Muxer({ format: 'mp4', output: ours }));
    const theirs = join(dir, 'video-ffmpeg.mp4');
    ffmpeg(['-i', input, '-an', '-vf', chain, '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '0', theirs]);
    const frames = md5(ours, '0:v', 'framemd5').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(frames).toHaveLength(20);
    expect(md5(ours, '0:v', 'framemd5')).toBe(md5(theirs, '0:v', 'framemd5'));
  });

  it('an audio chain gives the samples ffmpeg -af gives', async () => {
    const ours = join(dir, 'audio.wav');
    await pipeline(decodeFile(input, { video: false }), new Filter({ audio: 'volume=0.5' }), new Encoder({ audio: { codec: 'pcm_s16le' } }),
      new Rescaler(), new Muxer({ format: 'wav', output: ours }));
    const theirs = join(dir, 'audio-ffmpeg.wav');
    ffmpeg(['-i', input, '-vn', '-af', 'volume=0.5', '-c:a', 'pcm_s16le', theirs]);
    expect(md5(ours, '0:a', 'md5')).toBe(md5(theirs, '0:a', 'md5'));
  });

  it('the descriptor before the first frame is the graph\'s: size, frame rate, time base, sample rate', async () => {
    const items: Envelope[] = [];
    for await (const e of decodeFile(input).pipe(new Filter({ video: 'scale=80:46,fps=5', audio: 'aresample=22050' }))) items.push(e as Envelope);
    const lastBefore = (kind: string): StreamDescriptor => {
      const first = items.findIndex((e) => e.type === 'frame' && e.kind === kind);
      return items.slice(0, first).filter((e): e is StreamDescriptor => e.type === 'stream' && e.kind === kind).at(-1)!;
    };
    expect(lastBefore('video')).toMatchObject({ timeBase: { num: 1, den: 5 }, frameRate: { num: 5, den: 1 }, codecpar: { width: 80, height: 46 } });
    expect(lastBefore('audio').codecpar.sample_rate).toBe(22050);
    // Every stream is announced before any frame, as the Encoder and Muxer need.
    const firstFrame = items.findIndex((e) => e.type === 'frame');
    expect(new Set(items.slice(0, firstFrame).filter((e) => e.type === 'stream').map((e) => e.kind))).toEqual(new Set(['video', 'audio']));
    expect(items.filter((e) => e.type === 'frame' && e.kind === 'video')).toHaveLength(10);
  });

  it('a chain with a mistake is a ConfigError that names it', async () => {
    const err = (opts: ConstructorParameters<typeof Filter>[0]): ConfigError => {
      try {
        new Filter(opts);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return e as ConfigError;
      }
      throw new Error('no error');
    };
    expect(err({ video: 'cropp=100:100' }).message).toMatch(/unknown filter 'cropp'.*close matches: .*crop/);
    expect(err({ video: 'crop=w=100:q=2' }).message).toMatch(/filter 'crop' has no option 'q'; its options are .*\bw\b/);
    expect(err({ video: 'volume=0.5' }).message).toMatch(/'volume' is a filter of audio frames/);
    expect(err({}).field).toBe('options');
    // A value only FFmpeg can judge: refused when the graph opens, with FFmpeg's reason.
    const res = await outcome(pipeline(decodeFile(input, { audio: false }), new Filter({ video: 'crop=w=9999' }),
      new Encoder({ video: { codec: 'h264', preset: 'ultrafast' } }), new Rescaler(), new Muxer({ format: 'mp4', output: join(dir, 'bad.mp4') })));
    expect(res.ok).toBe(false);
    const e = (res as { error: ConfigError }).error;
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toMatch(/crop=w=9999.*Failed to configure filter graph/);
  });
});
