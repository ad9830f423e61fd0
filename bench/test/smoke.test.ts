/**
 * `pnpm bench` in quick mode: every benchmark still runs end to end and
 * checks its outputs (the benchmarks throw when an output is not the job done
 * right). Times from tiny inputs mean nothing and are not looked at.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;

describe('pnpm bench (quick)', () => {
  it('runs the transcode, ladder, encode-only, bounded-memory, startup, cluster and RSS-by-mapping benchmarks, each three ways where it applies', () => {
    const r = spawnSync(process.execPath, ['--import', tsx, 'bench/run.ts'], {
      cwd: root, encoding: 'utf8', env: { ...process.env, BENCH_QUICK: '1', BENCH_ROUNDS: '1' }, timeout: 150_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^Machine: .* cores/m);
    const section = (title: string): string => {
      const start = out.indexOf(`### ${title}`);
      expect(start, `no "${title}" section in:\n${out}`).toBeGreaterThanOrEqual(0);
      const next = out.indexOf('###', start + 4);
      return out.slice(start, next < 0 ? undefined : next);
    };
    const transcode = section('Transcode');
    for (const row of ['ffmpeg', 'beamflow', 'beamcoder loop']) expect(transcode).toMatch(new RegExp(`^\\| ${row} \\| [\\d.]+ s \\| [\\d.]+ s \\| \\d+ MB \\|`, 'm'));
    expect(transcode).toMatch(/beamflow wall ÷ sequential loop: [\d.]+×/);
    const ladder = section('Ladder');
    for (const row of ['ffmpeg \\(split, scale, var_stream_map\\)', 'beamflow \\(tee → 3 pipelines\\)']) expect(ladder).toMatch(new RegExp(`^\\| ${row} \\| [\\d.]+ s \\|`, 'm'));
    expect(ladder).toMatch(/beamflow wall ÷ ffmpeg: [\d.]+×/);
    const encode = section('Encode only');
    for (const row of ['ffmpeg \\(lavfi testsrc2\\)', 'beamflow', 'beamcoder loop', 'source alone: beamflow testPattern\\(\\)']) {
      expect(encode).toMatch(new RegExp(`^\\| ${row} \\| \\d+ \\|`, 'm'));
    }
    const memory = section('Bounded memory');
    expect(memory).toMatch(/^\| beamflow \| \d+ MB \|/m);
    // A pipeline that ignored backpressure would pile up 1080p frames by the hundred in 4 s.
    const peak = Number(/beamflow peak (\d+) MB/.exec(memory)?.[1]);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(600);
    const start = section('Startup');
    expect(start).toMatch(/^\| beamflow \(compiled JS on node\) \| \d+ ms \| \d+ ms \|/m);
    expect(start).toMatch(/`node -e 0` \d+ ms; node loading the addon \d+ ms \([\d.]+× ffmpeg's first byte\); `ffmpeg -version` \d+ ms/);
    const cluster = section('Cluster');
    for (const row of ['1 worker', '2 workers']) expect(cluster).toMatch(new RegExp(`^\\| ${row} \\| [\\d.]+ s \\|`, 'm'));
    expect(cluster).toMatch(/one worker per machine: T\(8\) [\d.]+ s, T\(32\) [\d.]+ s/);
    const rss = section('Peak RSS by mapping');
    // Every process maps its program and FFmpeg's libraries: a breakdown without them read nothing.
    const cell = (row: string, col: number): number => Number(new RegExp(`^\\| ${row} \\| ([-\\d.]+) \\| ([-\\d.]+) \\|`, 'm').exec(rss)?.[col]);
    expect(cell('FFmpeg libraries', 1)).toBeGreaterThan(1);
    expect(cell('FFmpeg libraries', 2)).toBeGreaterThan(1);
    expect(cell('program', 2)).toBeGreaterThan(1);
    expect(cell('V8 heap pages', 2)).toBeGreaterThan(0);
  }, 180_000);
});
