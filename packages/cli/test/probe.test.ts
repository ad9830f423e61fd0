/**
 * `beamflow probe` end to end, in child processes: the summary and the JSON
 * on stdout (the JSON the same as probe() in @beamflow/core says), and the
 * exit codes and single `beamflow: ...` line of a bad input.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { probe } from '@beamflow/core';
import { ffmpeg, tempDir } from '../../../test/support/media.js';
import { PHONE_MATRICES, setTrackMatrix } from '../../../test/support/orientation.js';
import { EXIT } from '../src/failures.js';
import { cli } from './run-cli.js';

const dir = tempDir('cli-probe');
const phone = join(dir, 'phone.mp4');
const tracks = join(dir, 'tracks.mkv');

beforeAll(() => {
  ffmpeg([
    '-f', 'lavfi', '-i', 'testsrc2=size=128x72:rate=30000/1001', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '1',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', phone,
  ]);
  setTrackMatrix(phone, PHONE_MATRICES.portrait);
  ffmpeg([
    '-f', 'lavfi', '-i', 'testsrc2=size=128x72:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440', '-f', 'lavfi', '-i', 'sine=frequency=880',
    '-t', '1', '-map', '0', '-map', '1', '-map', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac',
    '-metadata:s:a:0', 'language=eng', '-metadata:s:a:1', 'language=fra', tracks,
  ]);
});

describe('beamflow probe', () => {
  it('prints a summary on stdout: container, a line per stream with its codec, rate, rotation and language', async () => {
    const r = await cli(['probe', phone]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout.toString();
    expect(out).toMatch(new RegExp(`^${phone.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: QuickTime / MOV \\(mov,mp4`));
    expect(out).toMatch(/^ {2}#0 video: h264 \([^)]+\), yuv420p, 128x72, 29\.97 fps, rotation -90°/m);
    expect(out).toMatch(/^ {2}#1 audio: aac \(LC\), 48000 Hz, mono, fltp/m);
    const mkv = (await cli(['probe', tracks])).stdout.toString();
    expect(mkv).toMatch(/^ {2}#1 audio \(eng\): aac/m);
    expect(mkv).toMatch(/^ {2}#2 audio \(fra\): aac/m);
  });

  it('--json prints JSON that parses and is what probe() says', async () => {
    const r = await cli(['probe', tracks, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.toString())).toEqual(await probe(tracks));
  });

  it('- reads standard input', async () => {
    const r = await cli(['probe', '-', '--json'], { stdinFile: tracks });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout.toString()) as { format: { format_name: string }; streams: unknown[] };
    expect(j.format.format_name).toBe('matroska,webm');
    expect(j.streams).toHaveLength(3);
  });

  it('a missing file exits with the input code and one beamflow: line on stderr, nothing on stdout', async () => {
    const r = await cli(['probe', join(dir, 'nope.mp4')]);
    expect(r.code).toBe(EXIT.input);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toMatch(/^beamflow: [^\n]*nope\.mp4[^\n]*\n$/);
  });

  it('bytes that are not media exit with the input code and one beamflow: line (after FFmpeg\'s own diagnostic)', async () => {
    const junk = join(dir, 'junk.mp4');
    writeFileSync(junk, 'this is not a video file\n'.repeat(200));
    const r = await cli(['probe', junk, '--json']);
    expect(r.code).toBe(EXIT.input);
    expect(r.stdout.length).toBe(0);
    // FFmpeg logs its reason at error level ("moov atom not found"), as ffprobe shows it too.
    const lines = r.stderr.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('beamflow: '))).toHaveLength(1);
    expect(lines.at(-1)).toMatch(/^beamflow: .*junk\.mp4/);
  });

  it('no IN is a usage error', async () => {
    const r = await cli(['probe']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/^beamflow: missing the input file/);
  });

  it('--help shows the usage and --json', async () => {
    const r = await cli(['probe', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toMatch(/^ {2}beamflow probe IN \[--json\]$/m);
    expect(r.stdout.toString()).toMatch(/--json/);
  });
});
