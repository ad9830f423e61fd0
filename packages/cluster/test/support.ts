/**
 * What the cluster's integration tests share: worker processes (the fixture
 * script through tsx, as a user's `beamflow worker` would run: real
 * processes that a test may SIGKILL), the inputs made by the ffmpeg command
 * line, the single-process transcode they are judged against, and the
 * judgement itself (ffprobe: frames, their times, DTS, audio length, a clean
 * decode; `-f framemd5 -c copy` for per-packet checksums).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pipeline } from 'node:stream/promises';
import { afterAll } from 'vitest';
import { decodeFile, Scaler } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';
import { root } from '../../../test/support/media.js';
import { probePackets } from '../../../test/support/probe.js';

const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
const script = join(root, 'packages/cluster/test/fixtures/worker.ts');

export interface WorkerProcess {
  proc: ChildProcess;
  pid: number;
  stderr(): string;
  /** SIGTERM and wait for the exit (the job in flight finishes first). */
  stop(): Promise<void>;
  /** Resolves with the exit code or signal once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const live = new Set<ChildProcess>();
afterAll(() => {
  // A test that failed halfway must not leave workers behind.
  for (const p of live) p.kill('SIGKILL');
});

/** Start a worker process; resolves once it takes jobs. */
export function startWorkerProcess(args: { redis: string; storage: string; concurrency?: number; lockDuration?: number; stalledInterval?: number; name?: string; redisCa?: string }): Promise<WorkerProcess> {
  const argv = ['--redis', args.redis, '--storage', args.storage, '--concurrency', String(args.concurrency ?? 1), '--threads', '1'];
  if (args.redisCa !== undefined) argv.push('--redis-ca', args.redisCa);
  if (args.lockDuration !== undefined) argv.push('--lock-duration', String(args.lockDuration));
  if (args.stalledInterval !== undefined) argv.push('--stalled-interval', String(args.stalledInterval));
  if (args.name !== undefined) argv.push('--name', args.name);
  const proc = spawn(process.execPath, ['--import', tsx, script, ...argv], {
    cwd: root,
    env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.json'), UV_THREADPOOL_SIZE: '16' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(proc);
  let err = '';
  let out = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.once('exit', (code, signal) => {
      live.delete(proc);
      resolve({ code, signal });
    });
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`worker did not start within 30 s: ${err.slice(-2000)}`));
    }, 30_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('"ready":true')) {
        clearTimeout(timer);
        resolve({
          proc, pid: proc.pid!, stderr: () => err, exited,
          stop: async () => {
            if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
            await exited;
          },
        });
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${String(code)}, ${String(signal)}) before it was ready: ${err.slice(-2000)}`));
    });
  });
}

/** An input made by the ffmpeg command line: test pattern + tone, H.264 with a keyframe every second, AAC. */
export function makeInput(path: string, opts: { seconds: number; size: string; fps?: number; preset?: string }): void {
  const fps = opts.fps ?? 25;
  const r = spawnSync('ffmpeg', [
    '-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${opts.size}:rate=${fps}`, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', String(opts.seconds), '-c:v', 'libx264', '-preset', opts.preset ?? 'veryfast', '-g', String(fps), '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '64k', path,
  ], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
}

/** The same transcode in one process: decodeFile → Scaler → Encoder → Rescaler → Muxer, the settings the workers use. */
export async function singleProcessTranscode(input: string, output: string, opts: { crf?: number; preset?: string } = {}): Promise<void> {
  await pipeline(
    decodeFile(input, { threads: 1 }),
    new Scaler({ pixelFormat: 'yuv420p' }),
    new Encoder({ video: { codec: 'h264', preset: opts.preset ?? 'veryfast', crf: opts.crf ?? 23, threads: 1 }, audio: { codec: 'aac', bitRate: 128_000 } }),
    new Rescaler(),
    new Muxer({ format: 'mp4', output, faststart: true }),
  );
}

function ffprobeCsv(path: string, args: string[]): string[] {
  const r = spawnSync('ffprobe', ['-v', 'error', ...args, '-of', 'csv=p=0', path], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`ffprobe ${path}: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '');
}

/** The presentation time (seconds, as ffprobe prints them) of every decoded video frame, in order. */
export function videoFrameTimes(path: string): string[] {
  // A frame with side data (x264's SEI at each segment's first frame) prints more fields after it.
  return ffprobeCsv(path, ['-select_streams', 'v:0', '-show_entries', 'frame=pts_time']).map((l) => l.split(',')[0]!);
}

/** Stream duration as ffprobe states it. */
export function streamDuration(path: string, sel: 'v:0' | 'a:0'): number {
  return Number(ffprobeCsv(path, ['-select_streams', sel, '-show_entries', 'stream=duration'])[0]);
}

/** Stream start time as ffprobe states it. */
export function streamStart(path: string, sel: 'v:0' | 'a:0'): number {
  return Number(ffprobeCsv(path, ['-select_streams', sel, '-show_entries', 'stream=start_time'])[0]);
}

/** Per-packet checksums (`ffmpeg -f framemd5 -c copy`): stream, dts, pts, duration, size, md5 per line. */
export function packetChecksums(path: string): string[] {
  const r = spawnSync('ffmpeg', ['-nostdin', '-v', 'error', '-i', path, '-map', '0', '-c', 'copy', '-f', 'framemd5', '-'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`framemd5 ${path}: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

/**
 * Per-packet checksums of each video segment (framemd5 lines of stream 0: dts, pts, duration,
 * size, md5), split at the segments' first timestamps (`starts`, ticks of the output's video
 * time base), and of the audio stream as a whole.
 */
export function segmentChecksums(path: string, starts: readonly number[]): { segments: string[][]; audio: string[] } {
  const segments = starts.map(() => [] as string[]);
  const audio: string[] = [];
  for (const line of packetChecksums(path)) {
    const [stream, , pts] = line.split(',').map((f) => f.trim());
    if (stream === '1') {
      audio.push(line);
      continue;
    }
    let seg = 0;
    while (seg + 1 < starts.length && Number(pts) >= starts[seg + 1]!) seg++;
    segments[seg]!.push(line);
  }
  return { segments, audio };
}

/**
 * Each segment's video packets as (pts, key) in decode order, split at the segments' first
 * timestamps (`starts`, ticks of the output's video time base): what a re-run of a segment
 * must reproduce whatever the encoder's settings. (Bytes, with `segmentChecksums`, only with
 * `mbtree: false`: see the README's note on encoder determinism.)
 */
export function segmentPackets(path: string, starts: readonly number[]): Array<{ count: number; pts: number[]; firstIsKey: boolean }> {
  const pkts = probePackets(path).filter((p) => p.stream_index === 0);
  const out = starts.map(() => ({ count: 0, pts: [] as number[], firstIsKey: false }));
  for (const p of pkts) {
    const pts = p.pts ?? 0;
    let seg = 0;
    while (seg + 1 < starts.length && pts >= starts[seg + 1]!) seg++;
    const s = out[seg]!;
    if (s.count === 0) s.firstIsKey = p.flags?.includes('K') === true;
    s.count++;
    s.pts.push(pts);
  }
  for (const s of out) s.pts.sort((a, b) => a - b);
  return out;
}

/** Top-level boxes of an MP4, in file order. */
export function mp4Boxes(path: string): string[] {
  const b = readFileSync(path);
  const out: string[] = [];
  let at = 0;
  while (at + 8 <= b.length) {
    let size = b.readUInt32BE(at);
    const type = b.toString('latin1', at + 4, at + 8);
    if (size === 1) size = Number(b.readBigUInt64BE(at + 8));
    out.push(type);
    if (size < 8) break;
    at += size;
  }
  return out;
}
