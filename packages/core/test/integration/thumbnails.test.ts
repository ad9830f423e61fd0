/**
 * thumbnails() and thumbnailSprite() against the ffmpeg command line: inputs
 * made with ffmpeg (testsrc2, whose frames all differ, with B-frames and
 * 2 s GOPs so that seeking is exercised), each thumbnail compared pixel for
 * pixel (PNG, decoded by `ffmpeg -f framemd5`) with what `ffmpeg -ss T -i IN
 * -frames:v 1 -vf scale=W:-2 out.png` writes. Formats, sizes and orientation
 * judged by ffprobe; the sheet's tiles cropped out of it and compared with the
 * thumbnails; its WebVTT parsed. Then what a caller does wrong: typed errors,
 * asserted by code and field.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { thumbnails, thumbnailSprite, type Thumbnail } from '@beamflow/core';
import { expectNoNativeLeaks } from '../../../../test/support/leak-hooks.js';
import { ffmpeg, outcome, tempDir } from '../../../../test/support/media.js';
import { PHONE_MATRICES, setTrackMatrix } from '../../../../test/support/orientation.js';

expectNoNativeLeaks();

const dir = tempDir('thumbnails');
const file = (name: string): string => join(dir, name);
const inputs = {
  /** 8 s at 25 fps, B-frames, a keyframe every 2 s. */
  mp4: file('bframes.mp4'),
  /** The same as MPEG-TS: timestamps from 1.4 s, inexact seeking. */
  ts: file('bframes.ts'),
  /** 10 s with one keyframe, as MPEG-TS and as MP4: every seek lands after the time asked. */
  longGopTs: file('long-gop.ts'),
  longGopMp4: file('long-gop.mp4'),
  /** 4 s at 25 fps, 160x90. */
  short: file('short.mp4'),
  phone: file('phone.mp4'),
  /** 120x90 stored, pixels 4:3 wide: shown as 160x90. */
  anamorphic: file('anamorphic.mkv'),
  audio: file('tone.m4a'),
  notMedia: file('notes.txt'),
};

beforeAll(() => {
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=25', '-t', '8', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '50', '-bf', '3', '-pix_fmt', 'yuv420p', inputs.mp4]);
  ffmpeg(['-i', inputs.mp4, '-c', 'copy', '-f', 'mpegts', inputs.ts]);
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=96x54:rate=25', '-t', '10', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '300', '-bf', '3', '-pix_fmt', 'yuv420p', '-f', 'mpegts', inputs.longGopTs]);
  ffmpeg(['-i', inputs.longGopTs, '-c', 'copy', inputs.longGopMp4]);
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=25', '-t', '4', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', inputs.short]);
  ffmpeg(['-i', inputs.short, '-c', 'copy', inputs.phone]);
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=120x90:rate=25', '-t', '1', '-vf', 'setsar=4/3', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', inputs.anamorphic]);
  setTrackMatrix(inputs.phone, PHONE_MATRICES.portrait);
  ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '1', '-c:a', 'aac', inputs.audio]);
  writeFileSync(inputs.notMedia, 'not a video\n');
});

/** The decoded pixels of an image file, as ffmpeg's framemd5 hashes them. */
function pixels(path: string, vf?: string): string {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', path, ...(vf ? ['-vf', vf] : []), '-f', 'framemd5', '-'], { encoding: 'utf8' });
  if (r.status !== 0 || r.stderr !== '') throw new Error(`ffmpeg framemd5 ${path}: ${r.stderr}`);
  const line = r.stdout.trim().split('\n').filter((l) => !l.startsWith('#')).at(-1) ?? '';
  return line.split(',').at(-1)!.trim();
}

let written = 0;
/** A thumbnail's bytes written to a file, for ffmpeg and ffprobe to read. */
function save(t: Thumbnail | Buffer, ext = 'png'): string {
  const path = file(`got-${written++}.${ext}`);
  writeFileSync(path, Buffer.isBuffer(t) ? t : t.data);
  return path;
}

/** What `ffmpeg -ss T -i IN -frames:v 1 -vf scale=W:-2 out.png` writes, as pixels. */
function ffmpegFrame(input: string, t: number, width: number): string {
  const out = file(`ref-${written++}.png`);
  ffmpeg(['-ss', String(t), '-i', input, '-frames:v', '1', '-vf', `scale=${width}:-2`, out]);
  return pixels(out);
}

function image(path: string): { codec_name: string; width: number; height: number } {
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'json', path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffprobe ${path}: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { streams: Array<{ codec_name: string; width: number; height: number }> }).streams[0]!;
}

async function codeOf(p: Promise<unknown>): Promise<{ code?: string; field?: string }> {
  const r = await outcome(p);
  if (r.ok) return {};
  const e = r.error as { code?: string; field?: string };
  return { code: e.code, ...(e.field !== undefined ? { field: e.field } : {}) };
}

describe('thumbnails(): the frame ffmpeg -ss picks', () => {
  // Times on frames, between frames, inside a GOP, just before and after keyframes (2, 4, 6 s).
  const times = [0, 0.5, 1.99, 2.02, 3.3, 4, 5.51, 7.9];

  it.each([['MP4 with B-frames', 'mp4'], ['MPEG-TS starting at 1.4 s', 'ts']] as const)('%s: every time gives the frame ffmpeg writes, pixel for pixel', async (_, kind) => {
    const got = await thumbnails(inputs[kind], { at: times }, { format: 'png', width: 96 });
    expect(got.map((t) => t.requested)).toEqual(times);
    // The first frame at or after each time, counted from the input's start (25 fps).
    expect(got.map((t) => t.time)).toEqual(times.map((t) => Math.max(0, Math.ceil(t * 25 - 1e-9) / 25)));
    for (const [i, t] of got.entries()) {
      expect(t).toMatchObject({ width: 96, height: 54, format: 'png' });
      // The judge is ffmpeg on the MP4 for both: the MPEG-TS holds the same frames, and ffmpeg's
      // own seeking in it lands on the keyframe after the time (-ss 0.5 writes the frame at 2 s).
      expect(pixels(save(t)), `at ${times[i]} s`).toBe(ffmpegFrame(inputs.mp4, times[i]!, 96));
    }
  });

  it('a seek that lands after the time is retried further back, then decoding starts over: still the right frame', async () => {
    const got = await thumbnails(inputs.longGopTs, { at: [3, 6.5, 9.9] }, { format: 'png', width: 48 });
    expect(got.map((t) => t.time)).toEqual([3, 6.52, 9.92]);
    for (const t of got) expect(pixels(save(t)), `at ${t.requested} s`).toBe(ffmpegFrame(inputs.longGopMp4, t.requested, 48));
    const every = await thumbnails(inputs.longGopTs, { every: 3 }, { width: 48 });
    expect(every.map((t) => t.time)).toEqual([0, 3, 6, 9]);
  });

  it('times in any order, repeated, come back in the order asked; one past the end gives the last frame', async () => {
    const got = await thumbnails(inputs.short, { at: [3, 1, 3, 99] }, { format: 'png', width: 64 });
    expect(got.map((t) => [t.requested, t.time])).toEqual([[3, 3], [1, 1], [3, 3], [99, 3.96]]);
    expect(got[0]!.data.equals(got[2]!.data)).toBe(true);
    expect(got[0]).not.toBe(got[2]);
    expect(pixels(save(got[3]!))).toBe(ffmpegFrame(inputs.short, 3.96, 64));
  });

  it('every: 1 on a 4 s input gives 4 JPEGs at 0, 1, 2 and 3 s, 160 wide by default', async () => {
    const got = await thumbnails(inputs.short, { every: 1 });
    expect(got.map((t) => [t.requested, t.time])).toEqual([[0, 0], [1, 1], [2, 2], [3, 3]]);
    for (const t of got) {
      expect(t).toMatchObject({ width: 160, height: 90, format: 'jpeg' });
      expect(image(save(t, 'jpg'))).toEqual({ codec_name: 'mjpeg', width: 160, height: 90 });
    }
  });

  it('width is honoured with an even height keeping the aspect; png and jpeg are valid images', async () => {
    const [png] = await thumbnails(inputs.short, { at: [1] }, { width: 100, format: 'png' });
    const [jpeg] = await thumbnails(inputs.short, { at: [1] }, { width: 100, format: 'jpeg' });
    // 100 × 90/160 = 56.25: the height of ffmpeg's scale=100:-2.
    expect(image(save(png!))).toEqual({ codec_name: 'png', width: 100, height: 56 });
    expect(image(save(jpeg!, 'jpg'))).toEqual({ codec_name: 'mjpeg', width: 100, height: 56 });
    expect(pixels(save(png!))).toBe(ffmpegFrame(inputs.short, 1, 100));
  });

  it('non-square pixels: the height keeps the aspect shown, not the stored one (ffmpeg\'s scale=W:-2 would squash it)', async () => {
    const [t] = await thumbnails(inputs.anamorphic, { at: [0.5] }, { width: 80 });
    // Shown 160x90: 80 wide is 45 high, rounded to even as scale=80:-2 rounds.
    expect(image(save(t!, 'jpg'))).toEqual({ codec_name: 'mjpeg', width: 80, height: 46 });
  });

  it("a phone's portrait video gives upright thumbnails, as ffmpeg's autorotate does", async () => {
    const got = await thumbnails(inputs.phone, { at: [0.5, 2] }, { width: 60, format: 'png' });
    for (const [i, t] of got.entries()) {
      // 60 × 160/90 = 106.7: portrait, the stored 160x90 turned.
      expect(image(save(t))).toEqual({ codec_name: 'png', width: 60, height: 106 });
      expect(pixels(save(t))).toBe(ffmpegFrame(inputs.phone, [0.5, 2][i]!, 60));
    }
  });

  it('a Buffer gives the same thumbnails as its file', async () => {
    const opts = { format: 'png', width: 64 } as const;
    const [fromFile, fromBytes] = await Promise.all([
      thumbnails(inputs.mp4, { at: [0.3, 4.5, 7] }, opts),
      thumbnails(readFileSync(inputs.mp4), { at: [0.3, 4.5, 7] }, opts),
    ]);
    expect(fromBytes.map((t) => t.time)).toEqual(fromFile.map((t) => t.time));
    for (const [i, t] of fromBytes.entries()) expect(t.data.equals(fromFile[i]!.data)).toBe(true);
  });
});

describe('thumbnailSprite(): a sheet and its WebVTT track', () => {
  /** The cues of a WebVTT thumbnail track. */
  function parseVtt(text: string): Array<{ start: number; end: number; name: string; xywh: number[] }> {
    const [head, ...blocks] = text.trim().split('\n\n');
    expect(head).toBe('WEBVTT');
    const seconds = (s: string): number => {
      const m = /^(\d{2,}):(\d{2}):(\d{2})\.(\d{3})$/.exec(s);
      if (!m) throw new Error(`not a WebVTT time: ${s}`);
      return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(m[4]) / 1000;
    };
    return blocks.map((b) => {
      const [timing, payload, ...rest] = b.split('\n');
      expect(rest).toEqual([]);
      const [start, end] = timing!.split(' --> ');
      const m = /^(.+)#xywh=(\d+),(\d+),(\d+),(\d+)$/.exec(payload!);
      if (!m) throw new Error(`not a sprite cue: ${payload}`);
      return { start: seconds(start!), end: seconds(end!), name: m[1]!, xywh: [1, 2, 3, 4].map((k) => Number(m[k + 1])) };
    });
  }

  it('columns × rows of tiles, each the thumbnail of its cue; cues contiguous from 0 to the end, inside the sheet', async () => {
    const sheet = await thumbnailSprite(inputs.short, { every: 0.5 }, { columns: 3, width: 64, format: 'png' });
    expect(sheet).toMatchObject({ columns: 3, rows: 3, width: 192, height: 108, name: 'sprite.png', format: 'png' });
    const path = save(sheet.image);
    expect(image(path)).toEqual({ codec_name: 'png', width: 192, height: 108 });
    const cues = parseVtt(sheet.vtt);
    expect(cues).toHaveLength(8);
    expect(cues[0]!.start).toBe(0);
    expect(cues.at(-1)!.end).toBe(4);
    for (const [i, c] of cues.entries()) {
      if (i > 0) expect(c.start).toBe(cues[i - 1]!.end);
      expect(c.start).toBe(i * 0.5);
      expect(c.name).toBe('sprite.png');
      const [x, y, w, h] = c.xywh as [number, number, number, number];
      expect([w, h]).toEqual([64, 36]);
      expect(x + w).toBeLessThanOrEqual(sheet.width);
      expect(y + h).toBeLessThanOrEqual(sheet.height);
      // The tile cut out of the sheet is the thumbnail, pixel for pixel.
      expect(pixels(path, `crop=${w}:${h}:${x}:${y}`), `tile ${i}`).toBe(pixels(save(sheet.thumbnails[i]!)));
    }
    expect(sheet.cues.map((c) => [c.start, c.end])).toEqual(cues.map((c) => [c.start, c.end]));
  });

  it('a JPEG sheet named as the player will fetch it; fewer thumbnails than columns make one row', async () => {
    const sheet = await thumbnailSprite(inputs.short, { at: [1, 2] }, { columns: 10, name: 'https://cdn.example.com/v/sprite.jpg' });
    expect(image(save(sheet.image, 'jpg'))).toEqual({ codec_name: 'mjpeg', width: 320, height: 90 });
    expect(sheet.vtt).toBe([
      'WEBVTT', '',
      '00:00:00.000 --> 00:00:02.000', 'https://cdn.example.com/v/sprite.jpg#xywh=0,0,160,90', '',
      '00:00:02.000 --> 00:00:04.000', 'https://cdn.example.com/v/sprite.jpg#xywh=160,0,160,90', '',
    ].join('\n'));
  });
});

describe('what a caller does wrong', () => {
  it('a missing file, a file that is not media, bytes that are not media, audio only: InputError', async () => {
    const results = await Promise.all([
      codeOf(thumbnails(file('nope.mp4'), { at: [0] })),
      codeOf(thumbnails(inputs.notMedia, { at: [0] })),
      codeOf(thumbnails(Buffer.from('not a video at all, just some text\n'.repeat(100)), { at: [0] })),
      codeOf(thumbnails(Buffer.alloc(0), { at: [0] })),
      codeOf(thumbnails(inputs.audio, { every: 1 })),
      codeOf(thumbnails(readFileSync(inputs.audio), { every: 1 })),
    ]);
    for (const r of results) expect(r).toEqual({ code: 'BEAMFLOW_INPUT' });
  });

  it('bad times and options: ConfigError naming the option', async () => {
    const cases: Array<[Promise<unknown>, string]> = [
      [thumbnails(inputs.short, { at: [1, -1] }), 'at'],
      [thumbnails(inputs.short, { at: [Number.NaN] }), 'at'],
      [thumbnails(inputs.short, { at: [Number.POSITIVE_INFINITY] }), 'at'],
      [thumbnails(inputs.short, { at: [] }), 'at'],
      [thumbnails(inputs.short, { every: 0 }), 'every'],
      [thumbnails(inputs.short, { every: -2 }), 'every'],
      [thumbnails(inputs.short, { every: 0.0001 }), 'every'],
      [thumbnails(inputs.short, { at: [1], every: 1 } as never), 'at'],
      [thumbnails(inputs.short, {} as never), 'times'],
      [thumbnails(inputs.short, { at: [1] }, { format: 'gif' as never }), 'format'],
      [thumbnails(inputs.short, { at: [1] }, { format: 'jpg' as never }), 'format'],
      [thumbnails(inputs.short, { at: [1] }, { width: 0 }), 'width'],
      [thumbnails(inputs.short, { at: [1] }, { width: 10.5 }), 'width'],
      [thumbnails(inputs.short, { at: [1] }, { widht: 10 } as never), 'widht'],
      [thumbnails(42 as never, { at: [1] }), 'input'],
      [thumbnailSprite(inputs.short, { every: 1 }, { columns: 0 }), 'columns'],
      [thumbnailSprite(inputs.short, { every: 1 }, {} as never), 'columns'],
      [thumbnailSprite(inputs.short, { every: 1 }, { columns: 2, name: 'a\nb' }), 'name'],
    ];
    for (const [p, field] of cases) expect(await codeOf(p)).toEqual({ code: 'BEAMFLOW_CONFIG', field });
  });

  it('a sheet over 65500 pixels a side is refused on columns', async () => {
    expect(await codeOf(thumbnailSprite(inputs.short, { every: 0.001 }, { columns: 1, width: 32 }))).toEqual({ code: 'BEAMFLOW_CONFIG', field: 'columns' });
  }, 20_000);

  it('an aborted signal rejects with AbortError', async () => {
    const ac = new AbortController();
    ac.abort();
    expect(await codeOf(thumbnails(inputs.short, { every: 1 }, { signal: ac.signal }))).toEqual({ code: 'BEAMFLOW_ABORTED' });
  });
});
