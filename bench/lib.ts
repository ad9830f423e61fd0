/**
 * What the benchmarks share: running a job in a child process and reading back
 * its wall time, CPU time and peak RSS; medians; the input fixtures (generated
 * once by the ffmpeg command line and kept in bench/.cache); the quick mode the
 * test suite uses to check that every benchmark still runs.
 *
 * Every variant of a job runs in its own process so that CPU time and peak RSS
 * are the job's alone: `process.cpuUsage()` / `resourceUsage()` for Node jobs
 * (bench/jobs/report.ts), `-benchmark` for ffmpeg.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nativeAddonPath } from '@beamflow/core';
import { build } from 'tsup';

export const benchDir = dirname(fileURLToPath(import.meta.url));
export const root = resolve(benchDir, '..');
export const quick = process.env.BENCH_QUICK === '1';

export interface Measure {
  /** Wall time from spawn to exit, ms. */
  wallMs: number;
  /** User + system CPU of the process and all its threads, ms. */
  cpuMs: number;
  /** Peak resident set, MB. */
  maxRssMb: number;
  /** What the job reported beyond that (frames, first-packet times, samples). */
  extra: Record<string, unknown>;
}

export const median = (xs: number[]): number => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export const tmp = (): string => mkdtempSync(join(tmpdir(), 'beamflow-bench-'));

const compiled = new Map<string, string>();

/**
 * A job compiled to one JavaScript file, as an application ships: run through
 * a TypeScript loader instead, Node spent ~0.6 s of CPU compiling at startup,
 * which no deployed program pays. beamcoder stays outside the bundle and is
 * found through BEAMFLOW_BEAMCODER_ADDON.
 */
export async function compileJob(job: string): Promise<string> {
  const done = compiled.get(job);
  if (done) return done;
  const outDir = join(benchDir, '.cache', 'jobs');
  await build({
    entry: { [job]: join(benchDir, 'jobs', `${job}.ts`) }, outDir, format: ['esm'], platform: 'node', target: 'node20',
    noExternal: [/^@beamflow\//], tsconfig: join(root, 'tsconfig.json'),
    config: false, dts: false, sourcemap: false, splitting: false, clean: false, silent: true,
    // Bundled CommonJS dependencies require Node's built-ins.
    banner: { js: "import { createRequire as __benchRequire } from 'node:module'; const require = __benchRequire(import.meta.url);" },
  });
  const path = join(outDir, `${job}.mjs`);
  const js = join(outDir, `${job}.js`);
  // tsup names the output .js in a "type": "module" package; the fresh build replaces any older one.
  if (existsSync(js)) renameSync(js, path);
  compiled.set(job, path);
  return path;
}

/** Run bench/jobs/<job>.ts (compiled) in a fresh Node; it reports through BENCH_REPORT. */
export async function runNodeJob(job: string, args: string[], opts: { stdout?: (chunk: Buffer) => void } = {}): Promise<Measure> {
  const script = await compileJob(job);
  const dir = tmp();
  const report = join(dir, 'report.json');
  try {
    const t0 = performance.now();
    const { code, stderr } = await spawnAndWait(process.execPath, [script, ...args], {
      env: { ...process.env, BENCH_REPORT: report, BEAMFLOW_BEAMCODER_ADDON: nativeAddonPath() },
      onStdout: opts.stdout,
    });
    const wallMs = performance.now() - t0;
    if (code !== 0) throw new Error(`bench job ${job} exited with ${code}: ${stderr.slice(-2000)}`);
    const r = JSON.parse(readFileSync(report, 'utf8')) as { cpuMs: number; maxRssMb: number } & Record<string, unknown>;
    const { cpuMs, maxRssMb, ...extra } = r;
    return { wallMs, cpuMs, maxRssMb, extra };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Run the ffmpeg command line with -benchmark; its own report gives CPU and peak RSS. */
export async function runFfmpeg(args: string[], opts: { stdout?: (chunk: Buffer) => void } = {}): Promise<Measure> {
  const t0 = performance.now();
  const { code, stderr } = await spawnAndWait('ffmpeg', ['-hide_banner', '-nostdin', '-nostats', '-v', 'info', '-benchmark', ...args], { onStdout: opts.stdout });
  const wallMs = performance.now() - t0;
  if (code !== 0) throw new Error(`ffmpeg ${args.join(' ')} exited with ${code}: ${stderr.slice(-2000)}`);
  const times = /utime=([\d.]+)s stime=([\d.]+)s/.exec(stderr);
  const rss = /maxrss=(\d+)kB/.exec(stderr);
  if (!times || !rss) throw new Error(`ffmpeg printed no -benchmark report: ${stderr.slice(-500)}`);
  return { wallMs, cpuMs: (Number(times[1]) + Number(times[2])) * 1000, maxRssMb: Number(rss[1]) / 1024, extra: {} };
}

function spawnAndWait(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; onStdout?: (chunk: Buffer) => void }): Promise<{ code: number | null; stderr: string }> {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-20_000);
    });
    child.stdout.on('data', (d: Buffer) => opts.onStdout?.(d));
    child.on('error', rej);
    child.on('close', (code) => res({ code, stderr }));
  });
}

/**
 * A 1280×720 25 fps H.264 + AAC file of `seconds` seconds, made once by the
 * ffmpeg command line from its test sources and kept for the next runs.
 */
export function transcodeInput(seconds: number): string {
  const dir = join(benchDir, '.cache');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `in-720p-${seconds}s.mp4`);
  if (existsSync(path)) return path;
  const part = `${path}.part.mp4`;
  const r = spawnSync('ffmpeg', [
    '-hide_banner', '-nostdin', '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=25:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
    '-ac', '2', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', '-g', '50',
    '-c:a', 'aac', '-b:a', '128k', '-shortest', part,
  ], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`could not make the benchmark input: ${r.stderr}`);
  renameSync(part, path);
  return path;
}

/** Frames of a file's first video stream, counted by ffprobe (a full decode of headers). */
export function probeStreams(path: string): Array<{ codec_name: string; width?: number; height?: number; nb_read_packets?: string }> {
  const r = spawnSync('ffprobe', ['-v', 'error', '-count_packets', '-show_entries', 'stream=codec_name,width,height,nb_read_packets', '-of', 'json', path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffprobe ${path}: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { streams: Array<{ codec_name: string; width?: number; height?: number; nb_read_packets?: string }> }).streams;
}

export const fmt = {
  s: (ms: number): string => `${(ms / 1000).toFixed(2)} s`,
  ms: (ms: number): string => `${ms.toFixed(0)} ms`,
  mb: (mb: number): string => `${mb.toFixed(0)} MB`,
  x: (r: number): string => `${r.toFixed(2)}×`,
};

/** Run each variant once per round, in turn, so that a noisy neighbour hits them all alike. */
export async function alternate<K extends string>(rounds: number, variants: Record<K, () => Promise<Measure>>): Promise<Record<K, Measure[]>> {
  const out = Object.fromEntries(Object.keys(variants).map((k) => [k, [] as Measure[]])) as Record<K, Measure[]>;
  for (let i = 0; i < rounds; i++) {
    for (const k of Object.keys(variants) as K[]) out[k].push(await variants[k]());
  }
  return out;
}

/**
 * The ratio a ÷ b of one measure round by round, as median and range. The variants of a round
 * run back to back, so a round's ratio is less exposed to the machine's load drifting over the
 * run than the ratio of two medians is.
 */
export function roundRatios(a: Measure[], b: Measure[], key: 'wallMs' | 'cpuMs'): string {
  const rs = a.map((m, i) => m[key] / b[i]![key]).sort((x, y) => x - y);
  return `${fmt.x(median(rs))} (rounds: ${rs.map((r) => r.toFixed(2)).join(', ')})`;
}

export interface Row { label: string; wallMs: number; cpuMs: number; maxRssMb: number }

export function medians(label: string, ms: Measure[]): Row {
  return { label, wallMs: median(ms.map((m) => m.wallMs)), cpuMs: median(ms.map((m) => m.cpuMs)), maxRssMb: median(ms.map((m) => m.maxRssMb)) };
}

/** A markdown table: the rows' medians and each one's ratio to the first row. */
export function table(rows: Row[]): string {
  const ref = rows[0]!;
  const lines = ['| | wall | CPU | peak RSS | wall ÷ ' + ref.label + ' | CPU ÷ ' + ref.label + ' |', '|---|---|---|---|---|---|'];
  for (const r of rows) {
    lines.push(`| ${r.label} | ${fmt.s(r.wallMs)} | ${fmt.s(r.cpuMs)} | ${fmt.mb(r.maxRssMb)} | ${fmt.x(r.wallMs / ref.wallMs)} | ${fmt.x(r.cpuMs / ref.cpuMs)} |`);
  }
  return lines.join('\n');
}
