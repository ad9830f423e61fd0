/**
 * Soak: encode many tiny frames through the Encoder and watch RSS after a
 * warm-up. beamcoder 0.7.1's encode loop orphaned one AVPacket per packet
 * received (about 0.2 KB a frame), and its frame format setter leaked a copy of
 * the name per frame; the fork in packages/beamcoder fixes both.
 * Run by bench/soak.sh against the fork and an unpatched build of upstream.
 *
 *   SOAK_FRAMES=300000 node --expose-gc --import tsx bench/soak.ts
 *
 * Each sample (after a GC and a few turns of the event loop) takes RSS apart:
 * anonymous and file-backed pages (/proc/self/status), glibc's malloc
 * (`mallinfo2()`, the fork only: bytes in use, free bytes its arenas keep,
 * mmapped blocks, arena size), V8's heap (committed, touched, used, its own
 * malloc'd memory, external memory) and Node's external / ArrayBuffer bytes.
 * The table at the end gives each per sample and the late slope: bytes per
 * frame from the first sample after V8's last heap-size step on, and again
 * from the first sample after V8 stopped touching more of what it committed.
 *
 * For taking growth apart (measurements only, not what beamflow does):
 *   SOAK_SMAPS=1            also RSS by mapping: malloc's main (brk) heap, its thread arenas, V8's pages, other anonymous
 *   SOAK_STAGE=passthrough  frames go through a Transform that forwards them instead of the Encoder
 *   SOAK_STAGE=none         the test pattern straight into the sink (which releases its frames)
 *   SOAK_TRIM=1             malloc_trim(0) before each sample: what remains is not free arena memory
 */
import { Transform, Writable, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';
import { nativeObjectCounts, releaseFrame, testPattern, type NativeObjectCounts, type Frame } from '@beamflow/core';
import { mallocStats, mallocTrim, type MallocStats } from '@beamflow/core/internal';
import { Encoder } from '@beamflow/encoder';

const total = Number(process.env.SOAK_FRAMES ?? 300_000);
const warmup = Math.min(20_000, Math.floor(total / 10));
const stageName = process.env.SOAK_STAGE ?? 'encoder';
if (!['encoder', 'passthrough', 'none'].includes(stageName)) throw new Error(`SOAK_STAGE: encoder, passthrough or none (got ${stageName})`);
const trim = process.env.SOAK_TRIM === '1';
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

// The fork counts its live native objects and reports malloc's statistics; upstream's addon (the comparison run) cannot.
const fork = !process.env.BEAMFLOW_BEAMCODER_ADDON;
const counts = (): NativeObjectCounts | undefined => (fork ? nativeObjectCounts() : undefined);
const malloc = (): MallocStats | undefined => (fork ? mallocStats() : undefined);

interface Sample {
  frames: number;
  rss: number;
  /** /proc/self/status: RSS in anonymous pages (malloc, V8, stacks) and in files (shared libraries' code and data). */
  rssAnon?: number;
  rssFile?: number;
  /** V8: heap committed (total_heap_size), in use, V8's own malloc'd memory, external memory. */
  heapTotal: number;
  /** V8: the committed heap's pages actually touched (total_physical_size). */
  heapPhysical: number;
  heapUsed: number;
  v8Malloced: number;
  v8External: number;
  /** process.memoryUsage(): external (includes ArrayBuffers) and ArrayBuffers. */
  external: number;
  arrayBuffers: number;
  /** glibc mallinfo2(): in use, free in the arenas, mmapped, arena size. */
  mallocUsed?: number;
  mallocFree?: number;
  mmapped?: number;
  arena?: number;
  /** SOAK_SMAPS=1: resident bytes by mapping (see smapsRss). */
  brkHeap?: number;
  threadArenas?: number;
  v8Pages?: number;
  otherAnon?: number;
}

const settle = async (): Promise<void> => {
  // Finalizers of native objects run from setImmediate after a GC: give them turns.
  for (let i = 0; i < 5; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  if (trim && fork) mallocTrim();
};

/** RssAnon and RssFile from /proc/self/status (Linux), in bytes. */
const rssParts = (): { rssAnon?: number; rssFile?: number } => {
  let status: string;
  try {
    status = readFileSync('/proc/self/status', 'utf8');
  } catch {
    return {};
  }
  const kb = (name: string): number | undefined => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  return { rssAnon: kb('RssAnon'), rssFile: kb('RssFile') };
};

/**
 * SOAK_SMAPS=1: resident bytes by kind of mapping (/proc/self/smaps): malloc's main arena (the
 * brk heap), its thread arenas (64 MiB-aligned anonymous mappings up in the mmap area), V8's
 * pages (anonymous mappings at V8's random low addresses) and the remaining anonymous memory
 * (mmapped chunks, thread stacks, libraries' bss). Only numbers are kept: nothing of the text.
 */
const smapsRss = (): Pick<Sample, 'brkHeap' | 'threadArenas' | 'v8Pages' | 'otherAnon'> => {
  const r = { brkHeap: 0, threadArenas: 0, v8Pages: 0, otherAnon: 0 };
  let kind: keyof typeof r | undefined;
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(\S*)/.exec(line);
    if (head) {
      const start = parseInt(head[1]!, 16);
      const name = head[2]!;
      if (name === '[heap]') kind = 'brkHeap';
      else if (name !== '') kind = undefined; // files, [stack], [vvar]...: RSS file or not malloc's
      else if (start >= 0x7e00_0000_0000 && start % 0x400_0000 === 0) kind = 'threadArenas';
      else if (start >= 0x1_0000_0000 && start < 0x7e00_0000_0000) kind = 'v8Pages';
      else kind = 'otherAnon';
      continue;
    }
    if (kind && line.startsWith('Rss:')) r[kind] += Number(/(\d+)/.exec(line)![1]) * 1024;
  }
  return r;
};

const sample = (frames: number): Sample => {
  // V8's and malloc's numbers first: reading /proc makes garbage of its own.
  const rss = process.memoryUsage.rss();
  const h = v8.getHeapStatistics();
  const { external, arrayBuffers } = process.memoryUsage();
  const m = malloc();
  const parts = rssParts();
  const maps = process.env.SOAK_SMAPS === '1' ? smapsRss() : {};
  return {
    frames, rss, ...parts, ...maps, heapTotal: h.total_heap_size, heapPhysical: h.total_physical_size, heapUsed: h.used_heap_size, v8Malloced: h.malloced_memory,
    v8External: h.external_memory, external, arrayBuffers,
    ...(m ? { mallocUsed: m.uordblks, mallocFree: m.fordblks, mmapped: m.hblkhd, arena: m.arena } : {}),
  };
};

/** The stage under test: the Encoder, or (for taking growth apart) a Transform forwarding frames, or nothing. */
const stage = (): Duplex[] => {
  if (stageName === 'encoder') {
    return [new Encoder({ video: { codec: 'libx264', preset: 'ultrafast', threads: 1, options: { tune: 'zerolatency' } } })];
  }
  if (stageName === 'passthrough') {
    return [new Transform({ objectMode: true, highWaterMark: 16, transform(e, _enc, cb) { cb(null, e); } })];
  }
  return [];
};
// What the sink counts: packets out of the Encoder, or frames (which it releases, as the Encoder does).
const counted = stageName === 'encoder' ? 'packet' : 'frame';

let countsAtBase: NativeObjectCounts | undefined;
let units = 0;
let marking: Promise<void> | undefined;
const samples: Sample[] = [];
const started = performance.now();
await pipeline([
  testPattern({ video: { width: 64, height: 36, frameRate: 25 }, frames: total }),
  ...stage(),
  new Writable({
    objectMode: true,
    highWaterMark: 64,
    write(e: { type: string; frame?: Frame }, _enc, cb) {
      if (e.type !== counted) return cb();
      if (e.frame) releaseFrame(e.frame);
      units++;
      // Samples while frames still flow; the last one is taken after the pipeline ended (the Encoder closed).
      if (units === warmup || (units > warmup && units < total && units % 50_000 === 0)) {
        marking = settle().then(() => {
          if (samples.length === 0) countsAtBase = counts();
          samples.push(sample(units));
        });
        marking.then(() => cb(), cb);
        return;
      }
      cb();
    },
  }),
]);
await marking;
await settle();
samples.push(sample(units));
const elapsed = (performance.now() - started) / 1000;

const MB = (n: number | undefined): string => (n === undefined ? '—' : (n / 1e6).toFixed(1));
const base = samples[0]!;
const end = samples.at(-1)!;
const growth = (end.rss - base.rss) / 1e6;
const growthPerFrame = (end.rss - base.rss) / Math.max(1, units - warmup);
console.log(`addon: ${process.env.BEAMFLOW_BEAMCODER_ADDON ?? 'the fork (packages/beamcoder)'}; stage: ${stageName}${trim ? '; malloc_trim(0) before each sample' : ''}`);
console.log(`frames: ${units} in ${elapsed.toFixed(0)} s; RSS after warm-up (${warmup}) → end: ${MB(base.rss)} → ${MB(end.rss)} MB`);
console.log(`growth: ${growth.toFixed(1)} MB over ${units - warmup} frames (${growthPerFrame.toFixed(1)} B/frame)  [target < 5 MB]`);
const countsAtEnd = counts();
if (countsAtBase && countsAtEnd) {
  const moved = Object.entries(countsAtEnd).filter(([k, v]) => v !== countsAtBase![k as keyof NativeObjectCounts]);
  console.log(`native objects after warm-up → end: ${moved.length === 0 ? 'unchanged' : moved.map(([k, v]) => `${k} ${countsAtBase![k as keyof NativeObjectCounts]} → ${v}`).join(', ')}`);
}

// The table: one row per sample, MB; the last row is after the pipeline ended.
const columns: Array<[string, keyof Sample]> = [
  ['RSS', 'rss'], ['RSS anon', 'rssAnon'], ['RSS file', 'rssFile'], ['malloc used', 'mallocUsed'], ['malloc free', 'mallocFree'],
  ['mmapped', 'mmapped'], ['arena', 'arena'], ['brk heap', 'brkHeap'], ['thr arenas', 'threadArenas'], ['V8 pages', 'v8Pages'],
  ['other anon', 'otherAnon'], ['V8 heap', 'heapTotal'], ['V8 phys', 'heapPhysical'], ['V8 used', 'heapUsed'], ['V8 malloc', 'v8Malloced'],
  ['V8 ext', 'v8External'], ['external', 'external'], ['arrayBufs', 'arrayBuffers'],
];
const shown = columns.filter(([, k]) => samples.some((s) => s[k] !== undefined));
const pad = (s: string, n: number): string => s.padStart(n);
const widths = shown.map(([h]) => Math.max(h.length, 7));
const row = (label: string, cell: (k: keyof Sample) => string): string => `${pad(label, 8)}  ${shown.map(([, k], i) => pad(cell(k), widths[i]!)).join('  ')}`;
console.log(`\nper sample (MB; malloc: glibc mallinfo2() uordblks / fordblks / hblkhd / arena; V8: v8.getHeapStatistics() total / physical / used / malloced / external; process.memoryUsage() external / arrayBuffers)`);
console.log(`${pad('frames', 8)}  ${shown.map(([h], i) => pad(h, widths[i]!)).join('  ')}`);
samples.forEach((s, i) => console.log(row(i === samples.length - 1 ? 'end' : String(s.frames), (k) => MB(s[k]))));

// Late slope: from the first sample after V8's last step in committed heap (> 1 MB) on. Per
// component to the last sample taken while encoding (the end's teardown frees the Encoder's
// buffers, which is not a slope); RSS also to the end. After a step V8 goes on touching the
// pages it committed (total_physical_size climbs towards total_heap_size for a while), so the
// slope is also given from the first sample after the touched heap stopped growing.
const STEP = 1e6;
const running = samples.slice(0, -1);
const lastStep = (k: 'heapTotal' | 'heapPhysical', by: number): number => {
  let at = 0;
  for (let i = 1; i < running.length; i++) if (Math.abs(running[i]![k] - running[i - 1]![k]) > by) at = i;
  return at;
};
const from = lastStep('heapTotal', STEP);
const settled = Math.max(from, lastStep('heapPhysical', STEP / 4));
const first = running[from];
const last = running.at(-1);
const perFrame = (a: Sample, b: Sample, k: keyof Sample): number | undefined =>
  a[k] === undefined || b[k] === undefined ? undefined : ((b[k] as number) - (a[k] as number)) / (b.frames - a.frames);
const fmt = (n: number | undefined): string => (n === undefined ? '—' : n.toFixed(2));
if (first && last && running.length - from >= 3) {
  console.log(row('B/frame', (k) => fmt(perFrame(first, last, k))));
  console.log(
    `late slope (from ${first.frames} frames, ${from === 0 ? 'no V8 heap-size step after warm-up' : "the first sample after V8's last heap-size step"}): ` +
      `RSS ${fmt(perFrame(first, last, 'rss'))} B/frame to ${last.frames} (the B/frame row), ${fmt(perFrame(first, end, 'rss'))} B/frame to the end  [target < 1]`,
  );
  const calm = running[settled]!;
  if (settled > from && running.length - settled >= 3) {
    console.log(
      `  from ${calm.frames} frames, once V8's touched heap stopped growing (physical ${MB(first.heapPhysical)} → ${MB(calm.heapPhysical)} of ${MB(calm.heapTotal)} MB committed): ` +
        `RSS ${fmt(perFrame(calm, last, 'rss'))} B/frame to ${last.frames}, ${fmt(perFrame(calm, end, 'rss'))} to the end` +
        ` (malloc used ${fmt(perFrame(calm, last, 'mallocUsed'))}, malloc free ${fmt(perFrame(calm, last, 'mallocFree'))}, V8 physical ${fmt(perFrame(calm, last, 'heapPhysical'))})`,
    );
  } else if (settled > from) {
    console.log(`  V8's touched heap grew until ${calm.frames} frames (physical ${MB(first.heapPhysical)} → ${MB(calm.heapPhysical)} MB): too late for a second slope`);
  }
} else {
  console.log(`late slope: V8's last heap-size step came at ${first?.frames ?? '—'} frames, too late for a slope (fewer than 3 samples after it)`);
}
