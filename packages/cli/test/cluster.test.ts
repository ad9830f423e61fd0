/**
 * `beamflow worker` and `beamflow transcode|hls --cluster` in child
 * processes, against a real Redis on loopback: the submit draws one progress
 * for the whole job (frames over every segment; JSON events here), the
 * output is judged by ffprobe, the worker stops on SIGTERM after its jobs,
 * and the usage errors of the cluster flags exit 2.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeErrors, ffmpeg, streams, tempDir } from '../../../test/support/media.js';
import { startRedis, type TestRedis } from '../../../test/support/redis.js';
import { cli, countOf, events, type CliResult } from './run-cli.js';

const storage = tempDir('cli-cluster');
const input = join(storage, 'in', 'input.mp4');
let redis: TestRedis;
let stopWorker: ((sig: NodeJS.Signals) => void) | undefined;
let worker: Promise<CliResult>;

beforeAll(async () => {
  mkdirSync(join(storage, 'in'), { recursive: true });
  ffmpeg([
    '-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '4',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-pix_fmt', 'yuv420p', '-c:a', 'aac', input,
  ]);
  redis = await startRedis();
  let ready: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (ready = resolve));
  worker = cli(['worker', '--redis', redis.url, '--storage', storage, '--threads', '1', '--json'], {
    timeoutMs: 170_000,
    onStderr: (text, signal) => {
      stopWorker = signal;
      if (text.includes('"event":"start"')) ready();
    },
  });
  await started;
}, 60_000);

afterAll(() => stopWorker?.('SIGKILL'));

describe('beamflow --cluster', () => {
  it('transcode --cluster submits, shows the whole job\'s progress and writes the MP4', async () => {
    const out = join(storage, 'out', 'cli.mp4');
    const r = await cli(['transcode', input, '-o', out, '--cluster', redis.url, '--storage', storage, '--segment-duration', '1', '--preset', 'ultrafast', '--json'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const ev = events(r.stderr);
    expect(ev[0]).toMatchObject({ event: 'start', command: 'transcode', format: 'mp4', segments: 4, renditions: 1, frames: 100 });
    expect(ev.filter((e) => e.event === 'progress').length).toBeGreaterThan(0);
    expect(ev.at(-1)).toMatchObject({ event: 'end', frames: 100, exitCode: 0 });
    expect(ev.at(-1)!.percent ?? 100).toBe(100);
    const s = streams(out);
    expect(s.map((x) => x.codec_name)).toEqual(['h264', 'aac']);
    expect(countOf(s, 'video')).toBe(100);
    expect(decodeErrors(out)).toBe('');
  });

  it('hls --cluster writes the ladder with its audio rendition', async () => {
    const out = join(storage, 'out', 'hls');
    const r = await cli(['hls', input, '-o', out, '--ladder', '90,48', '--segment-duration', '2', '--cluster', redis.url, '--storage', storage, '--preset', 'ultrafast', '--json'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(events(r.stderr).at(-1)).toMatchObject({ event: 'end', frames: 200 });
    for (const rung of ['90p', '48p']) expect(countOf(streams(join(out, rung, 'index.m3u8')), 'video')).toBe(100);
    expect(decodeErrors(join(out, 'master.m3u8'))).toBe('');
  });

  it('refuses, with exit 2, a cluster run without storage, paths outside it, and local-only flags', async () => {
    const outside = join(tempDir('cli-cluster-outside'), 'x.mp4');
    const cases: Array<[string[], RegExp]> = [
      [['transcode', input, '-o', join(storage, 'a.mp4'), '--cluster', redis.url], /--cluster needs --storage DIR/],
      [['transcode', input, '-o', outside, '--cluster', redis.url, '--storage', storage], /--output: .* is outside the storage directory/],
      [['transcode', input, '-o', join(storage, 'a.mp4'), '--cluster', redis.url, '--storage', storage, '--start', '1'], /--start is not available with --cluster/],
      [['transcode', input, '-o', join(storage, 'a.mkv'), '--cluster', redis.url, '--storage', storage], /an MP4 output must end in \.mp4/],
      [['worker', '--storage', storage], /--redis URL is required/],
      [['worker', '--redis', 'http://x', '--storage', storage], /scheme http:\/\/ is not Redis/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it('the worker stops on SIGTERM once its jobs are done (exit 143)', async () => {
    stopWorker!('SIGTERM');
    const r = await worker;
    expect(r.code, r.stderr).toBe(143);
    const ev = events(r.stderr);
    expect(ev.filter((e) => e.event === 'completed' && e.job === 'stitch').length).toBe(2);
    expect(ev.at(-1)).toMatchObject({ event: 'end', command: 'worker', exitCode: 143 });
  });
});
