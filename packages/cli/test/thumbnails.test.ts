/**
 * `beamflow thumbnails` end to end, in child processes: the files written
 * judged by ffprobe (and one image pixel for pixel against `ffmpeg -ss`),
 * the sheet's WebVTT track, the stderr report and JSON events, the exit codes
 * of a bad input. Usage errors, which load nothing native, run main() in
 * process.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { ffmpeg, tempDir } from '../../../test/support/media.js';
import { EXIT } from '../src/failures.js';
import { main } from '../src/main.js';
import { cli, events } from './run-cli.js';

const dir = tempDir('cli-thumbnails');
const input = join(dir, 'input.mp4');

beforeAll(() => {
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=25', '-t', '4', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-pix_fmt', 'yuv420p', input]);
});

function image(path: string): string {
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'csv=p=0', path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffprobe ${path}: ${r.stderr}`);
  return r.stdout.trim();
}

function pixels(path: string): string {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'framemd5', '-'], { encoding: 'utf8' });
  if (r.status !== 0 || r.stderr !== '') throw new Error(`ffmpeg framemd5 ${path}: ${r.stderr}`);
  return r.stdout.trim().split('\n').at(-1)!.split(',').at(-1)!.trim();
}

describe('beamflow thumbnails', () => {
  it('--every 1 writes DIR/thumb-0001.jpg … thumb-0004.jpg, W wide, and says where on stderr', async () => {
    const out = join(dir, 'every');
    const r = await cli(['thumbnails', input, '-o', out, '--every', '1', '--width', '80']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.length).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['thumb-0001.jpg', 'thumb-0002.jpg', 'thumb-0003.jpg', 'thumb-0004.jpg']);
    // 80 × 90/160 = 45: ffmpeg's scale=80:-2 rounds to 46.
    for (const f of readdirSync(out)) expect(image(join(out, f))).toBe('mjpeg,80,46');
    expect(r.stderr).toMatch(/^thumbnails: .*input\.mp4 → .*every \(every 1 s, 80 wide, jpeg\)$/m);
    expect(r.stderr).toMatch(/^done: .*every: 4 thumbnails 80x46 \(thumb-0001\.jpg … thumb-0004\.jpg\)$/m);
  });

  it('--at in the order given, --format png, --sprite: a sheet and thumbnails.vtt naming it; --json events', async () => {
    const out = join(dir, 'sprite');
    const r = await cli(['thumbnails', input, '-o', out, '--at', '2.5,0:01,9', '--format', 'png', '--width', '64', '--sprite', '2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['sprite.png', 'thumb-0001.png', 'thumb-0002.png', 'thumb-0003.png', 'thumbnails.vtt']);
    // The frame ffmpeg -ss writes, pixel for pixel; a time past the end is the last frame.
    const ref = join(dir, 'ref.png');
    ffmpeg(['-ss', '2.5', '-i', input, '-frames:v', '1', '-vf', 'scale=64:-2', ref]);
    expect(pixels(join(out, 'thumb-0001.png'))).toBe(pixels(ref));
    expect(image(join(out, 'thumb-0002.png'))).toBe('png,64,36');
    // Three tiles (1, 2.5 and 9 s) in two columns: 2x2, the last place black.
    expect(image(join(out, 'sprite.png'))).toBe('png,128,72');
    expect(readFileSync(join(out, 'thumbnails.vtt'), 'utf8')).toBe([
      'WEBVTT', '',
      '00:00:00.000 --> 00:00:02.500', 'sprite.png#xywh=0,0,64,36', '',
      '00:00:02.500 --> 00:00:09.000', 'sprite.png#xywh=64,0,64,36', '',
      '00:00:09.000 --> 00:00:15.500', 'sprite.png#xywh=0,36,64,36', '',
    ].join('\n'));
    const ev = events(r.stderr);
    expect(ev[0]).toMatchObject({ event: 'start', command: 'thumbnails', format: 'png', width: 64, at: [2.5, 1, 9], sprite: 2 });
    expect(ev.at(-1)).toMatchObject({
      event: 'end', thumbnails: 3, width: 64, height: 36, format: 'png', exitCode: 0,
      sprite: { width: 128, height: 72, columns: 2, rows: 2 },
    });
    expect((ev.at(-1)!.outputs as string[]).map((p) => p.slice(out.length + 1))).toEqual(['thumb-0001.png', 'thumb-0002.png', 'thumb-0003.png', 'sprite.png', 'thumbnails.vtt']);
  });

  it('a missing input exits 3, an input that is not media exits 3, and nothing is written', async () => {
    const notMedia = join(dir, 'notes.txt');
    writeFileSync(notMedia, 'not a video\n');
    const [missing, bad] = await Promise.all([
      cli(['thumbnails', join(dir, 'nope.mp4'), '-o', join(dir, 'x1')]),
      cli(['thumbnails', notMedia, '-o', join(dir, 'x2'), '--sprite', '4']),
    ]);
    expect(missing.code, missing.stderr).toBe(EXIT.input);
    expect(missing.stderr).toMatch(/^beamflow: .*nope\.mp4: no such file$/m);
    expect(bad.code, bad.stderr).toBe(EXIT.input);
    expect(bad.stderr).toMatch(/^beamflow: .*notes\.txt: cannot be opened as media/m);
    expect(existsSync(join(dir, 'x1')) || existsSync(join(dir, 'x2'))).toBe(false);
  });
});

describe('usage errors exit 2 and name the flag', () => {
  async function run(...argv: string[]): Promise<{ code: number; stderr: string }> {
    let stderr = '';
    const sink = (add: (s: string) => void): Writable & { isTTY: boolean } => Object.assign(new Writable({
      write(chunk: Buffer | string, _enc, cb) {
        add(chunk.toString());
        cb();
      },
    }), { isTTY: false });
    const code = await main(argv, { stdout: sink(() => undefined), stderr: sink((s) => (stderr += s)) });
    return { code, stderr };
  }

  const cases: Array<[string[], RegExp]> = [
    [['thumbnails', '-o', 'x'], /^beamflow: missing the input file/],
    [['thumbnails', 'in.mp4'], /^beamflow: -o\/--output DIR is required/],
    [['thumbnails', 'in.mp4', '-o', '-'], /^beamflow: -o: thumbnails writes a directory/],
    [['thumbnails', 'in.mp4', '-o', 'x', '--every', '0'], /^beamflow: --every: expected a number of seconds from 0\.001/],
    [['thumbnails', 'in.mp4', '-o', 'x', '--every', 'NaN'], /^beamflow: --every: /],
    [['thumbnails', 'in.mp4', '-o', 'x', '--at', '1,-2'], /^beamflow: --at: expected times ≥ 0 .*\(got '-2'\)/],
    [['thumbnails', 'in.mp4', '-o', 'x', '--at', '1,,2'], /^beamflow: --at: expected comma-separated times/],
    [['thumbnails', 'in.mp4', '-o', 'x', '--at', '1:75'], /^beamflow: --at: .*\(got '1:75'\)/],
    [['thumbnails', 'in.mp4', '-o', 'x', '--at', '1', '--every', '2'], /^beamflow: --every and --at: give one or the other/],
    [['thumbnails', 'in.mp4', '-o', 'x', '--width', '0'], /^beamflow: --width: expected an integer from 2 to 16384/],
    [['thumbnails', 'in.mp4', '-o', 'x', '--format', 'gif'], /^beamflow: --format: 'gif' is not one of jpeg, png/],
    [['thumbnails', 'in.mp4', '-o', 'x', '--sprite', '0'], /^beamflow: --sprite: expected a number of columns from 1 to 1024/],
    [['thumbnails', 'in.mp4', '-o', 'x', '--evry', '2'], /^beamflow: unknown option --evry for 'beamflow thumbnails' \(did you mean --every\?\)/],
  ];
  it.each(cases)('beamflow %j', async (argv, message) => {
    const r = await run(...argv);
    expect(r.code, r.stderr).toBe(EXIT.usage);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/^Try 'beamflow thumbnails --help'\.$/m);
  });

  it('--help shows the usage, the defaults and examples', async () => {
    let stdout = '';
    const out = Object.assign(new Writable({ write(c: Buffer, _e, cb) { stdout += c.toString(); cb(); } }), { isTTY: false });
    expect(await main(['thumbnails', '--help'], { stdout: out, stderr: out })).toBe(0);
    expect(stdout).toMatch(/^ {2}beamflow thumbnails IN -o DIR \[--every S \| --at T,T,\.\.\.\]/m);
    expect(stdout).toMatch(/--width W .*\(default: 160\)/);
    expect(stdout).toMatch(/--format F .*\(default: jpeg\)/);
    expect(stdout).toMatch(/^ {2}beamflow thumbnails in\.mp4 -o thumbs --every 5 --sprite 10$/m);
  });
});
