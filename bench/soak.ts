/**
 * Soak: encode many tiny frames through the Encoder and watch RSS after a
 * warm-up. beamcoder 0.7.1's encode loop orphaned one AVPacket per packet
 * received (about 0.2 KB a frame), and its frame format setter leaked a copy of
 * the name per frame; the fork in packages/beamcoder fixes both.
 * Run by bench/soak.sh against the fork and an unpatched build of upstream.
 *
 *   SOAK_FRAMES=300000 node --expose-gc --import tsx bench/soak.ts
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { nativeObjectCounts, testPattern, type NativeObjectCounts } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';

const total = Number(process.env.SOAK_FRAMES ?? 300_000);
const warmup = Math.min(20_000, Math.floor(total / 10));
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const settle = async (): Promise<number> => {
  // Finalizers of native objects run from setImmediate after a GC: give them turns.
  for (let i = 0; i < 5; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().rss;
};

// The fork counts its live native objects; upstream's addon (the comparison run) cannot.
const counts = (): NativeObjectCounts | undefined => (process.env.BEAMFLOW_BEAMCODER_ADDON ? undefined : nativeObjectCounts());
let countsAtBase: NativeObjectCounts | undefined;
let packets = 0;
let base: number | undefined;
let marking: Promise<void> | undefined;
const samples: Array<[number, number, number, number]> = [];
const started = performance.now();
await pipeline(
  testPattern({ video: { width: 64, height: 36, frameRate: 25 }, frames: total }),
  new Encoder({ video: { codec: 'libx264', preset: 'ultrafast', threads: 1, options: { tune: 'zerolatency' } } }),
  new Writable({
    objectMode: true,
    highWaterMark: 64,
    write(e: { type: string }, _enc, cb) {
      if (e.type !== 'packet') return cb();
      packets++;
      if (packets === warmup || (packets > warmup && packets % 50_000 === 0)) {
        marking = settle().then((rss) => {
          if (base === undefined) countsAtBase = counts();
          base ??= rss;
          const { heapUsed, heapTotal } = process.memoryUsage();
          samples.push([packets, rss, heapUsed, heapTotal]);
        });
        marking.then(() => cb(), cb);
        return;
      }
      cb();
    },
  }),
);
await marking;
const end = await settle();
const heapAtEnd = process.memoryUsage();
samples.push([packets, end, heapAtEnd.heapUsed, heapAtEnd.heapTotal]);
const growth = (end - (base ?? end)) / 1e6;
const perFrame = ((end - (base ?? end)) / Math.max(1, packets - warmup));
console.log(`addon: ${process.env.BEAMFLOW_BEAMCODER_ADDON ?? 'the fork (packages/beamcoder)'}`);
console.log(`frames: ${packets} in ${((performance.now() - started) / 1000).toFixed(0)} s; RSS after warm-up (${warmup}) → end: ${(base! / 1e6).toFixed(1)} → ${(end / 1e6).toFixed(1)} MB`);
console.log(`growth: ${growth.toFixed(1)} MB over ${packets - warmup} frames (${perFrame.toFixed(0)} B/frame)  [target < 5 MB]`);
const countsAtEnd = counts();
if (countsAtBase && countsAtEnd) {
  const moved = Object.entries(countsAtEnd).filter(([k, v]) => v !== countsAtBase![k as keyof NativeObjectCounts]);
  console.log(`native objects after warm-up → end: ${moved.length === 0 ? 'unchanged' : moved.map(([k, v]) => `${k} ${countsAtBase![k as keyof NativeObjectCounts]} → ${v}`).join(', ')}`);
}
console.log(`samples (frames:RSS/JS heap used/JS heap committed MB): ${samples.map(([n, r, h, t]) => `${n}:${(r / 1e6).toFixed(1)}/${(h / 1e6).toFixed(1)}/${(t / 1e6).toFixed(1)}`).join(' ')}`);
