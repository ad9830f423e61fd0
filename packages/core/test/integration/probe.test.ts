/**
 * probe() against ffprobe: inputs made with the ffmpeg command line, each
 * described by `ffprobe -show_format -show_streams -show_chapters -of json`
 * and by probe(), field by field where the two overlap (ffprobe's numeric
 * strings read as numbers, times compared at ffprobe's six decimals). Then
 * what a caller does wrong: typed errors, asserted by code.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { probe, type ProbeResult } from '@beamflow/core';
import { expectNoNativeLeaks } from '../../../../test/support/leak-hooks.js';
import { countingServer } from '../../../../test/support/http.js';
import { ffmpeg, prng, tempDir } from '../../../../test/support/media.js';
import { PHONE_MATRICES, setTrackMatrix } from '../../../../test/support/orientation.js';

expectNoNativeLeaks();

const dir = tempDir('probe');
const file = (name: string): string => join(dir, name);

type Json = Record<string, unknown>;

function ffprobe(path: string): Json {
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-show_chapters', '-of', 'json', path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffprobe ${path}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Json;
}

/** Seconds at ffprobe's precision ("%f"). */
const six = (v: unknown): number | undefined => (typeof v === 'number' ? Number(v.toFixed(6)) : v === undefined ? undefined : Number(v));
const numeric = (v: unknown): number | undefined => (v === undefined ? undefined : Number(v));
const defined = (o: Json): Json => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const TIMES = new Set(['start_time', 'duration', 'end_time']);

/** probe()'s result with its times at ffprobe's precision. */
function atFfprobePrecision(r: ProbeResult): Json {
  const round = (o: object): Json => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, TIMES.has(k) ? six(v) : v]));
  return {
    format: round(r.format),
    streams: r.streams.map(round),
    chapters: r.chapters.map(round),
  };
}

/** ffprobe's JSON, limited to the fields probe() reports, in probe()'s types. */
function judged(ff: Json, withChapters: boolean): Json {
  const f = ff.format as Json;
  const streams = ff.streams as Json[];
  return {
    format: defined({
      filename: f.filename, nb_streams: f.nb_streams, format_name: f.format_name, format_long_name: f.format_long_name,
      start_time: six(f.start_time), duration: six(f.duration), size: numeric(f.size), bit_rate: numeric(f.bit_rate), tags: f.tags ?? {},
    }),
    streams: streams.map((s) => {
      const tags = (s.tags ?? {}) as Record<string, string>;
      const matrix = ((s.side_data_list ?? []) as Json[]).find((d) => d.side_data_type === 'Display Matrix');
      return defined({
        index: s.index, codec_name: s.codec_name, profile: s.profile, codec_type: s.codec_type,
        width: s.width, height: s.height, sample_aspect_ratio: s.sample_aspect_ratio, display_aspect_ratio: s.display_aspect_ratio,
        pix_fmt: s.pix_fmt, field_order: s.field_order,
        sample_fmt: s.sample_fmt, sample_rate: numeric(s.sample_rate), channels: s.channels, channel_layout: s.channel_layout,
        r_frame_rate: s.r_frame_rate, avg_frame_rate: s.avg_frame_rate, time_base: s.time_base,
        start_time: six(s.start_time), duration: six(s.duration), bit_rate: numeric(s.bit_rate), nb_frames: numeric(s.nb_frames),
        disposition: s.disposition, tags,
        language: tags.language && tags.language !== 'und' ? tags.language : undefined,
        rotation: matrix?.rotation,
      });
    }),
    ...(withChapters ? {
      chapters: ((ff.chapters ?? []) as Json[]).map((c) => ({
        id: c.id, time_base: c.time_base, start: c.start, start_time: six(c.start_time), end: c.end, end_time: six(c.end_time), tags: c.tags ?? {},
      })),
    } : {}),
  };
}

const tiny = ['-f', 'lavfi', '-i', 'testsrc2=size=128x72:rate=25'];
const tone = (hz: number, rate = 48000): string[] => ['-f', 'lavfi', '-i', `sine=frequency=${hz}:sample_rate=${rate}`];
const x264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];

const inputs = {
  mp4: file('h264-aac.mp4'),
  rotated: file('portrait.mp4'),
  tracks: file('tracks.mkv'),
  chapters: file('chapters.mkv'),
  vfr: file('vfr.mp4'),
  mp3: file('cover.mp3'),
  wav: file('tone.wav'),
};

beforeAll(() => {
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=128x72:rate=30000/1001', ...tone(440), '-t', '1', '-c:v', 'libx264', '-profile:v', 'high', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', inputs.mp4]);
  // A phone's portrait recording: the pixels sideways, the track header's matrix turning them.
  ffmpeg([...tiny, '-t', '1', ...x264, inputs.rotated]);
  setTrackMatrix(inputs.rotated, PHONE_MATRICES.portrait);
  writeFileSync(file('subs.srt'), '1\n00:00:00,000 --> 00:00:00,500\nHello\n\n2\n00:00:00,500 --> 00:00:01,000\nWorld\n');
  ffmpeg([
    ...tiny, ...tone(440), ...tone(880, 44100), '-i', file('subs.srt'), '-t', '1', '-map', '0', '-map', '1', '-map', '2', '-map', '3',
    ...x264, '-c:a', 'aac', '-ac:a:1', '2', '-c:s', 'srt',
    '-metadata:s:a:0', 'language=eng', '-metadata:s:a:1', 'language=fra', '-metadata:s:s:0', 'language=deu', '-disposition:a:0', 'default',
    inputs.tracks,
  ]);
  writeFileSync(file('chapters.txt'), ';FFMETADATA1\ntitle=Chaptered\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=400\ntitle=Intro\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=400\nEND=1000\ntitle=Main part\n');
  ffmpeg([...tiny, '-i', file('chapters.txt'), '-t', '1', '-map', '0', '-map_metadata', '1', '-map_chapters', '1', ...x264, inputs.chapters]);
  // Every third frame of 30 fps dropped: 20 fps on average, timestamps on a 1/30 s grid.
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=128x72:rate=30', '-t', '2', '-vf', "select='not(eq(mod(n\\,3)\\,2))'", '-fps_mode', 'vfr', ...x264, inputs.vfr]);
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=64x64:rate=1', '-frames:v', '1', file('cover.png')]);
  ffmpeg([
    ...tone(440, 44100), '-i', file('cover.png'), '-t', '1', '-map', '0', '-map', '1', '-c:a', 'libmp3lame', '-b:a', '128k', '-c:v', 'png',
    '-id3v2_version', '3', '-metadata:s:v', 'title=Album cover', '-metadata:s:v', 'comment=Cover (front)', '-disposition:v', 'attached_pic',
    '-metadata', 'title=Song', inputs.mp3,
  ]);
  ffmpeg([...tone(440, 44100), '-t', '1', '-ac', '2', '-c:a', 'pcm_s16le', inputs.wav]);
});

describe('probe() says what ffprobe says', () => {
  it.each(Object.entries(inputs))('%s', async (_name, path) => {
    const r = await probe(path);
    expect(atFfprobePrecision(r)).toEqual(judged(ffprobe(path), true));
  });

  it('an H.264 + AAC MP4: profiles, the NTSC rate as ffprobe writes it, sizes and bit rates as numbers', async () => {
    const r = await probe(inputs.mp4);
    expect(r.format).toMatchObject({ format_name: 'mov,mp4,m4a,3gp,3g2,mj2', nb_streams: 2, size: readFileSync(inputs.mp4).length });
    expect(r.format.duration).toBeCloseTo(1, 1);
    const [v, a] = r.streams;
    expect(v).toMatchObject({ codec_type: 'video', codec_name: 'h264', profile: 'High', width: 128, height: 72, pix_fmt: 'yuv420p', avg_frame_rate: '30000/1001' });
    expect(a).toMatchObject({ codec_type: 'audio', codec_name: 'aac', profile: 'LC', sample_rate: 48000, channels: 1, channel_layout: 'mono' });
    expect(typeof v?.bit_rate).toBe('number');
    expect(v?.rotation).toBeUndefined();
  });

  it('a portrait phone video: rotation -90 and the stored (sideways) size', async () => {
    const [v] = (await probe(inputs.rotated)).streams;
    expect(v).toMatchObject({ rotation: -90, width: 128, height: 72 });
  });

  it('a Matroska file with two audio languages and subtitles: each stream with its language and disposition', async () => {
    const r = await probe(inputs.tracks);
    expect(r.streams.map((s) => [s.codec_type, s.language ?? null])).toEqual([['video', null], ['audio', 'eng'], ['audio', 'fra'], ['subtitle', 'deu']]);
    expect(r.streams.map((s) => s.disposition.default)).toEqual([0, 1, 0, 0]);
    expect(r.streams[2]).toMatchObject({ sample_rate: 44100, channels: 2, channel_layout: 'stereo' });
    // Matroska gives a length only for the whole file.
    expect(r.streams[1]?.duration).toBeUndefined();
    expect(r.format.duration).toBeGreaterThan(0.9);
  });

  it('a variable-frame-rate file: the average rate is not the real (base) rate', async () => {
    const [v] = (await probe(inputs.vfr)).streams;
    expect(v?.r_frame_rate).toBe('30/1');
    expect(v?.avg_frame_rate).not.toBe(v?.r_frame_rate);
    const [n, d] = (v?.avg_frame_rate ?? '0/1').split('/').map(Number);
    expect(n! / d!).toBeCloseTo(20, 0);
  });

  it('an MP3 with cover art: the picture is a video stream with attached_pic', async () => {
    const r = await probe(inputs.mp3);
    expect(r.streams.map((s) => [s.codec_type, s.codec_name, s.disposition.attached_pic])).toEqual([['audio', 'mp3', 0], ['video', 'png', 1]]);
    expect(r.streams[1]?.tags).toMatchObject({ title: 'Album cover' });
    expect(r.format.tags).toMatchObject({ title: 'Song' });
  });

  it('a WAV: PCM, no start time and no channel layout, as ffprobe leaves them out', async () => {
    const r = await probe(inputs.wav);
    expect(r.format.start_time).toBeUndefined();
    const [a] = r.streams;
    expect(a).toMatchObject({ codec_name: 'pcm_s16le', sample_fmt: 's16', sample_rate: 44100, channels: 2, bit_rate: 1411200 });
    expect(a && 'channel_layout' in a).toBe(false);
  });

  it('the result is plain data: it survives JSON unchanged', async () => {
    const r = await probe(inputs.tracks);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('a file: URL is a path', async () => {
    const r = await probe(`file:${inputs.wav}`);
    expect(r.format).toMatchObject({ filename: `file:${inputs.wav}`, format_name: 'wav', size: readFileSync(inputs.wav).length });
  });
});

describe('chapters', () => {
  it('match ffprobe\'s (id, time base, start and end, title)', async () => {
    const r = await probe(inputs.chapters);
    expect(r.chapters.map((c) => c.tags.title)).toEqual(['Intro', 'Main part']);
    expect(atFfprobePrecision(r).chapters).toEqual(judged(ffprobe(inputs.chapters), true).chapters);
  });

  it('are never an empty list for a file that has some', async () => {
    const r = await probe(inputs.chapters);
    expect(r.chapters).toHaveLength(2);
    expect((await probe(inputs.mp4)).chapters).toEqual([]);
  });
});

describe('bad input is a typed error naming what was wrong', () => {
  it('a missing file is BEAMFLOW_INPUT naming the path', async () => {
    const path = file('nope.mp4');
    await expect(probe(path)).rejects.toMatchObject({ code: 'BEAMFLOW_INPUT', input: path });
  });

  it('random bytes are BEAMFLOW_INPUT', async () => {
    const next = prng(7);
    const path = file('noise.mp4');
    writeFileSync(path, Buffer.from(Array.from({ length: 64 * 1024 }, () => Math.floor(next() * 256))));
    await expect(probe(path)).rejects.toMatchObject({ code: 'BEAMFLOW_INPUT', input: path });
  });

  it('an empty file is BEAMFLOW_INPUT', async () => {
    const path = file('empty.mp4');
    writeFileSync(path, Buffer.alloc(0));
    await expect(probe(path)).rejects.toMatchObject({ code: 'BEAMFLOW_INPUT', input: path });
  });

  it('a directory is BEAMFLOW_INPUT', async () => {
    const path = file('a-directory.mp4');
    mkdirSync(path, { recursive: true });
    await expect(probe(path)).rejects.toMatchObject({ code: 'BEAMFLOW_INPUT', input: path });
  });

  it('a concat list is refused unless allowed', async () => {
    const path = file('list.ffconcat');
    // A relative name: FFmpeg's concat demuxer refuses absolute ones as unsafe by itself.
    writeFileSync(path, "ffconcat version 1.0\nfile 'tone.wav'\n");
    await expect(probe(path)).rejects.toMatchObject({ code: 'BEAMFLOW_INPUT', input: path });
    const r = await probe(path, { allowConcat: true });
    expect(r.format.format_name).toBe('concat');
  });

  it('a URL whose scheme is not allowed is a ConfigError on protocols', async () => {
    await expect(probe('http://example.invalid/a.mp4')).rejects.toMatchObject({ code: 'BEAMFLOW_CONFIG', field: 'protocols' });
  });

  it('bad options are ConfigErrors naming the option', async () => {
    await expect(probe(inputs.wav, { protocol: ['file'] } as never)).rejects.toMatchObject({ code: 'BEAMFLOW_CONFIG', field: 'protocol' });
    await expect(probe(inputs.wav, { protocols: 'file' } as never)).rejects.toMatchObject({ code: 'BEAMFLOW_CONFIG', field: 'protocols' });
    await expect(probe(inputs.wav, { protocols: ['file,http'] })).rejects.toMatchObject({ code: 'BEAMFLOW_CONFIG', field: 'protocols' });
    await expect(probe(inputs.wav, { allowConcat: 'yes' } as never)).rejects.toMatchObject({ code: 'BEAMFLOW_CONFIG', field: 'allowConcat' });
    await expect(probe(42 as never)).rejects.toMatchObject({ code: 'BEAMFLOW_CONFIG', field: 'input' });
    await expect(probe('')).rejects.toMatchObject({ code: 'BEAMFLOW_CONFIG', field: 'input' });
  });

  it.each([['mp4 (index at the end: spooled)', 'mp4'], ['mkv', 'tracks'], ['wav', 'wav']] as const)(
    'bytes of an %s, as a Buffer or a Readable, say what the path says',
    async (_name, key) => {
      const path = inputs[key];
      const fromPath = await probe(path);
      const fromBuffer = await probe(readFileSync(path));
      const fromStream = await probe(createReadStream(path, { highWaterMark: 4096 }));
      // FFmpeg's WAV demuxer reads a stream's duration only when it can seek: from bytes it is
      // unknown, as `cat tone.wav | ffprobe -` says N/A.
      const seekless = (streams: ProbeResult['streams']) => (key === 'wav' ? streams.map(({ duration: _d, ...rest }) => rest) : streams);
      expect(fromBuffer.streams).toEqual(seekless(fromPath.streams));
      expect(fromStream.streams).toEqual(seekless(fromPath.streams));
      expect(fromBuffer.format).toMatchObject({ format_name: fromPath.format.format_name, size: fromPath.format.size, nb_streams: fromPath.format.nb_streams });
      expect(fromStream.format.format_name).toBe(fromPath.format.format_name);
    },
  );

  it('format names the demuxer, as ffprobe -f: raw PCM, which no probe recognises, as a file and as bytes', async () => {
    const pcm = file('tone.s16le');
    ffmpeg([...tone(440, 48000), '-t', '1', '-ac', '1', '-f', 's16le', pcm]);
    await expect(probe(pcm)).rejects.toMatchObject({ code: 'BEAMFLOW_INPUT' });
    const r = await probe(pcm, { format: 's16le' });
    expect(r.format.format_name).toBe('s16le');
    expect(r.streams.map((s) => [s.codec_type, s.codec_name])).toEqual([['audio', 'pcm_s16le']]);
    expect((await probe(readFileSync(pcm), { format: 's16le' })).streams.map((s) => s.codec_name)).toEqual(['pcm_s16le']);
    await expect(probe(pcm, { format: 's16lee' })).rejects.toMatchObject({ code: 'BEAMFLOW_CONFIG', field: 'format' });
    await expect(probe(pcm, { format: 42 } as never)).rejects.toMatchObject({ code: 'BEAMFLOW_CONFIG', field: 'format' });
  });

  it('bytes that are not media are an InputError', async () => {
    await expect(probe(Buffer.alloc(100_000, 0x5a))).rejects.toMatchObject({ code: 'BEAMFLOW_INPUT' });
    await expect(probe(Readable.from([Buffer.alloc(0)]))).rejects.toMatchObject({ code: 'BEAMFLOW_INPUT' });
  });
});

describe('untrusted input: a playlist cannot reach the network', () => {
  const http = countingServer();

  it('an HLS playlist naming an http:// segment is BEAMFLOW_INPUT, and no request leaves the process', async () => {
    const path = file('remote.m3u8');
    writeFileSync(path, `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nhttp://127.0.0.1:${http.port}/seg.ts\n#EXT-X-ENDLIST\n`);
    http.reset();
    await expect(probe(path)).rejects.toMatchObject({ code: 'BEAMFLOW_INPUT' });
    expect(http.requests).toBe(0);
    // The check above can fail: with the protocols widened, FFmpeg does ask the server.
    await probe(path, { protocols: ['file', 'http', 'tcp'] }).catch(() => undefined);
    expect(http.requests).toBeGreaterThan(0);
  });
});
