/**
 * `beamflow transcode`, `hls` and `hw` end to end, in child processes:
 * outputs judged by ffprobe and a full decode, the input exit codes, and the
 * real process's exit codes for help and usage errors (the messages
 * themselves are checked in process by main.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeErrors, ffmpeg, streams, tempDir } from '../../../test/support/media.js';
import { cli, countOf, events, formatName } from './run-cli.js';
import { PHONE_MATRICES, setTrackMatrix } from '../../../test/support/orientation.js';

const dir = tempDir('cli-files');

describe('beamflow transcode and hls', () => {
  const input = join(dir, 'input.mp4');
  ffmpeg([
    '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100', '-t', '2',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', input,
  ]);

  it('transcode --size scales, keeps every frame, and shows a percentage (the input has a known length)', async () => {
    const out = join(dir, 'scaled.mkv');
    const r = await cli(['transcode', input, '-o', out, '--size', '160x90', '--crf', '30', '--preset', 'ultrafast']);
    expect(r.code, r.stderr).toBe(0);
    expect(formatName(out)).toBe('matroska,webm');
    const s = streams(out);
    expect(s.map((x) => x.codec_name)).toEqual(['h264', 'aac']);
    expect(s[0]).toMatchObject({ width: 160, height: 90 });
    expect(countOf(s, 'video')).toBe(50);
    expect(decodeErrors(out)).toBe('');
    expect(r.stderr).toMatch(/^transcode: .*input\.mp4 \(320x180 25 fps, audio 44100 Hz 1 ch, 2\.00 s\)/m);
    expect(r.stderr).toMatch(/progress=\d+%/);
  });

  it('progress of a Matroska input (no length on its streams) or an MPEG-TS one (timestamps from 1.4 s) runs from 0 to 100%', async () => {
    const mkv = join(dir, 'input.mkv');
    const ts = join(dir, 'input.ts');
    ffmpeg(['-i', input, '-c', 'copy', mkv]);
    ffmpeg(['-i', input, '-c', 'copy', ts]);
    const runs = await Promise.all([mkv, ts].map((f) => cli(['transcode', f, '-o', `${f}.out.ts`, '--preset', 'ultrafast', '--json'])));
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(0);
      const ev = events(r.stderr);
      expect((ev[0]!.duration as number)).toBeCloseTo(2, 1);
      const first = ev.find((e) => e.event === 'progress')!;
      expect(first.time as number).toBeLessThan(0.2);
      expect(first.percent as number).toBeLessThan(10);
      expect((ev.at(-1)!.time as number)).toBeGreaterThan(1.9);
    }
  });

  it('transcode of an MPEG-TS (timestamps from 1.4 s) starts at zero; --copyts keeps the source\'s times', async () => {
    const ts = join(dir, 'late.ts');
    ffmpeg(['-i', input, '-c', 'copy', '-f', 'mpegts', ts]);
    const start = (f: string): number => Number(spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=start_time', '-of', 'csv=p=0', f], { encoding: 'utf8' }).stdout);
    expect(start(ts)).toBeGreaterThan(1.3);
    const [zero, kept] = [join(dir, 'late-zero.ts'), join(dir, 'late-copyts.ts')];
    const runs = await Promise.all([cli(['transcode', ts, '-o', zero, '--preset', 'ultrafast']), cli(['transcode', ts, '-o', kept, '--preset', 'ultrafast', '--copyts'])]);
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    // (ffmpeg's own MPEG-TS output starts at 1.4 s again: its command line muxes with -muxdelay 0.7.)
    expect(start(zero)).toBeLessThan(0.05);
    expect(Math.abs(start(kept) - start(ts))).toBeLessThan(0.05);
  });

  it('transcode turns a phone\'s portrait video upright; --no-autorotate keeps its pixels and matrix', async () => {
    const phone = join(dir, 'phone.mp4');
    ffmpeg(['-i', input, '-c', 'copy', phone]);
    setTrackMatrix(phone, PHONE_MATRICES.portrait);
    const [upright, kept] = [join(dir, 'phone-upright.mp4'), join(dir, 'phone-kept.mp4')];
    const runs = await Promise.all([cli(['transcode', phone, '-o', upright, '--preset', 'ultrafast']), cli(['transcode', phone, '-o', kept, '--preset', 'ultrafast', '--no-autorotate'])]);
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const view = (f: string): string => spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_streams', f], { encoding: 'utf8' }).stdout
      .split('\n').filter((l) => /^(width|height|rotation)=/.test(l)).join(' ');
    expect(view(upright)).toBe('width=180 height=320');
    expect(view(kept)).toBe('width=320 height=180 rotation=-90');
  });

  it('transcode --audio-track fra takes the French track and keeps its language', async () => {
    const two = join(dir, 'two.mkv');
    ffmpeg(['-i', input, '-i', input, '-map', '0:v', '-map', '0:a', '-map', '1:a', '-c', 'copy', '-metadata:s:a:0', 'language=eng', '-metadata:s:a:1', 'language=fra', two]);
    const out = join(dir, 'fra.mp4');
    const r = await cli(['transcode', two, '-o', out, '--preset', 'ultrafast', '--audio-track', 'fra']);
    expect(r.code, r.stderr).toBe(0);
    const langs = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type:stream_tags=language', '-of', 'csv=p=0', out], { encoding: 'utf8' }).stdout.trim();
    expect(langs.split('\n')).toEqual(['video,und', 'audio,fra']);
    const bad = await cli(['transcode', two, '-o', join(dir, 'deu.mp4'), '--audio-track', 'deu']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no audio stream in language 'deu'/);
  });

  it('transcode - reads standard input, as ffmpeg -i - does: MPEG-TS piped in, every frame out', async () => {
    const ts = join(dir, 'piped.ts');
    ffmpeg(['-i', input, '-c', 'copy', '-f', 'mpegts', ts]);
    const out = join(dir, 'from-stdin.mp4');
    const r = await cli(['transcode', '-', '-o', out, '--preset', 'ultrafast'], { stdinFile: ts });
    expect(r.code, r.stderr).toBe(0);
    const s = streams(out);
    expect(s.map((x) => x.codec_name)).toEqual(['h264', 'aac']);
    expect(countOf(s, 'video')).toBe(50);
    expect(decodeErrors(out)).toBe('');
    expect(r.stderr).toMatch(/^transcode: - \(320x180 25 fps/m);
  });

  it('an odd-sized input is cut to even sides for 4:2:0 H.264 instead of failing', async () => {
    const odd = join(dir, 'odd.mkv');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25', '-t', '1', '-vf', 'scale=321:181', '-c:v', 'ffv1', '-pix_fmt', 'yuv444p', odd]);
    const out = join(dir, 'odd.mp4');
    const r = await cli(['transcode', odd, '-o', out, '--preset', 'ultrafast', '-q']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const s = streams(out);
    expect(s[0]).toMatchObject({ codec_name: 'h264', width: 320, height: 180, pix_fmt: 'yuv420p' });
    expect(countOf(s, 'video')).toBe(25);
    expect(decodeErrors(out)).toBe('');
  });

  it('hls with a two-rung ladder: a master playlist over two playlists that decode', async () => {
    const out = join(dir, 'hls');
    const r = await cli(['hls', input, '-o', out, '--ladder', '180,90', '--segment-duration', '1', '--preset', 'ultrafast', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const master = readFileSync(join(out, 'master.m3u8'), 'utf8');
    expect(master).toMatch(/RESOLUTION=320x180,.*CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2"\n180p\/index\.m3u8/);
    expect(master).toMatch(/RESOLUTION=160x90,.*\n90p\/index\.m3u8/);
    for (const rung of ['180p', '90p']) {
      const playlist = join(out, rung, 'index.m3u8');
      expect(readFileSync(playlist, 'utf8')).toContain('#EXT-X-ENDLIST');
      expect(decodeErrors(playlist)).toBe('');
      expect(countOf(streams(playlist), 'video')).toBe(50);
      expect(readFileSync(playlist, 'utf8').split('\n').filter((l) => l.startsWith('#EXTINF:'))).toEqual(['#EXTINF:1.000000,', '#EXTINF:1.000000,']);
    }
    expect(events(r.stderr).at(-1)).toMatchObject({ event: 'end', format: 'hls', frames: 50, exitCode: 0 });
  });

  it('a missing input exits 3, an input that is not media exits 3', async () => {
    const notMedia = join(dir, 'notes.txt');
    writeFileSync(notMedia, 'not a video\n');
    const [missing, bad] = await Promise.all([
      cli(['transcode', join(dir, 'nope.mp4'), '-o', join(dir, 'x.mp4')]),
      cli(['hls', notMedia, '-o', join(dir, 'x-hls')]),
    ]);
    expect(missing.code, missing.stderr).toBe(3);
    expect(missing.stderr).toMatch(/^beamflow: .*nope\.mp4: no such file$/m);
    expect(bad.code, bad.stderr).toBe(3);
    expect(bad.stderr).toMatch(/^beamflow: .*notes\.txt: cannot be opened as media/m);
  });
});

describe('beamflow hw', () => {
  it('prints a row per codec, the same table as scripts/hw-report.ts', async () => {
    const [text, script] = await Promise.all([cli(['hw']), cli([], { script: 'scripts/hw-report.ts' })]);
    expect(text.code, text.stderr).toBe(0);
    const table = text.stdout.toString();
    for (const codec of ['h264', 'hevc', 'av1', 'vp9']) expect(table).toMatch(new RegExp(`^${codec} +→ \\S+ \\((software|cuda|vaapi)`, 'm'));
    expect(script.code, script.stderr).toBe(0);
    expect(script.stdout.toString()).toBe(table);
  });
});

describe('command line (exit codes of the real process)', () => {
  it('a command\'s --help exits 0 on stdout; an unknown command exits 2 on stderr', async () => {
    const [help, typo] = await Promise.all([cli(['encode', '-h']), cli(['encdoe'])]);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout.toString()).toMatch(/^Usage:\n {2}beamflow encode /m);
    expect(typo.code).toBe(2);
    expect(typo.stdout.length).toBe(0);
    expect(typo.stderr).toBe("beamflow: unknown command 'encdoe' (did you mean encode?); commands: encode, transcode, hls, probe, thumbnails, hw, worker\nTry 'beamflow --help'.\n");
  });
});
