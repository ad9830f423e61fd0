/**
 * Where an input may be cut: its keyframe index, and segments of about the
 * asked length that begin at keyframes.
 *
 * Protocol
 * - `readKeyframeIndex(path)` reads the input's video packets once, without
 *   decoding (`demuxFile`, timestamps from zero as every beamflow source
 *   counts them): the presentation time of every frame and of every keyframe,
 *   in the video stream's time base.
 * - `cutSegments(index, seconds)` walks the keyframes and starts a new
 *   segment at the first keyframe at least `seconds` after the current
 *   segment's start. A segment is `[start, end)` in seconds of the input,
 *   exactly its first keyframe's time (what `decodeFile`'s `start`/`end` take;
 *   frames from `start` on, frames before `end`), the first from 0 and the
 *   last to the end. Its frame count is the index's, which the worker checks
 *   against what it decoded: a segment that lost or gained a frame at a join
 *   fails loudly instead of stitching a glitch.
 * - Cutting at the input's keyframes means a segment's decode starts at its
 *   own first frame (no decoding of frames that another segment shows), and
 *   the encoded segment starts with a keyframe of its own: each segment is a
 *   separate encode, so its GOPs are closed by construction.
 */
import { ConfigError, InputError, NOPTS, demuxFile, type Rational } from '@beamflow/core';
import type { SegmentPlan } from './job-data.js';

/** The presentation times of an input's video frames and keyframes. */
export interface KeyframeIndex {
  /** The video stream's time base. */
  timeBase: Rational;
  /** Presentation time of every frame, ascending. */
  frames: bigint[];
  /** Presentation time of every keyframe, ascending. */
  keyframes: bigint[];
  /** Frames per second, nominal (for progress and estimates). */
  frameRate: number | undefined;
  /** Whether the input has an audio stream. */
  hasAudio: boolean;
  /** Video width and height as coded. */
  width: number | undefined;
  height: number | undefined;
}

/** Read the keyframe index of a file's first video stream (packets only, no decoding). */
export async function readKeyframeIndex(path: string): Promise<KeyframeIndex> {
  const frames: bigint[] = [];
  const keyframes: bigint[] = [];
  let timeBase: Rational | undefined;
  let frameRate: number | undefined;
  let width: number | undefined;
  let height: number | undefined;
  let hasAudio = false;
  // The default selection (first video, first audio when there is one): audio only to learn
  // whether there is one; its packets are skipped.
  for await (const e of demuxFile(path)) {
    if (e.type === 'stream') {
      if (e.kind === 'audio') hasAudio = true;
      if (e.kind === 'video') {
        timeBase = e.timeBase;
        frameRate = e.frameRate ? e.frameRate.num / e.frameRate.den : undefined;
        width = e.codecpar.width;
        height = e.codecpar.height;
      }
      continue;
    }
    if (e.type !== 'packet' || e.kind !== 'video') continue;
    const p = e.packet;
    const t = p.pts ?? p.dts;
    if (t === null || t === undefined || BigInt(t) === NOPTS) {
      throw new InputError(path, 'has video packets without timestamps; a segmented transcode needs them (remux it to MP4 or Matroska first)');
    }
    const pts = BigInt(t);
    frames.push(pts);
    if (p.flags.KEY) keyframes.push(pts);
  }
  if (!timeBase) throw new InputError(path, 'has no video stream to cut into segments');
  if (frames.length === 0) throw new InputError(path, 'has no video frames');
  frames.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  keyframes.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { timeBase, frames, keyframes, frameRate, hasAudio, width, height };
}

/** Seconds of a timestamp in a time base (exact enough for decodeFile's microseconds). */
function seconds(ts: bigint, tb: Rational): number {
  return (Number(ts) * tb.num) / tb.den;
}

/** Number of sorted values in [lo, hi) (hi undefined: to the end). */
function countIn(sorted: readonly bigint[], lo: bigint | undefined, hi: bigint | undefined): number {
  const lower = (x: bigint): number => {
    let a = 0;
    let b = sorted.length;
    while (a < b) {
      const m = (a + b) >> 1;
      if (sorted[m]! < x) a = m + 1;
      else b = m;
    }
    return a;
  };
  return (hi === undefined ? sorted.length : lower(hi)) - (lo === undefined ? 0 : lower(lo));
}

/**
 * Segments of about `segmentSeconds`, each starting at a keyframe (the first at the input's
 * start). An input with keyframes sparser than `segmentSeconds` gets longer segments; one with a
 * single keyframe is one segment.
 */
export function cutSegments(index: KeyframeIndex, segmentSeconds: number): SegmentPlan[] {
  if (typeof segmentSeconds !== 'number' || !Number.isFinite(segmentSeconds) || segmentSeconds <= 0) {
    throw new ConfigError('segmentSeconds', `must be a number of seconds > 0 (got ${String(segmentSeconds)})`);
  }
  const tb = index.timeBase;
  const first = index.frames[0]!;
  // Half a frame of tolerance, so a keyframe every 2 s exactly is taken at 2 s despite rounding.
  const slack = index.frameRate ? 0.5 / index.frameRate : 0.001;
  const cuts: bigint[] = [];
  let from = seconds(first, tb);
  for (const k of index.keyframes) {
    if (k <= first) continue;
    const t = seconds(k, tb);
    if (t + slack >= from + segmentSeconds) {
      cuts.push(k);
      from = t;
    }
  }
  const bounds: Array<bigint | undefined> = [undefined, ...cuts, undefined];
  // The last frame lasts as long as the one before it (or a nominal frame).
  const n = index.frames.length;
  const lastFrame = index.frames[n - 1]!;
  const lastLength = n > 1 ? lastFrame - index.frames[n - 2]! : BigInt(Math.max(1, Math.round(tb.den / tb.num / (index.frameRate ?? 25))));
  const videoEnd = lastFrame + lastLength;
  const out: SegmentPlan[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const lo = bounds[i];
    const hi = bounds[i + 1];
    const firstPts = lo ?? first;
    out.push({
      index: i,
      start: lo === undefined ? 0 : seconds(lo, tb),
      end: hi === undefined ? null : seconds(hi, tb),
      frames: countIn(index.frames, lo, hi),
      firstPts: String(firstPts),
      duration: seconds((hi ?? videoEnd) - firstPts, tb),
    });
  }
  return out;
}
