/**
 * Destroy storm: whole pipelines (test pattern → Encoder → Rescaler → Muxer →
 * sink) created and torn down at random moments — a random stage destroyed,
 * with or without an error, after a random delay — in sequence or N at a
 * time. Reports, as one JSON line: how each pipeline ended, unhandled
 * rejections/exceptions, the native objects left alive compared with before the
 * first pipeline (by kind, as the addon counts them), and RSS growth between
 * warm-up and the end (for the record: memory is judged by the counts).
 *
 *   node --expose-gc --import tsx test/reliability/scripts/storm.ts COUNT PARALLEL SEED
 */
import { Writable, type Duplex, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BeamflowError, ffmpegVersion, testPattern } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';
import { prng } from '../../support/prng.js';
import { leaked, settledCounts } from '../../support/native-counts.js';

const count = Number(process.argv[2] ?? 1000);
const parallel = Number(process.argv[3] ?? 1);
const seed = Number(process.argv[4] ?? 1);
const rnd = prng(seed);
const gc = (globalThis as { gc?: () => void }).gc!;

const unhandled: string[] = [];
process.on('unhandledRejection', (e) => unhandled.push(`unhandledRejection: ${String(e)}`));
process.on('uncaughtException', (e) => unhandled.push(`uncaughtException: ${String(e)}`));

const outcomes: Record<string, number> = {};
let stillOpen = 0;

async function one(): Promise<void> {
  const withAudio = rnd() < 0.5;
  const stages: Array<Readable | Duplex | Writable> = [
    testPattern({ video: { width: 64, height: 36, frameRate: 25 }, ...(withAudio ? { audio: { sampleRate: 48000, channels: 1 } } : {}), frames: 30 }),
    new Encoder({ video: { codec: 'h264', preset: 'ultrafast', threads: 1 }, ...(withAudio ? { audio: { codec: 'aac' } } : {}) }),
    new Rescaler(),
    new Muxer({ format: rnd() < 0.5 ? 'mpegts' : 'mp4' }),
    new Writable({ write: (_c, _e, cb) => setImmediate(cb) }),
  ];
  const victim = stages[Math.floor(rnd() * stages.length)]!;
  const withError = rnd() < 0.5;
  // Up to ~40 ms covers construction, the codecs' open, mid-stream and (often) the drain.
  const delay = Math.floor(rnd() * 40);
  const timer = setTimeout(() => victim.destroy(withError ? new Error('storm') : undefined), delay);
  const what = `audio=${withAudio} victim=${stages.indexOf(victim)} error=${withError} delay=${delay}`;
  // A pipeline that never settles is the failure this storm looks for: report it and stop.
  const watchdog = setTimeout(() => {
    console.log(JSON.stringify({ hang: what, states: stages.map((s) => ({ destroyed: s.destroyed, closed: s.closed })) }));
    process.exit(3);
  }, 20_000);
  let how: string;
  try {
    await pipeline(stages as unknown as [Readable, Writable]);
    how = 'completed';
  } catch (err) {
    const e = err as Error & { code?: string };
    how = e.message === 'storm' ? 'the injected error' : BeamflowError.isInstance(e) ? e.code : e.code ?? e.name;
  } finally {
    clearTimeout(timer);
  }
  clearTimeout(watchdog);
  outcomes[how] = (outcomes[how] ?? 0) + 1;
  // pipeline() may settle before a destroyed stage has released its native resources: wait for every 'close'.
  const closeWatch = setTimeout(() => {
    console.log(JSON.stringify({ hang: `close after ${how}: ${what}`, states: stages.map((s) => ({ destroyed: s.destroyed, closed: s.closed })) }));
    process.exit(3);
  }, 20_000);
  await Promise.all(stages.map((s) => (s.closed ? undefined : new Promise((resolve) => s.once('close', resolve)))));
  clearTimeout(closeWatch);
  if (!stages.every((s) => s.destroyed || s.closed)) stillOpen++;
}

async function settle(): Promise<number> {
  for (let i = 0; i < 6; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().rss;
}

ffmpegVersion();
const before = await settledCounts();

const warm = Math.min(100, Math.floor(count / 10));
let done = 0;
let base = 0;
async function lane(): Promise<void> {
  while (done < count) {
    done++;
    await one();
    if (done === warm) base = await settle();
  }
}
const started = performance.now();
await Promise.all(Array.from({ length: parallel }, () => lane()));
const end = await settle();
const left = leaked(before, await settledCounts());
console.log(JSON.stringify({
  count, parallel, seed, outcomes, unhandled, stillOpen, leaked: left, growthMB: (end - base) / 1e6, seconds: (performance.now() - started) / 1000,
}));
