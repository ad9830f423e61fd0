/**
 * What every processor gets besides its job: the storage root as this worker
 * mounts it, the shared Redis connection, the worker-wide defaults, and the
 * cancellation of a flow.
 *
 * Cancellation: the coordinator sets a key per flow (`cancelKey`) before it
 * removes the flow's jobs. A processor in flight polls it (every 500 ms; a
 * poll that cannot reach Redis counts as "not cancelled", so a Redis restart
 * does not abort work) and aborts its pipeline when it appears; BullMQ's own
 * signal (`worker.cancelJob`) aborts it too. An aborted processor removes
 * what it was writing and fails without retries.
 */
import type { Redis } from 'ioredis';
import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import { AbortError } from '@beamflow/core';

/** Per-worker state the processors share. */
export interface ProcessorContext {
  /** The storage root, absolute and symlink-free, as this worker mounts it. */
  storage: string;
  redis: Redis;
  /** BullMQ's key prefix and the queue's name (for the cancel keys). */
  prefix: string;
  queue: string;
  /** x264 and decoder threads when the job does not say (0: automatic). */
  threads: number | undefined;
  /** Milliseconds between progress updates. */
  progressInterval: number;
}

/** The Redis key that marks a flow cancelled. */
export function cancelKey(prefix: string, queue: string, flow: string): string {
  return `${prefix}:${queue}:beamflow-cancel:${flow}`;
}

/** Whether the flow is marked cancelled now (a Redis that cannot answer counts as "no", as in {@link cancellation}). */
export function flowCancelled(ctx: ProcessorContext, flow: string): Promise<boolean> {
  return ctx.redis.exists(cancelKey(ctx.prefix, ctx.queue, flow)).then((n) => n > 0, () => false);
}

/** An AbortSignal that fires when the flow is cancelled or BullMQ cancels the job; `stop()` ends the polling. */
export function cancellation(ctx: ProcessorContext, flow: string, bull: AbortSignal | undefined): { signal: AbortSignal; stop(): void; cancelled(): boolean } {
  const ac = new AbortController();
  let polling = false;
  const poll = (): void => {
    if (polling || ac.signal.aborted) return;
    polling = true;
    flowCancelled(ctx, flow).then((yes) => {
      if (yes) ac.abort(new AbortError(`flow ${flow} was cancelled`));
    }).finally(() => {
      polling = false;
    });
  };
  const timer = setInterval(poll, 500);
  timer.unref();
  poll();
  const onBull = (): void => ac.abort(new AbortError(`job cancelled: ${String(bull?.reason ?? 'cancelled')}`));
  if (bull?.aborted) onBull();
  else bull?.addEventListener('abort', onBull, { once: true });
  return {
    signal: ac.signal,
    stop: () => {
      clearInterval(timer);
      bull?.removeEventListener('abort', onBull);
    },
    cancelled: () => ac.signal.aborted,
  };
}

/** The failure of a cancelled job: never retried. */
export function cancelledFailure(job: Job): UnrecoverableError {
  return new UnrecoverableError(`BEAMFLOW_ABORTED: ${job.name} ${job.id ?? ''} cancelled`);
}

/** Report progress without waiting for Redis (a pipeline must not stall on a slow or restarting Redis). */
export function reportProgress(job: Job, progress: object): void {
  job.updateProgress(progress).catch(() => undefined);
}
