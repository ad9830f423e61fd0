/**
 * What travels through Redis: the data of the three kinds of job in a
 * transcode flow, and its validation. The coordinator builds job data from
 * checked options; each worker checks it again before acting on it, because
 * anyone who can write to the queue can write job data.
 *
 * Protocol
 * - Job data is plain JSON: paths relative to the storage root, timestamps as
 *   decimal strings (bigint ticks of a stated time base), codec settings from
 *   a whitelist. No FFmpeg option passes through unchecked: an encoder's
 *   private options can name files (x264's `stats`), so there is no
 *   `options` bag here.
 * - Every check fails with a {@link ConfigError} whose `field` is the path of
 *   the bad value (`video.crf`, `data.segment.start`); a worker turns it into
 *   a failure without retries (bad data does not get better).
 * - `v` is the data's version: a worker refuses a version it does not know
 *   instead of guessing (a fleet is upgraded one worker at a time).
 */
import { ConfigError } from '@beamflow/core';

/** The version of the job data this package writes and reads. */
export const JOB_DATA_VERSION = 1;

/** The names of the jobs in a flow (one queue, named jobs). */
export const JOB_NAMES = ['video-segment', 'audio', 'stitch'] as const;
export type JobName = (typeof JOB_NAMES)[number];

const X264_PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'] as const;
const H264_PROFILES = ['baseline', 'main', 'high'] as const;
const AAC_RATES = [8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000, 88200, 96000] as const;

/** Video settings of a cluster transcode (H.264 through x264; a whitelist, checked on both sides). */
export interface ClusterVideoSettings {
  codec?: 'h264';
  /** x264 preset (default `'veryfast'`). */
  preset?: (typeof X264_PRESETS)[number];
  /** Constant quality 0–51 (default 23). */
  crf?: number;
  /** Bits per second (a cap with `crf`). */
  bitRate?: number;
  profile?: (typeof H264_PROFILES)[number];
  /** x264's `-bf`. */
  maxBFrames?: number;
  /**
   * x264's macroblock-tree rate control (its default: on). `false` makes a segment's bytes
   * depend on nothing but its input and settings: with mb-tree and B-frames, Debian 12's
   * libx264 (0.164) reads 4 bytes past one of its own buffers, so a segment encoded again (a
   * retry after a crash) can differ in bytes from the first encode, though never in frames or
   * timing. Off costs some compression at the same `crf`.
   */
  mbtree?: boolean;
  /** Keyframe interval inside a segment, in frames (each segment starts with one anyway). */
  gopSize?: number;
  /** x264 threads per segment encode (0: automatic). One per worker suits a worker per core. */
  threads?: number;
  /** Output size (even numbers); default the input's (made even). */
  width?: number;
  height?: number;
}

/** Audio settings of a cluster transcode (AAC). */
export interface ClusterAudioSettings {
  codec?: 'aac';
  /** Bits per second (default 128 000). */
  bitRate?: number;
  sampleRate?: number;
  channels?: number;
}

/** One rendition of an HLS ladder: its own size and rate, the rest from `video`. */
export interface LadderRung {
  /** Directory and playlist name of the rendition (`720p`); default from the height. */
  name?: string;
  width?: number;
  height: number;
  crf?: number;
  bitRate?: number;
  preset?: ClusterVideoSettings['preset'];
}

/** A segment of the input, as the coordinator cut it. */
export interface SegmentPlan {
  index: number;
  /** Seconds of the input (as `decodeFile`'s `start`); 0 for the first. */
  start: number;
  /** Seconds of the input (exclusive); null for the last, which runs to the end. */
  end: number | null;
  /** Video frames in [start, end) by the input's index. */
  frames: number;
  /** Presentation time of the segment's first frame, in ticks of the flow's time base (decimal). */
  firstPts: string;
  /** Seconds it lasts: to the next segment's first frame, or past the last frame by one frame. */
  duration: number;
}

interface FlowData {
  v: typeof JOB_DATA_VERSION;
  /** The flow's id (also the parent job's id). */
  flow: string;
  /** The input, relative to the storage root. */
  input: string;
  /** The flow's work directory, relative to the storage root. */
  work: string;
}

/** Data of a `video-segment` job: encode one segment of one rendition. */
export interface VideoSegmentData extends FlowData {
  segment: SegmentPlan;
  /** The time base of `firstPts` (the input video stream's). */
  timeBase: [number, number];
  rung: number;
  video: ClusterVideoSettings;
  /** The segment file's container: MP4 pieces for an MP4 output, MPEG-TS segments for HLS. */
  container: 'mp4' | 'mpegts';
  /** HLS: seconds added to every timestamp (so nothing is negative; the same for every piece). */
  shift: number;
}

/** Data of the `audio` job: the whole input's audio, encoded once. */
export interface AudioData extends FlowData {
  audio: ClusterAudioSettings;
  container: 'mp4' | 'hls';
  /** HLS: the audio rendition's segment length. */
  segmentSeconds: number;
  shift: number;
}

/** Data of the parent `stitch` job. */
export interface StitchData extends FlowData {
  format: 'mp4' | 'hls';
  /** The output, relative to the storage root: an MP4 file, or the HLS directory. */
  output: string;
  segments: SegmentPlan[];
  timeBase: [number, number];
  rungs: Array<{ name: string; width: number | null; height: number | null; bitRate: number | null }>;
  audio: boolean;
  shift: number;
}

type Obj = Record<string, unknown>;

function object(field: string, v: unknown): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(field, 'must be an object');
  return v as Obj;
}

function onlyKeys(field: string, o: Obj, allowed: readonly string[]): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new ConfigError(field ? `${field}.${k}` : k, `is not a setting here; allowed: ${allowed.join(', ')}`, allowed);
  }
}

function int(field: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ConfigError(field, `must be an integer from ${min} to ${max} (got ${JSON.stringify(v)})`);
  return v;
}

function num(field: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw new ConfigError(field, `must be a number from ${min} to ${max} (got ${JSON.stringify(v)})`);
  return v;
}

function bool(field: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new ConfigError(field, `must be true or false (got ${JSON.stringify(v)})`);
  return v;
}

function choice<T extends string>(field: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw new ConfigError(field, `must be one of ${allowed.join(', ')} (got ${JSON.stringify(v)})`, allowed);
  return v as T;
}

function even(field: string, v: unknown): number {
  const n = int(field, v, 16, 8192);
  if (n % 2 !== 0) throw new ConfigError(field, `must be even (4:2:0 chroma), got ${n}`);
  return n;
}

function str(field: string, v: unknown, re: RegExp, what: string): string {
  if (typeof v !== 'string' || !re.test(v)) throw new ConfigError(field, `must be ${what} (got ${JSON.stringify(v)})`);
  return v;
}

/** Checked video settings (defaults not filled in). */
export function checkVideoSettings(v: unknown, field = 'video'): ClusterVideoSettings {
  const o = object(field, v ?? {});
  onlyKeys(field, o, ['codec', 'preset', 'crf', 'bitRate', 'profile', 'maxBFrames', 'mbtree', 'gopSize', 'threads', 'width', 'height']);
  const out: ClusterVideoSettings = {};
  if (o.codec !== undefined) out.codec = choice(`${field}.codec`, o.codec, ['h264'] as const);
  if (o.preset !== undefined) out.preset = choice(`${field}.preset`, o.preset, X264_PRESETS);
  if (o.crf !== undefined) out.crf = num(`${field}.crf`, o.crf, 0, 51);
  if (o.bitRate !== undefined) out.bitRate = int(`${field}.bitRate`, o.bitRate, 10_000, 1_000_000_000);
  if (o.profile !== undefined) out.profile = choice(`${field}.profile`, o.profile, H264_PROFILES);
  if (o.maxBFrames !== undefined) out.maxBFrames = int(`${field}.maxBFrames`, o.maxBFrames, 0, 16);
  if (o.mbtree !== undefined) out.mbtree = bool(`${field}.mbtree`, o.mbtree);
  if (o.gopSize !== undefined) out.gopSize = int(`${field}.gopSize`, o.gopSize, 1, 10_000);
  if (o.threads !== undefined) out.threads = int(`${field}.threads`, o.threads, 0, 64);
  if (o.width !== undefined) out.width = even(`${field}.width`, o.width);
  if (o.height !== undefined) out.height = even(`${field}.height`, o.height);
  return out;
}

/** Checked audio settings. */
export function checkAudioSettings(v: unknown, field = 'audio'): ClusterAudioSettings {
  const o = object(field, v ?? {});
  onlyKeys(field, o, ['codec', 'bitRate', 'sampleRate', 'channels']);
  const out: ClusterAudioSettings = {};
  if (o.codec !== undefined) out.codec = choice(`${field}.codec`, o.codec, ['aac'] as const);
  if (o.bitRate !== undefined) out.bitRate = int(`${field}.bitRate`, o.bitRate, 8_000, 512_000);
  if (o.sampleRate !== undefined) {
    if (!(AAC_RATES as readonly unknown[]).includes(o.sampleRate)) throw new ConfigError(`${field}.sampleRate`, `must be one of ${AAC_RATES.join(', ')}`, AAC_RATES.map(String));
    out.sampleRate = o.sampleRate as number;
  }
  if (o.channels !== undefined) out.channels = int(`${field}.channels`, o.channels, 1, 8);
  return out;
}

/** Checked ladder rungs, with their names filled in and unique. */
export function checkLadder(v: unknown, field = 'ladder'): Array<LadderRung & { name: string }> {
  if (!Array.isArray(v) || v.length === 0 || v.length > 16) throw new ConfigError(field, 'must be a list of 1 to 16 rungs');
  const names = new Set<string>();
  return v.map((r, i) => {
    const f = `${field}[${i}]`;
    const o = object(f, r);
    onlyKeys(f, o, ['name', 'width', 'height', 'crf', 'bitRate', 'preset']);
    const height = even(`${f}.height`, o.height);
    const rung: LadderRung & { name: string } = {
      name: o.name === undefined ? `${height}p` : str(`${f}.name`, o.name, /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, 'a plain name (letters, digits, - and _)'),
      height,
    };
    if (o.width !== undefined) rung.width = even(`${f}.width`, o.width);
    if (o.crf !== undefined) rung.crf = num(`${f}.crf`, o.crf, 0, 51);
    if (o.bitRate !== undefined) rung.bitRate = int(`${f}.bitRate`, o.bitRate, 10_000, 1_000_000_000);
    if (o.preset !== undefined) rung.preset = choice(`${f}.preset`, o.preset, X264_PRESETS);
    if (names.has(rung.name)) throw new ConfigError(`${f}.name`, `${rung.name} names two rungs`);
    names.add(rung.name);
    return rung;
  });
}

const FLOW_ID = /^tx-[0-9a-f]{32}$/;
const TICKS = /^-?\d{1,20}$/;

function checkFlow(field: string, o: Obj): FlowData {
  if (o.v !== JOB_DATA_VERSION) throw new ConfigError(`${field}.v`, `job data version ${JSON.stringify(o.v)} is not one this worker reads (${JOB_DATA_VERSION})`);
  return {
    v: JOB_DATA_VERSION,
    flow: str(`${field}.flow`, o.flow, FLOW_ID, 'a flow id (tx- and 32 hex digits)'),
    input: str(`${field}.input`, o.input, /^[^\0]{1,4096}$/, 'a relative path'),
    work: str(`${field}.work`, o.work, /^\.beamflow\/tx-[0-9a-f]{32}$/, "the flow's work directory"),
  };
}

function checkTimeBase(field: string, v: unknown): [number, number] {
  if (!Array.isArray(v) || v.length !== 2) throw new ConfigError(field, 'must be [num, den]');
  return [int(`${field}[0]`, v[0], 1, 2 ** 31 - 1), int(`${field}[1]`, v[1], 1, 2 ** 31 - 1)];
}

function checkSegment(field: string, v: unknown): SegmentPlan {
  const o = object(field, v);
  onlyKeys(field, o, ['index', 'start', 'end', 'frames', 'firstPts', 'duration']);
  const start = num(`${field}.start`, o.start, 0, 1e9);
  const end = o.end === null ? null : num(`${field}.end`, o.end, 0, 1e9);
  if (end !== null && end <= start) throw new ConfigError(`${field}.end`, `must be after start (${start})`);
  return {
    index: int(`${field}.index`, o.index, 0, 1_000_000),
    start, end,
    frames: int(`${field}.frames`, o.frames, 1, 1e9),
    firstPts: str(`${field}.firstPts`, o.firstPts, TICKS, 'a decimal timestamp'),
    duration: num(`${field}.duration`, o.duration, 0, 1e9),
  };
}

/** Checks the data of a `video-segment` job. */
export function checkVideoSegmentData(data: unknown): VideoSegmentData {
  const f = 'data';
  const o = object(f, data);
  onlyKeys(f, o, ['v', 'flow', 'input', 'work', 'segment', 'timeBase', 'rung', 'video', 'container', 'shift']);
  return {
    ...checkFlow(f, o),
    segment: checkSegment(`${f}.segment`, o.segment),
    timeBase: checkTimeBase(`${f}.timeBase`, o.timeBase),
    rung: int(`${f}.rung`, o.rung, 0, 15),
    video: checkVideoSettings(o.video, `${f}.video`),
    container: choice(`${f}.container`, o.container, ['mp4', 'mpegts'] as const),
    shift: num(`${f}.shift`, o.shift, 0, 100),
  };
}

/** Checks the data of the `audio` job. */
export function checkAudioData(data: unknown): AudioData {
  const f = 'data';
  const o = object(f, data);
  onlyKeys(f, o, ['v', 'flow', 'input', 'work', 'audio', 'container', 'segmentSeconds', 'shift']);
  return {
    ...checkFlow(f, o),
    audio: checkAudioSettings(o.audio, `${f}.audio`),
    container: choice(`${f}.container`, o.container, ['mp4', 'hls'] as const),
    segmentSeconds: num(`${f}.segmentSeconds`, o.segmentSeconds, 0.1, 3600),
    shift: num(`${f}.shift`, o.shift, 0, 100),
  };
}

/** Checks the data of the parent `stitch` job. */
export function checkStitchData(data: unknown): StitchData {
  const f = 'data';
  const o = object(f, data);
  onlyKeys(f, o, ['v', 'flow', 'input', 'work', 'format', 'output', 'segments', 'timeBase', 'rungs', 'audio', 'shift']);
  if (!Array.isArray(o.segments) || o.segments.length === 0 || o.segments.length > 1_000_000) throw new ConfigError(`${f}.segments`, 'must be a non-empty list');
  const segments = o.segments.map((s, i) => checkSegment(`${f}.segments[${i}]`, s));
  segments.forEach((s, i) => {
    if (s.index !== i) throw new ConfigError(`${f}.segments[${i}].index`, `must be ${i}`);
  });
  if (!Array.isArray(o.rungs) || o.rungs.length === 0 || o.rungs.length > 16) throw new ConfigError(`${f}.rungs`, 'must list 1 to 16 renditions');
  const rungs = o.rungs.map((r, i) => {
    const rf = `${f}.rungs[${i}]`;
    const ro = object(rf, r);
    onlyKeys(rf, ro, ['name', 'width', 'height', 'bitRate']);
    return {
      name: str(`${rf}.name`, ro.name, /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, 'a plain name'),
      width: ro.width === null ? null : even(`${rf}.width`, ro.width),
      height: ro.height === null ? null : even(`${rf}.height`, ro.height),
      bitRate: ro.bitRate === null ? null : int(`${rf}.bitRate`, ro.bitRate, 1, 1e10),
    };
  });
  if (typeof o.audio !== 'boolean') throw new ConfigError(`${f}.audio`, 'must be true or false');
  return {
    ...checkFlow(f, o),
    format: choice(`${f}.format`, o.format, ['mp4', 'hls'] as const),
    output: str(`${f}.output`, o.output, /^[^\0]{1,4096}$/, 'a relative path'),
    segments,
    timeBase: checkTimeBase(`${f}.timeBase`, o.timeBase),
    rungs,
    audio: o.audio,
    shift: num(`${f}.shift`, o.shift, 0, 100),
  };
}
