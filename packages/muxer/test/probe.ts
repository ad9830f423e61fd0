/**
 * ffprobe / ffmpeg helpers for the muxer tests: ffprobe is the judge of every
 * output (streams, codecs, frame counts, durations, monotonic DTS) and
 * `ffmpeg -v error -i OUT -f null -` must decode it without a word.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { expect } from 'vitest';

/** One stream as `ffprobe -show_streams -count_frames` reports it (the fields the tests use). */
export interface ProbeStream {
  index: number;
  codec_type: string;
  codec_name: string;
  time_base: string;
  start_time?: string;
  duration?: string;
  nb_read_frames?: string;
  sample_rate?: string;
  channels?: number;
  width?: number;
  height?: number;
  r_frame_rate?: string;
}

export interface ProbeResult {
  streams: ProbeStream[];
  format: { format_name: string; duration?: string; nb_streams: number };
}

/** One packet of `ffprobe -show_packets` (timestamps in the stream's time base; absent when N/A). */
export interface ProbePacket {
  stream_index: number;
  pts?: number;
  dts?: number;
  duration?: number;
  flags?: string;
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

/** Streams and format, with every frame decoded and counted (`-count_frames`). */
export function probe(path: string): ProbeResult {
  return ffprobeJson(path, ['-count_frames', '-show_streams', '-show_format']) as ProbeResult;
}

/** Every packet of every stream, in file order. */
export function packets(path: string): ProbePacket[] {
  const j = ffprobeJson(path, ['-show_packets', '-show_entries', 'packet=stream_index,pts,dts,duration,flags']) as {
    packets?: Array<{ stream_index: number; pts?: number | string; dts?: number | string; duration?: number | string; flags?: string }>;
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
    if (p.flags !== undefined) out.flags = p.flags;
    return out;
  });
}

/** What a full decode prints at `-v error`: must be empty for a good file. */
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

/** DTS values of a stream that are not strictly increasing (`[]` when all are): `"i: prev → dts"`. */
export function dtsViolations(pkts: readonly ProbePacket[], stream: number): string[] {
  const bad: string[] = [];
  let prev: number | undefined;
  let i = 0;
  for (const p of pkts) {
    if (p.stream_index !== stream) continue;
    if (p.dts !== undefined) {
      if (prev !== undefined && p.dts <= prev) bad.push(`${i}: ${prev} → ${p.dts}`);
      prev = p.dts;
    }
    i++;
  }
  return bad;
}

/**
 * Seconds a stream covers, from its packets: the latest `pts + duration`
 * minus the earliest `pts` (a packet without duration counts `nominal` ticks).
 */
export function packetSpan(pkts: readonly ProbePacket[], stream: number, tb: string, nominalTicks = 0): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of pkts) {
    if (p.stream_index !== stream) continue;
    const t = p.pts ?? p.dts;
    if (t === undefined) continue;
    lo = Math.min(lo, t);
    hi = Math.max(hi, t + (p.duration ?? nominalTicks));
  }
  if (lo === Infinity) return 0;
  return (hi - lo) * tbSeconds(tb);
}

/** What a test expects of one stream. */
export interface StreamExpectation {
  codec: string;
  /** Decoded frames (`nb_read_frames`). */
  frames: number;
  /** Seconds per frame (1/25 for video, 1024/48000 for AAC, 960/48000 for Opus). */
  frameSeconds: number;
  /** Allowed distance of the stream's duration from frames × frameSeconds, in frames (default 1). */
  durationToleranceFrames?: number;
  /** Seconds covered that are expected beyond frames × frameSeconds (a container's own shift). */
  durationExtraSeconds?: number;
}

export interface MediaExpectation {
  video?: StreamExpectation;
  audio?: StreamExpectation;
}

/** The measured facts of a media file, for assertions and for failure messages. */
export interface Judged {
  probe: ProbeResult;
  packets: ProbePacket[];
  /** Per kind: frames decoded, duration used for the check, DTS violations. */
  streams: Partial<Record<'video' | 'audio', { index: number; frames: number; duration: number; dtsBad: string[] }>>;
  decodeErrors: string;
}

/**
 * ffprobe's verdict on a media file: stream count and codecs, decoded frame
 * counts, durations within a frame of frames ÷ rate, strictly increasing DTS
 * in every stream, and a silent full decode.
 *
 * The duration of a stream is ffprobe's stream duration when the container
 * states one, else the span its packets cover.
 */
export function expectMedia(path: string, want: MediaExpectation): Judged {
  const pr = probe(path);
  const pk = packets(path);
  const kinds = (['video', 'audio'] as const).filter((k) => want[k] !== undefined);
  expect(pr.streams.map((s) => s.codec_type).sort(), `stream kinds of ${path}`).toEqual([...kinds].sort());
  const judged: Judged = { probe: pr, packets: pk, streams: {}, decodeErrors: '' };
  for (const kind of kinds) {
    const w = want[kind]!;
    const s = pr.streams.find((x) => x.codec_type === kind)!;
    expect(s.codec_name, `${kind} codec of ${path}`).toBe(w.codec);
    const frames = Number(s.nb_read_frames);
    const stated = s.duration !== undefined && s.duration !== 'N/A' ? Number(s.duration) : undefined;
    const duration = stated ?? packetSpan(pk, s.index, s.time_base);
    const dtsBad = dtsViolations(pk, s.index);
    judged.streams[kind] = { index: s.index, frames, duration, dtsBad };
    expect(frames, `${kind} frames decoded from ${path}`).toBe(w.frames);
    const nominal = w.frames * w.frameSeconds + (w.durationExtraSeconds ?? 0);
    const tol = (w.durationToleranceFrames ?? 1) * w.frameSeconds + 1e-6;
    expect(Math.abs(duration - nominal), `${kind} duration ${duration}s of ${path} vs ${nominal}s`).toBeLessThanOrEqual(tol);
    expect(dtsBad, `${kind} DTS strictly increasing in ${path}`).toEqual([]);
    expect(pk.some((p) => p.stream_index === s.index && p.dts !== undefined) || kind === 'video', `${kind} packets carry DTS in ${path}`).toBe(true);
  }
  judged.decodeErrors = decodeErrors(path);
  expect(judged.decodeErrors, `ffmpeg -v error decode of ${path}`).toBe('');
  return judged;
}

/** Top-level ISO BMFF boxes of a file: type, offset and size, in file order. */
export function topLevelBoxes(path: string): Array<{ type: string; offset: number; size: number }> {
  const total = statSync(path).size;
  const fd = openSync(path, 'r');
  const boxes: Array<{ type: string; offset: number; size: number }> = [];
  try {
    const head = Buffer.alloc(16);
    let off = 0;
    while (off + 8 <= total) {
      readSync(fd, head, 0, 16, off);
      let size = head.readUInt32BE(0);
      const type = head.toString('latin1', 4, 8);
      if (size === 1) size = Number(head.readBigUInt64BE(8));
      else if (size === 0) size = total - off;
      if (size < 8) throw new Error(`bad box size ${size} at ${off} in ${path}`);
      boxes.push({ type, offset: off, size });
      off += size;
    }
  } finally {
    closeSync(fd);
  }
  return boxes;
}

/** AAC packets FFmpeg's encoder gives for `samples` input samples: one priming frame (1024 samples of padding) plus the input, in 1024-sample frames. */
export function aacPackets(samples: number): number {
  return Math.ceil((samples + 1024) / 1024);
}

/** Opus packets libopus gives for `samples` at 48 kHz in 20 ms frames, with its 312-sample pre-skip. */
export function opusPackets(samples: number): number {
  return Math.ceil((samples + 312) / 960);
}
