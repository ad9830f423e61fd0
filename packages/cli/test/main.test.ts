/**
 * The program's front end in process (main() with captured streams): help,
 * version, usage errors and `hw --json`. No media is encoded here, so a child
 * process per case would only add start-up time; cli.test.ts covers the real
 * process's exit codes and signals.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../src/main.js';

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(...argv: string[]): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const sink = (add: (s: string) => void) => Object.assign(new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      add(chunk.toString());
      cb();
    },
  }), { isTTY: false });
  const code = await main(argv, { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)) });
  return { code, stdout, stderr };
}

describe('help and version', () => {
  it('--help lists the commands, the exit codes and examples', async () => {
    const r = await run('--help');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    for (const c of ['encode', 'transcode', 'hls', 'hw']) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    expect(r.stdout).toMatch(/^ {2}2 +usage error/m);
    expect(r.stdout).toMatch(/^ {2}3 +input missing/m);
    expect(r.stdout).toMatch(/^ {2}130 +interrupted by SIGINT/m);
    expect(r.stdout).toMatch(/^Examples:\n {2}beamflow encode /m);
  });

  it('each command has usage, options with defaults and examples (also as `help <command>`)', async () => {
    const encode = await run('encode', '--help');
    expect(encode.code).toBe(0);
    expect(encode.stdout).toMatch(/--size WxH +frame size.*\(default: 1280x720\)/);
    expect(encode.stdout).toMatch(/--crf N .*\(default: 23\)/);
    expect(encode.stdout).toMatch(/--preset P .*\(default: veryfast\)/);
    expect((await run('help', 'encode')).stdout).toBe(encode.stdout);
    const transcode = await run('transcode', '-h');
    expect(transcode.stdout).toMatch(/^ {2}beamflow transcode IN -o OUT /m);
    expect(transcode.stdout).toMatch(/--hw DEV .*auto.*\(default: none\)/);
    const hls = await run('hls', '-h');
    expect(hls.stdout).toMatch(/--ladder H,H,\.\.\. .*\(default: 1080,720,360\)/);
    expect((await run('hw', '-h')).stdout).toMatch(/--json/);
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../package.json'), 'utf8')) as { version: string };
    expect(await run('--version')).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });
});

describe('usage errors exit 2 and say what is wrong and what is allowed', () => {
  const cases: Array<[string[], RegExp]> = [
    [[], /^beamflow: no command given; commands: encode, transcode, hls, probe, thumbnails, hw, worker/],
    [['--bogus'], /^beamflow: unknown option --bogus before the command/],
    [['encode', '--sise', '64x64', '-o', 'x.mp4'], /^beamflow: unknown option --sise for 'beamflow encode' \(did you mean --size\?\); options: .*--duration/],
    [['encode', '--size', 'big', '-o', 'x.mp4'], /^beamflow: --size: expected WIDTHxHEIGHT, e\.g\. 1280x720.*\(got 'big'\)/],
    [['encode', '--size', '641x360', '-o', 'x.mp4'], /^beamflow: --size: width and height must be even/],
    [['encode', '--fps', 'fast', '-o', 'x.mp4'], /^beamflow: --fps: expected a rate above 0 and up to 1000, as N or N\/D \(got 'fast'\)/],
    [['encode', '--crf', '60', '-o', 'x.mp4'], /^beamflow: --crf: expected a number from 0 to 51 \(got '60'\)/],
    [['encode', '--preset', 'fastest', '-o', 'x.mp4'], /^beamflow: --preset: unknown preset "fastest" for libx264; allowed: ultrafast, superfast, veryfast/],
    [['encode', '--source', 'camera', '-o', 'x.mp4'], /^beamflow: --source: 'camera' is not one of test-pattern/],
    [['encode'], /^beamflow: -o\/--output is required/],
    [['encode', '-o'], /^beamflow: --output needs a value \(OUT\)/],
    [['encode', '-o', 'x.avi'], /^beamflow: cannot tell the container from 'x\.avi': use an extension \(\.mp4, .*\) or --format/],
    [['encode', '-o', '-', '--format', 'flv'], /^beamflow: --format: flv cannot be written to stdout; use mp4 \(fragmented\) or mpegts/],
    [['encode', '--no-audio=yes', '-o', 'x.mp4'], /^beamflow: --no-audio is a switch and takes no value/],
    [['transcode', '-o', 'x.mp4'], /^beamflow: missing the input file/],
    [['transcode', 'a.mp4', 'b.mp4', '-o', 'x.mp4'], /^beamflow: unexpected argument 'b\.mp4' for 'beamflow transcode'/],
    [['transcode', 'a.mp4', '-o', 'x.mp4', '--hw', 'gpu'], /^beamflow: --hw: 'gpu' is not one of auto, cuda, vaapi, none/],
    [['hls', 'a.mp4', '-o', 'out', '--ladder', '720,abc'], /^beamflow: --ladder: expected comma-separated even heights/],
    [['hls', 'a.mp4', '-o', '-'], /^beamflow: -o: hls writes a directory/],
  ];
  it.each(cases)('beamflow %j', async (argv, message) => {
    const r = await run(...argv);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/\nTry 'beamflow (\w+ )?--help'\.\n$/);
  });

  it('with --json the error is a JSON event and nothing else', async () => {
    const r = await run('encode', '--json', '--fps', '0', '-o', 'x.mp4');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stderr)).toEqual({ event: 'error', code: 'BEAMFLOW_USAGE', message: expect.stringMatching(/^--fps: /), exitCode: 2 });
  });
});

describe('hw --json', () => {
  it('prints the table as JSON on stdout, one row per codec', async () => {
    const r = await run('hw', '--json');
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ codec: string; encoder: string; kind: string; rejected: unknown[] }>;
    expect(rows.map((x) => x.codec)).toEqual(['h264', 'hevc', 'av1', 'vp9']);
    for (const row of rows) expect(row).toEqual(expect.objectContaining({ encoder: expect.any(String), kind: expect.any(String), rejected: expect.any(Array) }));
  });
});
