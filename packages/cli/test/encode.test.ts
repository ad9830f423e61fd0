/**
 * `beamflow encode` end to end, in child processes: outputs judged by ffprobe
 * and a full decode, stdout carrying only media, stderr's progress in each
 * mode, and signals. Everything is small (128×72, 1–2 s) except the
 * interrupted runs, which are stopped as soon as they have made progress.
 */
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeErrors, streams, tempDir } from '../../../test/support/media.js';
import { cli, countOf, events, formatName } from './run-cli.js';

const dir = tempDir('cli-encode');
const small = ['--size', '128x72', '--preset', 'ultrafast'];

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
