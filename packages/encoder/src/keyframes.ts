/**
 * When a video encoder must make a keyframe: the union of every request it was
 * given (its own `forceKeyframes` option, and what muxers downstream asked for
 * through the descriptor's `upstream`), in the stream's own time from its first
 * frame, as ffmpeg's `-force_key_frames` counts it. Times are compared in whole
 * microseconds, so a boundary that a frame's time reaches exactly (frame 50 of
 * a 25 fps stream at 2 s) is not missed by a rounding error.
 */
import { ConfigError, type KeyframeRequest, type Rational } from '@beamflow/core';

interface Every {
  step: bigint;
  next: bigint;
}

export class KeyframeSchedule {
  readonly #every: Every[] = [];
  #at: bigint[] = [];
  #first: bigint | undefined;
  /** Time of the latest frame judged, in microseconds from the first. */
  #last = -1n;

  /** Adds a request (validated by the caller); boundaries already passed are not made up for. */
  add(req: KeyframeRequest): void {
    if (req.every !== undefined) {
      const step = micros(req.every);
      if (!this.#every.some((e) => e.step === step)) this.#every.push({ step, next: this.#nextMultiple(step) });
    }
    if (req.at?.length) {
      const times = new Set([...this.#at, ...req.at.map(micros).filter((t) => t > this.#last)]);
      this.#at = [...times].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    }
  }

  get empty(): boolean {
    return this.#every.length === 0 && this.#at.length === 0;
  }

  /** Whether the frame at `pts` (in `timeBase`) must be a keyframe; advances past it. Called for every frame. */
  due(pts: bigint, timeBase: Rational): boolean {
    // Counted from the stream's first frame, also when the first request arrives later.
    this.#first ??= pts;
    const t = ((pts - this.#first) * BigInt(timeBase.num) * 1_000_000n) / BigInt(timeBase.den);
    this.#last = t;
    if (this.empty) return false;
    let force = false;
    for (const e of this.#every) {
      if (t >= e.next) {
        force = true;
        e.next = this.#nextMultiple(e.step);
      }
    }
    while (this.#at.length > 0 && t >= this.#at[0]!) {
      force = true;
      this.#at.shift();
    }
    return force;
  }

  /** The first multiple of `step` after the latest frame (`step` itself before any frame). */
  #nextMultiple(step: bigint): bigint {
    return this.#last < 0n ? step : (this.#last / step + 1n) * step;
  }
}

const micros = (seconds: number): bigint => BigInt(Math.round(seconds * 1_000_000));

/** A request is a ConfigError unless `every` is a positive number of seconds and `at` non-negative times. */
export function checkRequest(req: KeyframeRequest, field: string): void {
  if (typeof req !== 'object' || req === null || (req.every === undefined && req.at === undefined)) {
    throw new ConfigError(field, 'must be { every: seconds } and/or { at: [seconds, …] }');
  }
  if (req.every !== undefined && (typeof req.every !== 'number' || !Number.isFinite(req.every) || req.every < 0.001)) {
    throw new ConfigError(`${field}.every`, `must be a number of seconds ≥ 0.001 (got ${String(req.every)})`);
  }
  if (req.at !== undefined && (!Array.isArray(req.at) || req.at.some((t) => typeof t !== 'number' || !Number.isFinite(t) || t < 0))) {
    throw new ConfigError(`${field}.at`, 'must be an array of times in seconds, each ≥ 0');
  }
}
