/**
 * The worker: a BullMQ Worker on the flow queue, running the three
 * processors (one queue, named jobs; each processor in its own file under
 * processors/) in this process.
 *
 * Protocol
 * - start: the storage root is checked (it must exist here: a worker with
 *   the storage not mounted refuses to start instead of failing every job),
 *   one Redis connection is opened (or the caller's reused) and the Worker
 *   starts fetching. `concurrency` jobs run at once; each holds a few of
 *   libuv's pool threads while its native calls run (see DESIGN).
 * - a job: dispatched by name; its result is the job's return value. A
 *   failure is recorded as `CODE: message` (errors.ts); bad job data
 *   (a ConfigError) and cancellation fail at once, without the retries the
 *   job's `attempts` allow for anything else.
 * - locks: BullMQ renews a job's lock every `lockDuration / 2` while the
 *   processor runs (the encode's native calls run on libuv's pool, so the
 *   event loop is free to renew). A worker that dies (SIGKILL, a lost
 *   machine) stops renewing; once its lock expires, the stalled-job check of
 *   any worker (every `stalledInterval`) moves the job back to waiting and
 *   another worker takes it.
 * - Redis unreachable: ioredis reconnects (backoff up to 2 s) and commands
 *   wait for it (`maxRetriesPerRequest: null`); an encode in flight goes on,
 *   and its completion is recorded once Redis answers again.
 * - close(): no new job is taken, the jobs in flight finish (as BullMQ's
 *   guides advise on SIGTERM), then the connections close. `close(true)`
 *   (a second SIGTERM) stops at once: jobs in flight are abandoned to the
 *   stalled-job check, which hands them to another worker.
 */
import { Worker, UnrecoverableError, type Job } from 'bullmq';
import { BeamflowError, ConfigError } from '@beamflow/core';
import { closeConnection, fatalConnectionError, labelOf, openConnection, whenReady, type RedisConnectionInput, type RedisTlsOptions } from './connection.js';
import { formatReason } from './errors.js';
import { storageRoot } from './storage.js';
import type { ProcessorContext } from './processors/context.js';
import { processVideoSegment } from './processors/video-segment.js';
import { processAudio } from './processors/audio.js';
import { processStitch } from './processors/stitch.js';

/** The queue a flow's jobs go to unless told otherwise. */
export const DEFAULT_QUEUE = 'beamflow-transcode';
/** BullMQ's default key prefix. */
export const DEFAULT_PREFIX = 'bull';

/** Options of {@link startWorker}. */
export interface ClusterWorkerOptions {
  /** Redis: a `redis://` / `rediss://` URL (password and TLS allowed), ioredis options or an instance. */
  connection: RedisConnectionInput;
  /** TLS details a URL cannot carry (a private CA). */
  tls?: RedisTlsOptions;
  /** The shared storage directory, as this machine mounts it. */
  storage: string;
  /** Jobs at once (default 1: one encode per worker process). */
  concurrency?: number;
  /** Queue name (default `'beamflow-transcode'`) and BullMQ key prefix (default `'bull'`). */
  queue?: string;
  prefix?: string;
  /** Decoder and x264 threads for jobs that do not say (default 0: automatic). */
  threads?: number;
  /** BullMQ's lock duration in ms (default 30 000): how long a dead worker holds its job. */
  lockDuration?: number;
  /** BullMQ's stalled-job check interval in ms (default 30 000). */
  stalledInterval?: number;
  /** Times a job may stall before it fails (default 1, BullMQ's). */
  maxStalledCount?: number;
  /** Milliseconds between a job's progress updates (default 250). */
  progressInterval?: number;
  /** How long the first connection to Redis may take (default 30 000 ms); later losses are waited out. */
  connectTimeoutMs?: number;
  /** The worker's name in BullMQ (shown on the jobs it takes). */
  name?: string;
  /** Lines about jobs taken, done and failed, and connection trouble (default: none). */
  log?: (line: string) => void;
}

/** A running worker. */
export interface ClusterWorker {
  /** The BullMQ Worker underneath (events: 'active', 'completed', 'failed', 'progress', …). */
  readonly worker: Worker;
  /** Stop taking jobs; wait for those in flight unless `force`; close the connections. */
  close(force?: boolean): Promise<void>;
}

function positive(field: string, v: number | undefined, max: number): void {
  if (v !== undefined && (!Number.isInteger(v) || v < 1 || v > max)) throw new ConfigError(field, `must be an integer from 1 to ${max} (got ${String(v)})`);
}

/**
 * Start a worker for segment-parallel transcodes.
 *
 * @example
 * ```ts
 * const w = await startWorker({ connection: 'redis://127.0.0.1:6379', storage: '/mnt/media', concurrency: 1 });
 * process.once('SIGTERM', () => void w.close());
 * ```
 */
export async function startWorker(opts: ClusterWorkerOptions): Promise<ClusterWorker> {
  if (typeof opts !== 'object' || opts === null) throw new ConfigError('options', 'must be an object with connection and storage');
  const storage = storageRoot(opts.storage);
  positive('concurrency', opts.concurrency, 256);
  positive('lockDuration', opts.lockDuration, 3_600_000);
  positive('stalledInterval', opts.stalledInterval, 3_600_000);
  positive('maxStalledCount', opts.maxStalledCount, 100);
  if (opts.threads !== undefined && (!Number.isInteger(opts.threads) || opts.threads < 0 || opts.threads > 64)) throw new ConfigError('threads', 'must be an integer from 0 to 64');
  const log = opts.log ?? ((): void => undefined);
  const conn = openConnection(opts.connection, 'connection', opts.tls);
  // Without a listener ioredis prints every failed reconnect; the worker reports them once each.
  // Before the first connection, an error no retry fixes is whenReady's to report (the start
  // fails with it), not a reconnect to announce; later it is logged as what it is.
  let down = false;
  let connected = false;
  const label = labelOf(opts.connection);
  const onError = (err: Error): void => {
    if (down) return;
    const fatal = fatalConnectionError(err, label);
    if (fatal && !connected) return;
    log(fatal ? `redis: ${fatal.message}` : `redis: ${err.message}; reconnecting`);
    down = true;
  };
  const onReady = (): void => {
    if (down) log('redis: connected again');
    down = false;
  };
  if (conn.owned) {
    conn.redis.on('error', onError);
    conn.redis.on('ready', onReady);
  }
  try {
    await whenReady(conn.redis, label, opts.connectTimeoutMs ?? 30_000);
    connected = true;
  } catch (err) {
    await closeConnection(conn);
    throw err;
  }
  const queue = opts.queue ?? DEFAULT_QUEUE;
  const prefix = opts.prefix ?? DEFAULT_PREFIX;
  const ctx: ProcessorContext = { storage, redis: conn.redis, prefix, queue, threads: opts.threads, progressInterval: opts.progressInterval ?? 250 };

  const processor = async (job: Job, _token?: string, signal?: AbortSignal): Promise<unknown> => {
    try {
      switch (job.name) {
        case 'video-segment': return await processVideoSegment(job, ctx, signal);
        case 'audio': return await processAudio(job, ctx, signal);
        case 'stitch': return await processStitch(job, ctx, signal);
        default: throw new ConfigError('job.name', `${JSON.stringify(job.name)} is not a beamflow job`, ['video-segment', 'audio', 'stitch']);
      }
    } catch (err) {
      if (err instanceof UnrecoverableError) throw err;
      // Bad job data does not get better on a retry.
      if (BeamflowError.isInstance(err) && err.code === 'BEAMFLOW_CONFIG') throw new UnrecoverableError(formatReason(err));
      const e = new Error(formatReason(err));
      if (err instanceof Error && err.stack) e.stack = `${e.message}\n${err.stack.split('\n').slice(1).join('\n')}`;
      throw e;
    }
  };

  const worker = new Worker(queue, processor, {
    connection: conn.redis,
    prefix,
    concurrency: opts.concurrency ?? 1,
    ...(opts.lockDuration !== undefined ? { lockDuration: opts.lockDuration } : {}),
    ...(opts.stalledInterval !== undefined ? { stalledInterval: opts.stalledInterval } : {}),
    ...(opts.maxStalledCount !== undefined ? { maxStalledCount: opts.maxStalledCount } : {}),
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    autorun: false,
  });
  worker.on('error', (err) => log(`worker: ${err.message}`));
  worker.on('active', (job) => log(`active ${job.name} ${job.id ?? ''}`));
  worker.on('completed', (job) => log(`completed ${job.name} ${job.id ?? ''}`));
  worker.on('failed', (job, err) => log(`failed ${job?.name ?? ''} ${job?.id ?? ''}: ${err.message}`));
  // run() resolves when the worker closes; its failures are reported through 'error'.
  const running = worker.run().catch((err: unknown) => log(`worker stopped: ${err instanceof Error ? err.message : String(err)}`));
  await worker.waitUntilReady();
  let closing: Promise<void> | undefined;
  return {
    worker,
    close(force = false) {
      if (closing && !force) return closing;
      closing = (async () => {
        await worker.close(force);
        await running;
        conn.redis.off('error', onError);
        conn.redis.off('ready', onReady);
        await closeConnection(conn);
      })();
      return closing;
    },
  };
}
