/**
 * Benchmark: a segment-parallel transcode on @beamflow/cluster (a real
 * redis-server on loopback, real `beamflow worker` processes with x264 threads
 * 1 each) with 1 and 2 workers, against the single-process transcode of the
 * same job (x264 threads 1, as one worker; and FFmpeg's automatic threads),
 * alternating, several rounds. The job: a 1280×720 25 fps H.264 + AAC file →
 * 640×360 libx264 veryfast crf 23 + AAC → MP4 with its index first, cut into
 * 4 s segments at its keyframes (one every 2 s).
 *
 * What is measured for the model in RESULTS.md: the coordinator's planning
 * (keyframe index + adding the flow), the segments' encode times (each
 * worker's own clock, from the jobs' results), the stitch, and the wall time
 * from submit to done; what is left of the wall time once the encodes and the
 * stitch are taken away is the coordination overhead (queue round trips,
 * process hand-offs, segment files). Workers are started before the clock
 * runs and stopped after it, as a standing fleet would be.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { submitTranscode } from '@beamflow/cluster';
import { alternate, fmt, median, medians, probeStreams, quick, root, runNodeJob, table, tmp, transcodeInput, type Measure } from './lib.js';
import { freePort } from '../test/support/net.js';

const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;


async function startRedis(dir: string): Promise<{ url: string; stop(): void }> {
  if (spawnSync('redis-server', ['--version']).error) throw new Error('pnpm bench cluster needs redis-server: apt-get install redis-server (make bench and make setup-test install it)');
  const port = await freePort();
  const p = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    if (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.includes('PONG')) break;
    await sleep(50);
  }
  return { url: `redis://127.0.0.1:${port}`, stop: () => p.kill('SIGTERM') };
}

/** `beamflow worker` processes (the CLI's sources through tsx), resolved once each takes jobs. */
async function startWorkers(n: number, url: string, storage: string): Promise<ChildProcess[]> {
  return Promise.all(Array.from({ length: n }, () => new Promise<ChildProcess>((resolve, reject) => {
    const w = spawn(process.execPath, ['--import', tsx, join(root, 'packages/cli/src/bin.ts'), 'worker', '--redis', url, '--storage', storage, '--threads', '1', '--json'], {
      env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.json') }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    w.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('"event":"start"')) resolve(w);
    });
    w.once('exit', (code) => reject(new Error(`worker exited ${String(code)}: ${err.slice(-1000)}`)));
  })));
}

async function stopWorkers(ws: ChildProcess[]): Promise<void> {
  await Promise.all(ws.map((w) => new Promise<void>((resolve) => {
    w.removeAllListeners('exit');
    w.once('exit', () => resolve());
    w.kill('SIGTERM');
  })));
}

interface ClusterMeasure extends Measure {
  extra: { planMs: number; encodeMs: number; stitchMs: number; audioMs: number; segments: number };
}

async function clusterRun(url: string, storage: string, output: string): Promise<ClusterMeasure> {
  const t0 = performance.now();
  const job = await submitTranscode(url, {
    storage, input: 'in.mp4', output, segmentSeconds: 4,
    video: { preset: 'veryfast', crf: 23, width: 640, height: 360, threads: 1 }, audio: { bitRate: 128_000 },
  });
  const planMs = performance.now() - t0;
  const r = await job.done;
  return { wallMs: performance.now() - t0, cpuMs: Number.NaN, maxRssMb: Number.NaN, extra: { planMs, encodeMs: r.encodeMs, stitchMs: r.stitchMs, audioMs: r.audioMs, segments: r.segments } };
}

/** When the last of `jobs` (durations, in queue order) ends, with `n` workers each taking the next job when free. */
function makespan(n: number, jobs: readonly number[]): number {
  const free = Array.from({ length: n }, () => 0);
  for (const d of jobs) {
    const i = free.indexOf(Math.min(...free));
    free[i]! += d;
  }
  return Math.max(...free);
}

export async function cluster(rounds: number): Promise<string> {
  const seconds = quick ? 4 : 30;
  const dir = tmp();
  const storage = join(dir, 'storage');
  mkdirSync(storage, { recursive: true });
  copyFileSync(transcodeInput(seconds), join(storage, 'in.mp4'));
  const redis = await startRedis(dir);
  try {
    // Each fleet is started before the clock runs and stopped after it, as a standing fleet.
    const withWorkers = async (n: number, output: string): Promise<ClusterMeasure> => {
      const fleet = await startWorkers(n, redis.url, storage);
      try {
        return await clusterRun(redis.url, storage, output);
      } finally {
        await stopWorkers(fleet);
      }
    };
    const runs = await alternate(rounds, {
      single1: () => runNodeJob('cluster-single', [join(storage, 'in.mp4'), join(dir, 'single1.mp4'), '1']),
      single0: () => runNodeJob('cluster-single', [join(storage, 'in.mp4'), join(dir, 'single0.mp4'), '0']),
      w1: () => withWorkers(1, 'w1.mp4'),
      w2: () => withWorkers(2, 'w2.mp4'),
    });
    const frames = seconds * 25;
    for (const path of [join(dir, 'single1.mp4'), join(storage, 'w1.mp4'), join(storage, 'w2.mp4')]) {
      const v = probeStreams(path).find((s) => s.codec_name === 'h264');
      if (!v || v.width !== 640 || Number(v.nb_read_packets) !== frames) throw new Error(`${path} is not ${frames} frames of 640×360 H.264: ${JSON.stringify(v)}`);
    }
    const rows = [medians('single process, x264 threads 1', runs.single1), medians('single process, threads auto', runs.single0)];
    const w1 = runs.w1 as ClusterMeasure[];
    const w2 = runs.w2 as ClusterMeasure[];
    const m = (xs: ClusterMeasure[], k: keyof ClusterMeasure['extra']): number => median(xs.map((x) => x.extra[k]));
    const segments = w1[0]!.extra.segments;
    const single1 = median(runs.single1.map((x) => x.wallMs));
    const single0 = median(runs.single0.map((x) => x.wallMs));
    const t1 = median(w1.map((x) => x.wallMs));
    const t2 = median(w2.map((x) => x.wallMs));
    const seg = m(w1, 'encodeMs') / segments;
    const audio = m(w1, 'audioMs');
    const plan = m(w1, 'planMs');
    const stitch = m(w1, 'stitchMs');
    // What 1 worker's wall time holds beyond the plan, the audio, the encodes and the stitch,
    // per job: queue round trips, hand-offs, opening and writing the pieces.
    const overhead = Math.max(0, (t1 - plan - stitch - audio - seg * segments) / (segments + 1));
    // One worker's pipeline (decode, scale, encode, mux run at once) keeps this many cores busy:
    // N of them on this machine's cores slow each other down by N·u / cores.
    const u = median(runs.single1.map((x) => x.cpuMs / x.wallMs));
    const cores = availableParallelism();
    const model = (n: number, scale: number, slow: number): number =>
      plan + makespan(n, [audio * scale * slow + overhead, ...Array.from({ length: Math.round(segments * scale) }, () => seg * slow + overhead)]) + stitch * scale;
    const here = (n: number): number => model(n, 1, Math.max(1, (n * u) / cores));
    const fleet = (n: number, scale: number): number => model(n, scale, 1);
    const long = 16; // an 8-minute input: 120 segments of 4 s
    return [
      `### Cluster: ${seconds} s 1280×720 → 640×360 libx264 veryfast crf 23 + AAC → MP4, ${segments} segments of 4 s (${rounds} rounds, medians)`,
      '',
      table(rows),
      '',
      '| cluster | wall | ÷ single (threads 1) | ÷ single (auto) | plan | encodes (sum) | audio | stitch |',
      '|---|---|---|---|---|---|---|---|',
      `| 1 worker | ${fmt.s(t1)} | ${fmt.x(t1 / single1)} | ${fmt.x(t1 / single0)} | ${fmt.ms(plan)} | ${fmt.s(m(w1, 'encodeMs'))} | ${fmt.ms(audio)} | ${fmt.ms(stitch)} |`,
      `| 2 workers | ${fmt.s(t2)} | ${fmt.x(t2 / single1)} | ${fmt.x(t2 / single0)} | ${fmt.ms(m(w2, 'planMs'))} | ${fmt.s(m(w2, 'encodeMs'))} | ${fmt.ms(m(w2, 'audioMs'))} | ${fmt.ms(m(w2, 'stitchMs'))} |`,
      '',
      `- per segment: encode ${fmt.ms(seg)} (1 worker), ${fmt.ms(m(w2, 'encodeMs') / segments)} with 2 at once on ${cores} cores; coordination overhead ${fmt.ms(overhead)} per job; one pipeline keeps ${u.toFixed(2)} cores busy; speed-up 1 → 2 workers ${fmt.x(t1 / t2)}`,
      `- model T(N) = plan + makespan of [audio, S segments] over N workers taking jobs in order (+ overhead each; × N·u/cores when they share ${cores} cores) + stitch: ` +
        `here T(1) ${fmt.s(here(1))} (measured ${fmt.s(t1)}), T(2) ${fmt.s(here(2))} (measured ${fmt.s(t2)})`,
      `- one worker per machine: T(8) ${fmt.s(fleet(8, 1))}, T(32) ${fmt.s(fleet(32, 1))} for this input (speed-up over the single process, threads auto: ${fmt.x(single0 / fleet(8, 1))}, ${fmt.x(single0 / fleet(32, 1))}); ` +
        `for an 8-minute input (${segments * long} segments): T(8) ${fmt.s(fleet(8, long))}, T(32) ${fmt.s(fleet(32, long))} (${fmt.x((single0 * long) / fleet(8, long))}, ${fmt.x((single0 * long) / fleet(32, long))}); the audio job alone is ${fmt.s(audio * long)} of it`,
      `- raw: ${JSON.stringify({ single1, single0, t1, t2, plan, audio, seg, seg2: m(w2, 'encodeMs') / segments, stitch, overhead, u, cores, segments })}`,
    ].join('\n');
  } finally {
    redis.stop();
  }
}
