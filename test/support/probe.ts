/**
 * ffprobe and ffmpeg as the judge of outputs, for every suite: streams with
 * their decoded frame and packet counts, every packet's timestamps, strictly
 * increasing DTS per stream, the span a stream's packets cover, and a full
 * decode at `-v error` that must print nothing.
 */
import { spawnSync } from 'node:child_process';

/** One stream as `ffprobe -show_streams -count_frames -count_packets` reports it (the fields the tests use). */
export interface ProbeStream {
  index: number;
  codec_type: string;
  codec_name: string;
  time_base: string;
  start_time?: string;
  duration?: string;
  nb_read_frames?: string;
  nb_read_packets?: string;
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

/** One packet of `ffprobe -show_packets`, timestamps in its stream's time base (absent when N/A). */
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

/** Streams and format, with every frame decoded and every packet counted. */
export function probe(path: string): ProbeResult {
  return ffprobeJson(path, ['-count_frames', '-count_packets', '-show_streams', '-show_format']) as ProbeResult;
}

/** Every packet of every stream, in file order. */
export function probePackets(path: string): ProbePacket[] {
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

/** What `ffmpeg -v error -i OUT -f null -` prints (plus its exit status when not 0): empty for a good file. */
export function decodeErrors(path: string): string {
  const r = run('ffmpeg', ['-nostdin', '-v', 'error', '-i', path, '-f', 'null', '-']);
  return r.stderr + (r.status === 0 ? '' : `\n(exit status ${String(r.status)})`);
}

/** Frames of each kind the ffmpeg command line's own decode of a file keeps (`-f framecrc`, one line per frame). */
export function ffmpegFrameCounts(path: string): { video: number; audio: number } {
  const count = (map: string): number => run('ffmpeg', ['-nostdin', '-v', 'quiet', '-i', path, '-map', map, '-f', 'framecrc', '-'])
    .stdout.split('\n').filter((l) => l.length > 0 && !l.startsWith('#')).length;
  return { video: count('0:v'), audio: count('0:a') };
}

/** `num/den` → seconds per tick. */
export function tbSeconds(tb: string): number {
  const [n, d] = tb.split('/').map(Number);
  if (!n || !d) throw new Error(`bad time base ${tb}`);
  return n / d;
}

/**
 * Places where a stream's DTS does not strictly increase (`[]` when it always does):
 * `"i: prev → dts"`. With `requireDts`, a packet without a DTS is one too.
 */
export function dtsViolations(pkts: readonly ProbePacket[], stream: number, opts: { requireDts?: boolean } = {}): string[] {
  const bad: string[] = [];
  let prev: number | undefined;
  let i = 0;
  for (const p of pkts) {
    if (p.stream_index !== stream) continue;
    if (p.dts === undefined) {
      if (opts.requireDts) bad.push(`${i}: no dts`);
    } else {
      if (prev !== undefined && p.dts <= prev) bad.push(`${i}: ${prev} → ${p.dts}`);
      prev = p.dts;
    }
    i++;
  }
  return bad;
}

/**
 * Seconds a stream covers, from its packets: the latest `pts + duration` minus the earliest
 * `pts` (a packet without a duration counts `nominalTicks`).
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
  return lo === Infinity ? 0 : (hi - lo) * tbSeconds(tb);
}

/** A stream's duration as ffprobe states it, else the span its packets cover. */
export function streamSeconds(s: ProbeStream, pkts: readonly ProbePacket[]): number {
  const stated = s.duration !== undefined && s.duration !== 'N/A' ? Number(s.duration) : undefined;
  return stated ?? packetSpan(pkts, s.index, s.time_base);
}
