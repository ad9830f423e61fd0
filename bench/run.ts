/**
 * `pnpm bench`: speed of the built-in source against the ffmpeg command line
 * generating a comparable pattern (lavfi testsrc2), measured in the same run,
 * alternating, several rounds; medians and ratios, never a single time.
 *
 *   BENCH_ROUNDS=5 BENCH_FRAMES=600 pnpm bench
 */
import { spawnSync } from 'node:child_process';
import { testPattern } from '@beamflow/core';

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const frames = Number(process.env.BENCH_FRAMES ?? 600);
const width = 1920;
const height = 1080;

async function beamflowSource(): Promise<number> {
  const t0 = performance.now();
  let n = 0;
  for await (const e of testPattern({ video: { width, height, frameRate: 25 }, frames })) if (e.type === 'frame') n++;
  return n / ((performance.now() - t0) / 1000);
}

function ffmpegSource(): number {
  const t0 = performance.now();
  const r = spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=25`, '-frames:v', String(frames), '-f', 'null', '-'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
  return frames / ((performance.now() - t0) / 1000);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const ours: number[] = [];
const theirs: number[] = [];
for (let i = 0; i < rounds; i++) {
  ours.push(await beamflowSource());
  theirs.push(ffmpegSource());
}
const a = median(ours);
const b = median(theirs);
console.log(`test pattern ${width}x${height}, ${frames} frames × ${rounds} rounds (medians)`);
console.log(`  beamflow testPattern():        ${a.toFixed(0)} frames/s`);
console.log(`  ffmpeg -f lavfi testsrc2 → null: ${b.toFixed(0)} frames/s`);
console.log(`  ratio beamflow / ffmpeg:        ${(a / b).toFixed(2)}×  (target: ≥ 300 frames/s)`);
