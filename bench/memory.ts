/**
 * Benchmark 3, bounded memory: the 1080p pipeline into a sink that takes 5
 * packets a second. RSS is sampled from /proc twice a second while it runs;
 * the target is a peak under 300 MB and no growth over time (the second
 * half's highest sample no higher than the first half's, give or take the
 * allocator's noise). The ffmpeg command line writing into a pipe its reader
 * drains at 5 reads a second is measured alongside, as the reference.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { nativeAddonPath } from '@beamflow/core';
import { compileJob, quick } from './lib.js';

function rssMb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

async function sample(cmd: string, args: string[], seconds: number, slowReader: boolean): Promise<number[]> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BEAMFLOW_BEAMCODER_ADDON: nativeAddonPath() } });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  let reader: NodeJS.Timeout | undefined;
  if (slowReader) {
    // The reader takes one chunk every 200 ms; the pipe's buffer fills and ffmpeg blocks on write.
    child.stdout.pause();
    reader = setInterval(() => child.stdout.read(), 200);
  } else child.stdout.resume();
  const samples: number[] = [];
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  let alive = true;
  void exited.then(() => {
    alive = false;
  });
  const end = Date.now() + seconds * 1000;
  while (alive && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 500));
    const r = rssMb(child.pid!);
    if (r !== undefined) samples.push(r);
  }
  if (!alive) throw new Error(`${cmd} ended early (${String(await exited)}): ${stderr}`);
  child.kill('SIGKILL');
  await exited;
  if (reader) clearInterval(reader);
  return samples;
}

const describe = (label: string, s: number[]): string => {
  const half = Math.floor(s.length / 2);
  const first = Math.max(...s.slice(0, half));
  const second = Math.max(...s.slice(half));
  const peak = Math.max(...s);
  return `| ${label} | ${peak.toFixed(0)} MB | ${first.toFixed(0)} MB | ${second.toFixed(0)} MB | ${(second - first).toFixed(1)} MB | ${s.filter((_, i) => i % 4 === 0).map((x) => x.toFixed(0)).join(' ')} |`;
};

export async function boundedMemory(): Promise<{ text: string; peakMb: number; growthMb: number }> {
  const seconds = quick ? 4 : 30;
  const ours = await sample(process.execPath, [await compileJob('memory-beamflow')], seconds, false);
  const theirs = await sample('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=25', '-c:v', 'libx264', '-preset', 'ultrafast', '-f', 'mpegts', '-'], seconds, true);
  const half = Math.floor(ours.length / 2);
  const peakMb = Math.max(...ours);
  const growthMb = Math.max(...ours.slice(half)) - Math.max(...ours.slice(0, half));
  const text = [
    `### Bounded memory: 1920×1080 test pattern → libx264 ultrafast → a sink taking 5 packets/s (${seconds} s, RSS every 0.5 s)`,
    '',
    '| | peak RSS | highest, first half | highest, second half | change | every 2 s (MB) |',
    '|---|---|---|---|---|---|',
    describe('beamflow', ours),
    describe('ffmpeg → pipe read 5×/s', theirs),
    '',
    `- beamflow peak ${peakMb.toFixed(0)} MB (target < 300 MB), second half vs first ${growthMb >= 0 ? '+' : ''}${growthMb.toFixed(1)} MB (target: flat)`,
  ].join('\n');
  return { text, peakMb, growthMb };
}
