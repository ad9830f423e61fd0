/**
 * The `beamflow` command end to end, in child processes: outputs judged by
 * ffprobe and a full decode, exit codes, stderr's progress in each mode, and
 * signals. Everything is small (128×72, 1–2 s) except the interrupted runs,
 * which are stopped as soon as they have made progress.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeErrors, ffmpeg, streams, tempDir } from '../../../test/support/media.js';
import { cli, events, root } from './run-cli.js';

const dir = tempDir('cli');
const small = ['--size', '128x72', '--preset', 'ultrafast'];

function formatName(path: string): string {
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=format_name', '-of', 'default=nw=1:nk=1', path], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim();
}

function countOf(s: ReturnType<typeof streams>, type: string): number {
  return Number(s.find((x) => x.codec_type === type)?.nb_read_frames);
}

describe('beamflow encode', () => {
  it('writes an MP4 of the size, rate and length asked, with plain progress lines when stderr is not a terminal', async () => {
    const out = join(dir, 'pattern.mp4');
    const r = await cli(['encode', '--source', 'test-pattern', '--duration', '2', '--fps', '25', ...small, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.length).toBe(0);
    const s = streams(out);
    expect(s.map((x) => x.codec_name)).toEqual(['h264', 'aac']);
    expect(s[0]).toMatchObject({ width: 128, height: 72 });
    expect(countOf(s, 'video')).toBe(50);
    expect(decodeErrors(out)).toBe('');
    // Not a TTY: whole lines, no carriage returns or escape sequences.
    expect(r.stderr).not.toContain('\r');
    expect(r.stderr).not.toContain('\x1b');
    expect(r.stderr).toMatch(/^progress: frames=\d+ fps=\d+ speed=[\d.]+x time=\d:\d\d:\d\d\.\d\d .*progress=\d+%/m);
    expect(r.stderr).toMatch(/^done: .*pattern\.mp4 \(50 frames/m);
  });

  it('-o - writes fragmented MP4 to stdout and nothing else; progress goes to stderr', async () => {
    const r = await cli(['encode', '--duration', '2', ...small, '-o', '-']);
    expect(r.code, r.stderr).toBe(0);
    // The first box is the file type box: no banner or message came before the media.
    expect(r.stdout.subarray(4, 8).toString('latin1')).toBe('ftyp');
    const out = join(dir, 'piped.mp4');
    writeFileSync(out, r.stdout);
    expect(formatName(out)).toContain('mp4');
    const s = streams(out);
    expect(s.map((x) => x.codec_name)).toEqual(['h264', 'aac']);
    expect(countOf(s, 'video')).toBe(50);
    expect(decodeErrors(out)).toBe('');
    expect(r.stderr).toMatch(/^progress: frames=/m);
  });

  it('-o - --format mpegts --json: MPEG-TS on stdout (redirected to a file), JSON events on stderr', async () => {
    const out = join(dir, 'redirected.ts');
    const fd = openSync(out, 'w');
    let r;
    try {
      r = await cli(['encode', '--duration', '1', ...small, '--no-audio', '--json', '--format', 'mpegts', '-o', '-'], { stdoutFd: fd });
    } finally {
      closeSync(fd);
    }
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out)[0]).toBe(0x47); // TS sync byte first
    expect(formatName(out)).toBe('mpegts');
    const s = streams(out);
    expect(s.map((x) => x.codec_name)).toEqual(['h264']);
    expect(countOf(s, 'video')).toBe(25);
    expect(decodeErrors(out)).toBe('');
    const ev = events(r.stderr);
    expect(ev[0]).toMatchObject({ event: 'start', command: 'encode', format: 'mpegts', width: 128, height: 72, audio: false });
    const progress = ev.filter((e) => e.event === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    for (const p of progress) {
      expect(p).toEqual(expect.objectContaining({ frames: expect.any(Number), fps: expect.any(Number), speed: expect.any(Number), time: expect.any(Number), duration: 1 }));
      expect(p.percent).toBeGreaterThanOrEqual(0);
    }
    expect(ev.at(-1)).toMatchObject({ event: 'end', outputs: ['-'], format: 'mpegts', frames: 25, exitCode: 0 });
  });

  it('SIGINT during a long encode: the MP4 is finalized with every frame taken, exit 130', async () => {
    const out = join(dir, 'interrupted.mp4');
    let sent = false;
    const r = await cli(['encode', '--duration', '3600', ...small, '--json', '-o', out], {
      onStderr: (err, signal) => {
        // Wait until frames are flowing, then Ctrl-C.
        const moving = err.split('\n').some((l) => l.startsWith('{"event":"progress"') && (JSON.parse(l) as { frames: number }).frames >= 25);
        if (moving && !sent) {
          sent = true;
          signal('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(r.code, r.stderr).toBe(130);
    const ev = events(r.stderr);
    expect(ev.some((e) => e.event === 'interrupt' && e.signal === 'SIGINT')).toBe(true);
    const end = ev.at(-1)!;
    expect(end).toMatchObject({ event: 'end', signal: 'SIGINT', exitCode: 130 });
    expect(decodeErrors(out)).toBe('');
    const s = streams(out);
    expect(s.map((x) => x.codec_name)).toEqual(['h264', 'aac']);
    // Stopping drains the encoder: each frame taken from the source is in the file.
    expect(countOf(s, 'video')).toBe(end.frames);
    expect(end.frames as number).toBeGreaterThanOrEqual(25);
  });

  it('SIGTERM during a real-time encode to MPEG-TS: finalized, exit 143', async () => {
    const out = join(dir, 'terminated.ts');
    let sent = false;
    const r = await cli(['encode', '--duration', '3600', '--realtime', ...small, '-o', out], {
      onStderr: (err, signal) => {
        if (!sent && /^progress: /m.test(err)) {
          sent = true;
          signal('SIGTERM');
        }
      },
    });
    expect(r.code, r.stderr).toBe(143);
    expect(r.stderr).toMatch(/^SIGTERM: stopping/m);
    expect(r.stderr).toMatch(/^stopped by SIGTERM: .*terminated\.ts finalized/m);
    expect(decodeErrors(out)).toBe('');
    expect(countOf(streams(out), 'video')).toBeGreaterThan(0);
  });
});

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
  it('prints a row per codec, the same table as scripts/hw-report.ts; --json parses', async () => {
    const [text, json, script] = await Promise.all([
      cli(['hw']),
      cli(['hw', '--json']),
      cli([], { script: 'scripts/hw-report.ts' }),
    ]);
    expect(text.code, text.stderr).toBe(0);
    const table = text.stdout.toString();
    for (const codec of ['h264', 'hevc', 'av1', 'vp9']) expect(table).toMatch(new RegExp(`^${codec} +→ \\S+ \\((software|cuda|vaapi)`, 'm'));
    expect(script.code, script.stderr).toBe(0);
    expect(script.stdout.toString()).toBe(table);
    expect(json.code, json.stderr).toBe(0);
    const rows = JSON.parse(json.stdout.toString()) as Array<{ codec: string; encoder: string; kind: string; rejected: unknown[] }>;
    expect(rows.map((r) => r.codec)).toEqual(['h264', 'hevc', 'av1', 'vp9']);
    for (const r of rows) expect(r).toEqual(expect.objectContaining({ encoder: expect.any(String), kind: expect.any(String), rejected: expect.any(Array) }));
  });
});

describe('command line', () => {
  it('--help, a command\'s --help and --version go to stdout and exit 0', async () => {
    const [help, encodeHelp, version] = await Promise.all([cli(['--help']), cli(['encode', '-h']), cli(['--version'])]);
    expect(help.code).toBe(0);
    const h = help.stdout.toString();
    for (const c of ['encode', 'transcode', 'hls', 'hw']) expect(h).toMatch(new RegExp(`^  ${c} `, 'm'));
    expect(h).toMatch(/^ {2}130 +interrupted by SIGINT/m);
    expect(encodeHelp.code).toBe(0);
    const e = encodeHelp.stdout.toString();
    expect(e).toMatch(/--size WxH +frame size.*\(default: 1280x720\)/);
    expect(e).toMatch(/--crf N .*\(default: 23\)/);
    expect(e).toMatch(/^Examples:\n {2}beamflow encode /m);
    expect(version.code).toBe(0);
    const pkg = JSON.parse(readFileSync(join(root, 'packages/cli/package.json'), 'utf8')) as { version: string };
    expect(version.stdout.toString()).toBe(`${pkg.version}\n`);
  });

  it('usage errors exit 2 and say what is wrong and what is allowed', async () => {
    const runs = await Promise.all([
      cli(['encdoe']),
      cli(['encode', '--sise', '64x64', '-o', join(dir, 'u.mp4')]),
      cli(['encode', '--size', 'big', '-o', join(dir, 'u.mp4')]),
      cli(['encode', '--preset', 'fastest', '-o', join(dir, 'u.mp4')]),
      cli(['encode', '--json', '--fps', '0', '-o', join(dir, 'u.mp4')]),
    ]);
    for (const r of runs) expect(r.code, r.stderr).toBe(2);
    const [command, flag, size, preset, json] = runs.map((r) => r.stderr);
    expect(command).toMatch(/^beamflow: unknown command 'encdoe' \(did you mean encode\?\); commands: encode, transcode, hls, hw$/m);
    expect(flag).toMatch(/^beamflow: unknown option --sise for 'beamflow encode' \(did you mean --size\?\); options: .*--duration/m);
    expect(flag).toMatch(/^Try 'beamflow encode --help'\.$/m);
    expect(size).toMatch(/^beamflow: --size: expected WIDTHxHEIGHT, e\.g\. 1280x720.*\(got 'big'\)$/m);
    expect(preset).toMatch(/^beamflow: --preset: unknown preset "fastest" for libx264; allowed: ultrafast, superfast, veryfast/m);
    expect(events(json!)).toEqual([{ event: 'error', code: 'BEAMFLOW_USAGE', message: expect.stringMatching(/^--fps: /), exitCode: 2 }]);
    for (const r of runs) expect(r.stdout.length).toBe(0);
  });
});
