/**
 * Benchmark 8, where peak RSS is: the transcode job (benchmark 1) run by the
 * ffmpeg command line and by beamflow, each process's mappings read from
 * /proc/PID/smaps every 50 ms, and the sample with the most resident memory
 * taken apart:
 *
 * - file-backed pages by file: the program (node, or ffmpeg), FFmpeg's own
 *   libraries (libav*, libsw*, libpostproc), beamcoder's addon, every other
 *   shared library (the codecs' and filters' dependencies, libc, ...);
 * - anonymous memory: malloc's main heap (`[heap]`) and its thread arenas
 *   (glibc maps each arena as a 64 MiB-aligned heap, which is how they are
 *   told apart), V8's heap pages (256 KiB, 256 KiB-aligned), thread stacks
 *   (8 MiB with their guard page), and the rest (malloc's large
 *   blocks, which it maps one by one, V8's large objects and code).
 *
 * The alignment rules are glibc's and V8's as built on Debian 12 for x86-64; a
 * mapping that fits none is counted as "other anonymous", never guessed into a
 * category. Sampling itself costs CPU, so the times of this benchmark are not
 * reported; benchmark 1 measures them.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { nativeAddonPath } from '@beamflow/core';
import { compileJob, median, quick, tmp, transcodeInput } from './lib.js';
import { checkTranscodeOutput, transcodeFfmpegArgs } from './transcode.js';

const MIB = 1 << 20;
const ARENA_ALIGN = 64 * MIB;
const V8_PAGE = 256 * 1024;
const STACK = 8 * MIB;

const categories = [
  'program', 'FFmpeg libraries', 'beamcoder addon', 'other libraries',
  'malloc main heap', 'malloc thread arenas', 'V8 heap pages', 'thread stacks', 'other anonymous',
] as const;
type Category = (typeof categories)[number];
type Breakdown = Record<Category, number>;

interface Mapping { start: number; end: number; perms: string; path: string; rssKb: number }

function readMappings(pid: number): Mapping[] | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  } catch {
    return undefined;
  }
  const out: Mapping[] = [];
  for (const line of text.split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      out.push({ start: parseInt(head[1]!, 16), end: parseInt(head[2]!, 16), perms: head[3]!, path: head[4]!, rssKb: 0 });
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && out.length > 0) out[out.length - 1]!.rssKb = Number(rss[1]);
  }
  return out;
}

function classify(maps: Mapping[], program: string): Breakdown {
  const b = Object.fromEntries(categories.map((c) => [c, 0])) as Breakdown;
  // An arena's heap starts at a 64 MiB boundary with its read-write part, followed by the
  // reserved rest of the window (---p) until it has grown to all of it. A V8 page may also
  // start at a 64 MiB boundary by chance, but nothing reserved follows it.
  const arenaStarts = new Set(maps.filter((m, i) => {
    if (m.path !== '' || m.start % ARENA_ALIGN !== 0) return false;
    const next = maps[i + 1];
    return m.end - m.start === ARENA_ALIGN || (next !== undefined && next.start === m.end && next.perms.startsWith('---') && next.end - m.start <= ARENA_ALIGN);
  }).map((m) => m.start));
  maps.forEach((m, i) => {
    const mb = m.rssKb / 1024;
    const size = m.end - m.start;
    let c: Category;
    if (m.path.startsWith('/')) {
      const file = basename(m.path);
      if (file === program) c = 'program';
      else if (file.endsWith('.node') && file.includes('beamcoder')) c = 'beamcoder addon';
      else if (/^lib(av|sw|postproc)/.test(file)) c = 'FFmpeg libraries';
      else c = 'other libraries';
    } else if (m.path === '[heap]') c = 'malloc main heap';
    else if (m.path !== '') c = 'other anonymous'; // [stack] of the main thread, [vdso], ...
    else if (arenaStarts.has(m.start - (m.start % ARENA_ALIGN))) c = 'malloc thread arenas';
    else if (size === V8_PAGE && m.start % V8_PAGE === 0) c = 'V8 heap pages';
    // glibc puts a thread's guard page inside its 8 MiB mapping: ---p, then the stack itself.
    else if (size <= STACK && size > STACK - 64 * 1024 && i > 0 && maps[i - 1]!.end === m.start && maps[i - 1]!.perms.startsWith('---')) c = 'thread stacks';
    else c = 'other anonymous';
    b[c] += mb;
  });
  return b;
}

const total = (b: Breakdown): number => categories.reduce((s, c) => s + b[c], 0);

/** Runs a command to its end, sampling its mappings; returns the breakdown of the sample with the most RSS. */
async function peakBreakdown(cmd: string, args: string[], program: string): Promise<Breakdown> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, BEAMFLOW_BEAMCODER_ADDON: nativeAddonPath() } });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  let code: number | null | undefined;
  const exited = new Promise<void>((res) => child.on('exit', (c) => {
    code = c;
    res();
  }));
  let best: Breakdown | undefined;
  while (code === undefined) {
    const maps = readMappings(child.pid!);
    if (maps) {
      const b = classify(maps, program);
      if (!best || total(b) > total(best)) best = b;
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 50))]);
  }
  if (code !== 0) throw new Error(`${cmd} exited with ${String(code)}: ${stderr}`);
  if (!best) throw new Error(`${cmd} ended before its memory could be read once`);
  return best;
}

export async function rssBreakdown(rounds: number): Promise<string> {
  const seconds = quick ? 2 : 60;
  const input = transcodeInput(seconds);
  const dir = tmp();
  const out = { ffmpeg: join(dir, 'ffmpeg.mp4'), beamflow: join(dir, 'beamflow.mp4') };
  const job = await compileJob('transcode-beamflow');
  const runs: Record<'ffmpeg' | 'beamflow', Breakdown[]> = { ffmpeg: [], beamflow: [] };
  for (let i = 0; i < rounds; i++) {
    runs.ffmpeg.push(await peakBreakdown('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', ...transcodeFfmpegArgs(input, out.ffmpeg)], 'ffmpeg'));
    runs.beamflow.push(await peakBreakdown(process.execPath, [job, input, out.beamflow], basename(process.execPath)));
  }
  for (const [k, path] of Object.entries(out)) checkTranscodeOutput(k, path, seconds);
  const med = (k: 'ffmpeg' | 'beamflow', c: Category): number => median(runs[k].map((b) => b[c]));
  const ffTotal = median(runs.ffmpeg.map(total));
  const bfTotal = median(runs.beamflow.map(total));
  const mb = (x: number): string => x.toFixed(1);
  const lines = [
    `### Peak RSS by mapping: the transcode of benchmark 1 (${rounds} rounds, medians of each process's largest sample, every 50 ms)`,
    '',
    '| | ffmpeg (MB) | beamflow (MB) | beamflow − ffmpeg |',
    '|---|---|---|---|',
    ...categories.map((c) => `| ${c} | ${mb(med('ffmpeg', c))} | ${mb(med('beamflow', c))} | ${mb(med('beamflow', c) - med('ffmpeg', c))} |`),
    `| **sampled peak** | **${mb(ffTotal)}** | **${mb(bfTotal)}** | **${mb(bfTotal - ffTotal)}** (${(bfTotal / ffTotal).toFixed(2)}×) |`,
    '',
    `- the Node runtime's share (its binary's pages and V8's heap): ${mb(med('beamflow', 'program') + med('beamflow', 'V8 heap pages'))} MB; ` +
      `1.3× ffmpeg's peak leaves ${mb(0.3 * ffTotal)} MB above ffmpeg's for everything beamflow adds`,
  ];
  return lines.join('\n');
}
