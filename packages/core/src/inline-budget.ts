/**
 * Where a small native call runs: on the calling thread or on libuv's pool.
 *
 * A trip to the pool and back wakes a pool thread and then the main thread;
 * on the machines measured that costs 140–190 µs of main-thread CPU alone. A
 * call whose own work is about that size or less (an AAC frame's encode, an
 * audio conversion) is cheaper run where it is, as the ffmpeg command line
 * runs audio encodes on its main thread. Each call's own time (the
 * addon's `total_time`) feeds a moving average; while it stays under the
 * budget the next call runs inline, and once a codec or graph proves costlier
 * (a big picture, an exhaustive FLAC search) it goes to the pool, so one call
 * never holds the event loop for long. The first call runs inline: its cost is
 * not known yet, and one call is a bounded price for finding out.
 */

/** Calls averaging longer than this (µs) go to libuv's pool. */
export const INLINE_MAX_MICROS = 1000;

export class InlineBudget {
  #micros: number | undefined;

  constructor(private readonly max = INLINE_MAX_MICROS) {}

  /** Whether the next call should run on the calling thread. */
  get inline(): boolean {
    return (this.#micros ?? 0) <= this.max;
  }

  /** Records one call's own time (µs). */
  record(micros: number): void {
    if (!Number.isFinite(micros)) return;
    this.#micros = this.#micros === undefined ? micros : 0.9 * this.#micros + 0.1 * micros;
  }
}
