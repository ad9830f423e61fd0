/**
 * Shared pieces of the Encoder tests: tiny test-pattern sources, temp
 * directories, envelope helpers, and ffprobe/ffmpeg as the judge of outputs
 * (streams and codecs, decoded frame counts, durations, strictly increasing
 * DTS per stream, and a full decode that prints nothing).
 */
import { Writable } from 'node:stream';
import { expect } from 'vitest';
import { testPattern } from '@beamflow/core';
import type { Envelope, FrameEnvelope, PacketEnvelope, StreamDescriptor, TestPatternOptions, TestPatternSource } from '@beamflow/core';
import {
  decodeErrors, dtsViolations, probe, probePackets, streamSeconds, type ProbePacket, type ProbeResult,
} from '../../../test/support/probe.js';
import { tempDir as sharedTempDir } from '../../../test/support/media.js';

export { outcome } from '../../../test/support/media.js';

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

/** A fresh temp directory, removed after the file's tests (kept with BEAMFLOW_KEEP_TEST_OUTPUT=1). */
export function tempDir(tag: string): string {
  return sharedTempDir(`encoder-${tag}`);
}

// ---------------------------------------------------------------------------------------------
// ffprobe / ffmpeg (shared with every suite)

export { decodeErrors, dtsViolations, packetSpan, probe, probePackets, tbSeconds } from '../../../test/support/probe.js';
export type { ProbePacket, ProbeResult, ProbeStream } from '../../../test/support/probe.js';

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
    const duration = streamSeconds(s, pk);
    durations[kind] = duration;
    expect(Math.abs(duration - w.seconds), `${kind} duration ${duration} s of ${path} vs ${w.seconds} s`)
      .toBeLessThanOrEqual(w.frameSeconds + 1e-6);
    expect(dtsViolations(pk, s.index, { requireDts: true }), `${kind} DTS strictly increasing in ${path}`).toEqual([]);
  }
  expect(decodeErrors(path), `ffmpeg -v error decode of ${path}`).toBe('');
  return { probe: pr, packets: pk, durations };
}
