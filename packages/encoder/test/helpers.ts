/**
 * Shared pieces of the Encoder tests: tiny test-pattern sources, temp
 * directories, envelope helpers, and ffprobe/ffmpeg as the judge of outputs
 * (streams and codecs, decoded frame counts, durations, strictly increasing
 * DTS per stream, and a full decode that prints nothing).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, expect } from 'vitest';
import { testPattern } from '@beamflow/core';
import type { Envelope, FrameEnvelope, PacketEnvelope, StreamDescriptor, TestPatternOptions, TestPatternSource } from '@beamflow/core';

export const FPS = 25;
export const SAMPLE_RATE = 48000;

/** A tiny test pattern: 128×72 at 25 fps by default, with a 48 kHz stereo tone when `audio` is set. */
export function tiny(opts: {
  width?: number;
  height?: number;
  frames?: number;
  duration?: number;
  audio?: boolean | { samplesPerFrame?: number };
  video?: boolean;
} = {}): TestPatternSource {
  const o: TestPatternOptions = {};
  if (opts.video !== false) o.video = { width: opts.width ?? 128, height: opts.height ?? 72, frameRate: FPS };
  if (opts.audio) {
    o.audio = { sampleRate: SAMPLE_RATE, channels: 2, ...(typeof opts.audio === 'object' ? opts.audio : {}) };
  }
  if (opts.frames !== undefined) o.frames = opts.frames;
  if (opts.duration !== undefined) o.duration = opts.duration;
  return testPattern(o);
}

/** Every envelope of an object-mode Readable (or the readable side of a Duplex). */
export async function collect(src: AsyncIterable<unknown>): Promise<Envelope[]> {
  const out: Envelope[] = [];
  for await (const e of src) out.push(e as Envelope);
  return out;
}

export function isPacket(e: Envelope): e is PacketEnvelope {
  return e.type === 'packet';
}

export function isFrame(e: Envelope): e is FrameEnvelope {
  return e.type === 'frame';
}

export function isDescriptor(e: Envelope): e is StreamDescriptor {
  return e.type === 'stream';
}

/** The first `n` frame envelopes of a source (descriptors pass through), then the end; the source is destroyed. */
export async function* take(src: AsyncIterable<unknown>, n: number, keepDescriptors = true): AsyncGenerator<Envelope> {
  let frames = 0;
  if (n <= 0) return;
  for await (const e of src) {
    const env = e as Envelope;
    if (env.type === 'frame') {
      yield env;
      if (++frames >= n) return;
    } else if (keepDescriptors) yield env;
  }
}

/** An object-mode sink that drops what it gets (optionally seeing each envelope first). */
export function discard(onEnvelope?: (e: Envelope) => void): Writable {
  return new Writable({
    objectMode: true,
    write(e: Envelope, _enc, cb) {
      onEnvelope?.(e);
      cb();
    },
  });
}

/** The settled outcome of a promise, for asserting on rejections with their details. */
export async function outcome(p: Promise<unknown>): Promise<{ ok: true } | { ok: false; error: unknown }> {
  try {
    await p;
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Reject with a clear message instead of letting a hang run into the test timeout. */
export function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms (hang)`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/** The `code` and `field` of what `fn` throws synchronously (fails the test if it does not throw). */
export function thrown(fn: () => unknown): { code: unknown; field: unknown; allowed: unknown; error: unknown } {
  let error: unknown;
  let threw = false;
  try {
    fn();
  } catch (e) {
    threw = true;
    error = e;
  }
  expect(threw, 'expected a synchronous throw').toBe(true);
  const o = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  return { code: o.code, field: o.field, allowed: o.allowed, error };
}

// ---------------------------------------------------------------------------------------------
// Temp directories

const dirs: string[] = [];
afterAll(() => {
  if (process.env.BEAMFLOW_KEEP_TEST_OUTPUT) return;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh temp directory, removed after the file's tests (kept with BEAMFLOW_KEEP_TEST_OUTPUT=1). */
export function tempDir(tag: string): string {
  const d = mkdtempSync(join(tmpdir(), `beamflow-encoder-${tag}-`));
  dirs.push(d);
  return d;
}

// ---------------------------------------------------------------------------------------------
// ffprobe / ffmpeg

/** One stream as `ffprobe -show_streams -count_frames -count_packets` reports it (the fields used here). */
export interface ProbeStream {
  index: number;
  codec_type: string;
  codec_name: string;
  time_base: string;
  duration?: string;
  nb_read_frames?: string;
  nb_read_packets?: string;
  sample_rate?: string;
  channels?: number;
  width?: number;
  height?: number;
}

export interface ProbeResult {
  streams: ProbeStream[];
  format: { format_name: string; duration?: string; nb_streams: number };
}

/** One packet of `ffprobe -show_packets`, timestamps in its stream's time base (absent when N/A). */
export interface ProbePacket {
  stream_index: number;
  pts?: number;
  dts?: number;
  duration?: number;
}

function run(cmd: string, args: string[]): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

function ffprobeJson(path: string, args: string[]): unknown {
  const r = run('ffprobe', ['-v', 'error', ...args, '-of', 'json', path]);
  if (r.status !== 0) throw new Error(`ffprobe ${path} failed (${String(r.status)}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** Streams and format, every frame decoded and counted. */
export function probe(path: string): ProbeResult {
  return ffprobeJson(path, [
    '-count_frames', '-count_packets',
    '-show_entries', 'stream=index,codec_type,codec_name,time_base,duration,nb_read_frames,nb_read_packets,sample_rate,channels,width,height:format=format_name,duration,nb_streams',
  ]) as ProbeResult;
}

/** Every packet of every stream, in file order. */
export function probePackets(path: string): ProbePacket[] {
  const j = ffprobeJson(path, ['-show_packets', '-show_entries', 'packet=stream_index,pts,dts,duration']) as {
    packets?: Array<{ stream_index: number; pts?: number | string; dts?: number | string; duration?: number | string }>;
  };
  const num = (v: number | string | undefined): number | undefined => (v === undefined || v === 'N/A' ? undefined : Number(v));
  return (j.packets ?? []).map((p) => {
    const out: ProbePacket = { stream_index: p.stream_index };
    const pts = num(p.pts);
    const dts = num(p.dts);
    const duration = num(p.duration);
    if (pts !== undefined) out.pts = pts;
    if (dts !== undefined) out.dts = dts;
    if (duration !== undefined) out.duration = duration;
    return out;
  });
}

/** What `ffmpeg -v error -i OUT -f null -` prints (plus its exit status when not 0): empty for a good file. */
export function decodeErrors(path: string): string {
  const r = run('ffmpeg', ['-nostdin', '-v', 'error', '-i', path, '-f', 'null', '-']);
  return r.stderr + (r.status === 0 ? '' : `\n(exit status ${String(r.status)})`);
}

/** `num/den` → seconds per tick. */
export function tbSeconds(tb: string): number {
  const [n, d] = tb.split('/').map(Number);
  if (!n || !d) throw new Error(`bad time base ${tb}`);
  return n / d;
}

/** Places where a stream's DTS does not strictly increase (`[]` when it always does). */
export function dtsViolations(pkts: readonly ProbePacket[], stream: number): string[] {
  const bad: string[] = [];
  let prev: number | undefined;
  let i = 0;
  for (const p of pkts) {
    if (p.stream_index !== stream) continue;
    if (p.dts === undefined) bad.push(`${i}: no dts`);
    else {
      if (prev !== undefined && p.dts <= prev) bad.push(`${i}: ${prev} → ${p.dts}`);
      prev = p.dts;
    }
    i++;
  }
  return bad;
}

/** Seconds a stream's packets cover: latest pts + duration minus earliest pts. */
export function packetSpan(pkts: readonly ProbePacket[], stream: number, tb: string): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of pkts) {
    if (p.stream_index !== stream) continue;
    const t = p.pts ?? p.dts;
    if (t === undefined) continue;
    lo = Math.min(lo, t);
    hi = Math.max(hi, t + (p.duration ?? 0));
  }
  return lo === Infinity ? 0 : (hi - lo) * tbSeconds(tb);
}

/** What one stream of an output must be. */
export interface StreamWant {
  codec: string;
  /** Decoded frames (`nb_read_frames`), exactly. */
  frames: number;
  /** Packets in the file (`nb_read_packets`), exactly, when given. */
  packets?: number;
  /** Expected duration in seconds, within `tolerance` seconds (default: one frame of `frameSeconds`). */
  seconds: number;
  /** Seconds of one coded frame (1/25 for video, 1024/48000 for AAC, 960/48000 for Opus). */
  frameSeconds: number;
}

export interface MediaWant {
  video?: StreamWant;
  audio?: StreamWant;
}

export interface Judged {
  probe: ProbeResult;
  packets: ProbePacket[];
  durations: Partial<Record<'video' | 'audio', number>>;
}

/**
 * ffprobe's verdict: the expected streams with their codecs and nothing else, exact decoded frame
 * counts, durations within one frame of the expectation (the stream's stated duration, else the
 * span its packets cover), strictly increasing DTS in every stream, and a silent full decode.
 */
export function expectMedia(path: string, want: MediaWant): Judged {
  const pr = probe(path);
  const pk = probePackets(path);
  const kinds = (['video', 'audio'] as const).filter((k) => want[k] !== undefined);
  expect(pr.streams.map((s) => s.codec_type).sort(), `stream kinds of ${path}`).toEqual([...kinds].sort());
  expect(Number(pr.format.nb_streams), `stream count of ${path}`).toBe(kinds.length);
  const durations: Judged['durations'] = {};
  for (const kind of kinds) {
    const w = want[kind]!;
    const s = pr.streams.find((x) => x.codec_type === kind)!;
    expect(s.codec_name, `${kind} codec of ${path}`).toBe(w.codec);
    expect(Number(s.nb_read_frames), `${kind} frames decoded from ${path}`).toBe(w.frames);
    if (w.packets !== undefined) expect(Number(s.nb_read_packets), `${kind} packets in ${path}`).toBe(w.packets);
    const stated = s.duration !== undefined && s.duration !== 'N/A' ? Number(s.duration) : undefined;
    const duration = stated ?? packetSpan(pk, s.index, s.time_base);
    durations[kind] = duration;
    expect(Math.abs(duration - w.seconds), `${kind} duration ${duration} s of ${path} vs ${w.seconds} s`)
      .toBeLessThanOrEqual(w.frameSeconds + 1e-6);
    expect(dtsViolations(pk, s.index), `${kind} DTS strictly increasing in ${path}`).toEqual([]);
  }
  expect(decodeErrors(path), `ffmpeg -v error decode of ${path}`).toBe('');
  return { probe: pr, packets: pk, durations };
}
