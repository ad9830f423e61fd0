/**
 * The error family. Every error beamflow throws or hands to a stream callback
 * is a {@link BeamflowError} with a stable `code`; subclasses carry the data a
 * program needs to react (the field that was wrong, the states of an illegal
 * transition, FFmpeg's AVERROR). Match on `code` or `isInstance`, never on
 * message text: messages are for people and may improve.
 *
 * `isInstance` works across duplicate installs of this package (two copies of
 * `@beamflow/core` in one process each have their own class objects) because
 * the brand is a registered symbol, not a class identity.
 */

const BRAND = Symbol.for('beamflow.error');

/** Stable codes of every beamflow error. */
export type BeamflowErrorCode =
  | 'BEAMFLOW_ERROR'
  | 'BEAMFLOW_CONFIG'
  | 'BEAMFLOW_STATE'
  | 'BEAMFLOW_FFMPEG'
  | 'BEAMFLOW_NATIVE_MISSING'
  | 'BEAMFLOW_INPUT'
  | 'BEAMFLOW_TIMESTAMP'
  | 'BEAMFLOW_DEVICE_UNAVAILABLE'
  | 'BEAMFLOW_ABORTED'
  | 'BEAMFLOW_OVERFLOW';

/**
 * Base class of every beamflow error.
 *
 * @example
 * ```ts
 * try { await pipeline(src, new Encoder(cfg), sink); }
 * catch (err) {
 *   if (BeamflowError.isInstance(err) && err.code === 'BEAMFLOW_CONFIG') usage(err.message);
 *   else throw err;
 * }
 * ```
 */
export class BeamflowError extends Error {
  readonly code: BeamflowErrorCode;
  readonly [BRAND] = true;

  constructor(code: BeamflowErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }

  /** True for any beamflow error, whichever copy of the package created it. */
  static isInstance(value: unknown): value is BeamflowError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** A configuration value is missing, out of range, or unknown. `field` is its path (`video.crf`). */
export class ConfigError extends BeamflowError {
  readonly field: string;
  /** What would have been accepted, when that is a short list. */
  readonly allowed: readonly string[] | undefined;

  constructor(field: string, message: string, allowed?: readonly string[]) {
    super('BEAMFLOW_CONFIG', `${field}: ${message}`);
    this.field = field;
    this.allowed = allowed;
  }
}

/** An operation asked a stage to move between states its transition table forbids. */
export class StateError extends BeamflowError {
  readonly from: string;
  readonly to: string;

  constructor(from: string, to: string, what = 'stage') {
    super('BEAMFLOW_STATE', `${what}: illegal transition from '${from}' to '${to}'`);
    this.from = from;
    this.to = to;
  }
}

/** FFmpeg refused an operation. `averror` is its negative error number when known. */
export class FFmpegError extends BeamflowError {
  readonly averror: number | undefined;
  /** The operation that failed: `'encode'`, `'open decoder'`, `'write header'`, ... */
  readonly op: string;

  constructor(op: string, message: string, averror?: number, options?: { cause?: unknown }) {
    super('BEAMFLOW_FFMPEG', `${op}: ${message}`, options);
    this.op = op;
    this.averror = averror;
  }
}

/** beamcoder's native addon or FFmpeg's shared libraries cannot be loaded. */
export class NativeLoadError extends BeamflowError {
  /**
   * What is wrong: the package is not installed, its addon was never built, FFmpeg's
   * libraries are missing, the addon is stale (built from other sources than its
   * package's), built against another FFmpeg than the one loaded, built for another
   * platform or Node, or not this fork at all.
   */
  readonly reason: NativeLoadReason;

  constructor(message: string, options?: { cause?: unknown; reason?: NativeLoadReason }) {
    super('BEAMFLOW_NATIVE_MISSING', message, options);
    this.reason = options?.reason ?? 'unloadable';
  }
}

/** Why the native addon could not be used. */
export type NativeLoadReason =
  | 'not-installed' | 'not-built' | 'libraries-missing' | 'stale' | 'ffmpeg-mismatch' | 'foreign-binary' | 'not-the-fork' | 'unloadable';

/** An input (a path, a URL, a frame) is missing, unreadable, or not what was declared. */
export class InputError extends BeamflowError {
  /** The path, URL or field the problem is about. */
  readonly input: string;

  constructor(input: string, message: string, options?: { cause?: unknown }) {
    super('BEAMFLOW_INPUT', `${input}: ${message}`, options);
    this.input = input;
  }
}

/** Timestamps that cannot be made valid under the chosen policy (DTS going backwards, say). */
export class TimestampError extends BeamflowError {
  readonly streamId: number;

  constructor(streamId: number, message: string) {
    super('BEAMFLOW_TIMESTAMP', `stream ${streamId}: ${message}`);
    this.streamId = streamId;
  }
}

/** A hardware device that was asked for cannot be used; `reasons` says why, candidate by candidate. */
export class DeviceUnavailableError extends BeamflowError {
  readonly kind: string;
  readonly reasons: readonly string[];

  constructor(kind: string, reasons: readonly string[]) {
    super('BEAMFLOW_DEVICE_UNAVAILABLE', `no usable ${kind} device: ${reasons.join('; ') || 'no candidate'}`);
    this.kind = kind;
    this.reasons = reasons;
  }
}

/** A bounded buffer in front of a source that cannot be paused (a hot Observable) filled up. */
export class OverflowError extends BeamflowError {
  /** Items the buffer holds at most. */
  readonly bound: number;

  constructor(bound: number, message: string) {
    super('BEAMFLOW_OVERFLOW', message);
    this.bound = bound;
  }
}

/** The operation was aborted (an AbortSignal fired, or the stage was destroyed). */
export class AbortError extends BeamflowError {
  constructor(message = 'the operation was aborted', options?: { cause?: unknown }) {
    super('BEAMFLOW_ABORTED', message, options);
  }
}

/**
 * beamcoder rejects with plain objects or Errors whose message holds FFmpeg's
 * text and sometimes a code; turn either into an {@link FFmpegError}.
 * @internal
 */
export function toFFmpegError(op: string, err: unknown): BeamflowError {
  if (BeamflowError.isInstance(err)) return err;
  let message: string;
  let averror: number | undefined;
  if (err instanceof Error) {
    message = err.message;
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'number') averror = code;
    else if (typeof code === 'string' && /^-?\d+$/.test(code)) averror = Number(code);
  } else {
    message = String(err);
  }
  const m = /error code (-?\d+)/i.exec(message) ?? /\((-?\d+)\)/.exec(message);
  if (averror === undefined && m?.[1]) averror = Number(m[1]);
  // beamcoder prefixes its own source location ("In file ../src/encode.cc on line 278, found
  // error: …"): it says nothing to a user, and the cause keeps it.
  message = message.replace(/^In file \S+ on line \d+, found error: /, '');
  return new FFmpegError(op, message, averror, { cause: err });
}

/** Closest names to `wanted` among `names` (edit distance), for "did you mean" lists. */
export function closestNames(wanted: string, names: Iterable<string>, max = 5): string[] {
  const w = wanted.toLowerCase();
  const scored: Array<[number, string]> = [];
  for (const n of names) {
    const l = n.toLowerCase();
    let d = editDistance(w, l);
    if (l.includes(w) || w.includes(l)) d = Math.min(d, 1);
    scored.push([d, n]);
  }
  scored.sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));
  const limit = Math.max(2, Math.ceil(w.length / 2));
  return scored.filter(([d]) => d <= limit).slice(0, max).map(([, n]) => n);
}

function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}
