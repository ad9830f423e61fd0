/**
 * Running a media job: progress from the Encoder's stats, and Ctrl-C/SIGTERM.
 *
 * The first signal stops the source (see SourceGate): the encoders drain and
 * the muxers write their trailers, so the output plays; the process then
 * exits 130 (SIGINT) or 143 (SIGTERM). Draining is normally a fraction of a
 * second, but a stalled output (a network peer that stopped reading) could
 * hold it for ever, so after a grace period the pipeline is aborted too — a
 * Muxer writing a file still writes the trailer on that path. A second signal
 * exits at once.
 */
import type { Encoder, EncoderStats } from '@beamflow/encoder';
import type { Muxer } from '@beamflow/muxer';
import { EXIT } from './failures.js';
import type { ProgressReporter, ProgressSnapshot } from './progress.js';
import type { SourceGate } from './source-gate.js';

type StopSignal = 'SIGINT' | 'SIGTERM';

/** Milliseconds a stopped job may take to drain before it is aborted. */
const GRACE_MS = 10_000;

/** Signal handling for one command run: the first signal asks to stop, a second one exits. */
export class Interrupts {
  signal: StopSignal | undefined;
  readonly #handlers = new Map<StopSignal, () => void>();
  #stop: (() => void) | undefined;
  readonly #say: (line: string, signal: StopSignal) => void;

  constructor(say: (line: string, signal: StopSignal) => void) {
    this.#say = say;
  }

  install(): this {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      const handler = (): void => this.#received(sig);
      this.#handlers.set(sig, handler);
      process.on(sig, handler);
    }
    return this;
  }

  /** What the first signal does; called at once if a signal came before it was set. */
  onStop(fn: (() => void) | undefined): void {
    this.#stop = fn;
    if (fn && this.signal) fn();
  }

  /** The exit status an interrupted run ends with, if it was interrupted. */
  get exitCode(): number | undefined {
    return this.signal ? EXIT[this.signal] : undefined;
  }

  dispose(): void {
    for (const [sig, h] of this.#handlers) process.off(sig, h);
    this.#handlers.clear();
  }

  #received(sig: StopSignal): void {
    if (this.signal) {
      // The user asked twice: do not wait for trailers any more.
      process.exit(EXIT[sig]);
      return;
    }
    this.signal = sig;
    this.#say(`${sig}: stopping; finishing the output (again to quit at once)`, sig);
    this.#stop?.();
  }
}

/** One job: a gate at the head, the encoders and muxers it feeds, and the pipelines to run. */
export interface Job {
  gate: SourceGate;
  /** The first drives progress; all count towards bytes. */
  encoders: Encoder[];
  muxers: Muxer[];
  /** Start every pipeline of the job; resolve when all are done. */
  run(signal: AbortSignal): Promise<unknown>;
}

/** The snapshot a report shows, from the encoders' stats and the gate's frame count. */
export function snapshot(job: Pick<Job, 'gate' | 'encoders'>, stats?: EncoderStats): ProgressSnapshot {
  const s = stats ?? job.encoders[0]!.stats();
  const frames = job.gate.videoFrames;
  const bytes = job.encoders.reduce((n, e) => n + e.stats().bytesOut, 0);
  const time = s.time;
  return {
    frames,
    fps: s.elapsed > 0 ? frames / s.elapsed : 0,
    speed: s.elapsed > 0 ? time / s.elapsed : 0,
    time,
    duration: s.duration ?? job.gate.info.duration,
    bytes,
    elapsed: s.elapsed,
  };
}

/**
 * Run a job to its end or to an interrupt. Resolves with the final snapshot;
 * rejects with the pipeline's error unless a signal stopped the job.
 */
export async function runJob(job: Job, progress: ProgressReporter, interrupts: Interrupts): Promise<ProgressSnapshot> {
  const abort = new AbortController();
  let grace: NodeJS.Timeout | undefined;
  interrupts.onStop(() => {
    job.gate.stop();
    grace = setTimeout(() => abort.abort(), GRACE_MS);
    grace.unref();
  });
  const lead = job.encoders[0]!;
  const onStats = (s: EncoderStats): void => progress.update(snapshot(job, s));
  lead.on('stats', onStats);
  try {
    await job.run(abort.signal);
  } catch (err) {
    if (!interrupts.signal) throw err;
  } finally {
    interrupts.onStop(undefined);
    clearTimeout(grace);
    lead.off('stats', onStats);
    // An aborted Muxer writes its trailer while it is being destroyed; 'close' follows.
    await Promise.all(job.muxers.map((m) => (m.destroyed && !m.closed ? new Promise((resolve) => m.once('close', resolve)) : undefined)));
  }
  const last = snapshot(job);
  progress.finish(last);
  return last;
}
