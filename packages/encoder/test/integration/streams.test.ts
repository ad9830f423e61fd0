/**
 * Which streams a transcode takes: cover art is not the video, an audio track
 * can be chosen by its language, and the language travels to the output.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { BeamflowError, ConfigError, decodeFile, type Envelope, type StreamDescriptor } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';
import { ffmpeg, outcome, tempDir } from '../../../../test/support/media.js';
import { expectNoNativeLeaks } from '../../../../test/support/leak-hooks.js';

expectNoNativeLeaks();

const dir = tempDir('streams');

async function descriptors(src: AsyncIterable<unknown>): Promise<StreamDescriptor[]> {
  const out: StreamDescriptor[] = [];
  for await (const e of src) if ((e as Envelope).type === 'stream') out.push(e as StreamDescriptor);
  return out;
}

/** Codec type and language of each stream of a file, as ffprobe reads them. */
const tracks = (path: string): string[] =>
  spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type:stream_tags=language', '-of', 'csv=p=0', path], { encoding: 'utf8' })
    .stdout.trim().split('\n');

describe('cover art', () => {
  const cover = join(dir, 'cover.png');
  const song = join(dir, 'song.mp3');
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=64x64', '-frames:v', '1', cover]);
  ffmpeg(['-f', 'lavfi', '-i', 'sine=sample_rate=44100', '-i', cover, '-t', '1', '-map', '0', '-map', '1', '-c:a', 'libmp3lame', '-c:v', 'png', '-disposition:v', 'attached_pic', song]);

  it('an MP3 with a picture decodes as audio alone, and transcodes to an audio file', async () => {
    expect((await descriptors(decodeFile(song))).map((d) => d.kind)).toEqual(['audio']);
    const out = join(dir, 'song.m4a');
    await pipeline(decodeFile(song), new Encoder({ audio: { codec: 'aac' } }), new Rescaler(), new Muxer({ format: 'mp4', output: out }));
    expect(tracks(out)).toEqual(['audio,und']);
  });

  it('asking for video says there is only cover art and how to take it', async () => {
    const res = await outcome(descriptors(decodeFile(song, { video: true })));
    expect(res.ok).toBe(false);
    const err = (res as { error: unknown }).error;
    expect(BeamflowError.isInstance(err) && err.code).toBe('BEAMFLOW_INPUT');
    expect((err as Error).message).toMatch(/only cover art \(stream 1: pass video: 1/);
    expect((await descriptors(decodeFile(song, { video: 1 }))).map((d) => d.kind)).toEqual(['video', 'audio']);
  });
});

describe('audio tracks by language', () => {
  const two = join(dir, 'two.mkv');
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=128x72:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-f', 'lavfi', '-i', 'sine=frequency=880:sample_rate=48000',
    '-t', '1', '-map', '0', '-map', '1', '-map', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-metadata:s:a:0', 'language=eng', '-metadata:s:a:1', 'language=fra', two]);
  const transcode = async (audio: string | undefined, out: string) => pipeline(
    decodeFile(two, audio === undefined ? {} : { audio }), new Encoder({ video: { codec: 'h264', preset: 'ultrafast' }, audio: { codec: 'aac' } }),
    new Rescaler(), new Muxer({ format: 'mp4', output: out }),
  );

  it('by default the first track, its language carried to the output', async () => {
    const out = join(dir, 'default.mp4');
    await transcode(undefined, out);
    expect(tracks(out)).toEqual(['video,und', 'audio,eng']);
  });

  it('audio: \'fra\' takes the French track', async () => {
    const d = await descriptors(decodeFile(two, { audio: 'fra' }));
    expect(d.find((x) => x.kind === 'audio')?.language).toBe('fra');
    const out = join(dir, 'fra.mp4');
    await transcode('fra', out);
    expect(tracks(out)).toEqual(['video,und', 'audio,fra']);
  });

  it('a language the file lacks is a ConfigError listing the tracks it has', async () => {
    const res = await outcome(descriptors(decodeFile(two, { audio: 'deu' })));
    const err = (res as { error: unknown }).error;
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/no audio stream in language 'deu'; its audio streams: 1: eng, 2: fra/);
  });
});
