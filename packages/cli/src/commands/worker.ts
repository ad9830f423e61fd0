/**
 * `beamflow worker`: a worker of segment-parallel transcodes (@beamflow/cluster)
 * on a Redis queue, reading inputs from and writing pieces to the shared
 * storage directory. It runs until stopped: the first SIGINT/SIGTERM stops
 * taking jobs and lets the ones in flight finish (BullMQ's advice), a second
 * one exits at once (the jobs it held go back to the queue through BullMQ's
 * stalled-job check). Each job taken, finished or failed is a line on stderr,
 * or a JSON event with --json.
 */
import type { Command } from '../command.js';
import { UsageError } from '../failures.js';
import { COMMON_OPTIONS, parseNumber, type OptionSpec } from '../options.js';

export const CLUSTER_OPTIONS: readonly OptionSpec[] = [
  { name: 'queue', type: 'string', value: 'NAME', default: 'beamflow-transcode', help: 'BullMQ queue name' },
  { name: 'redis-ca', type: 'string', value: 'FILE', help: "CA certificate (PEM) of a rediss:// server's certificate" },
];

const OPTIONS: readonly OptionSpec[] = [
  { name: 'redis', type: 'string', value: 'URL', help: 'redis://[user:password@]host[:port][/db], or rediss://… for TLS' },
  { name: 'storage', type: 'string', value: 'DIR', help: 'the shared storage directory (as this machine mounts it)' },
  { name: 'concurrency', type: 'string', value: 'N', default: '1', help: 'jobs at once' },
  { name: 'threads', type: 'string', value: 'N', default: '0', help: 'decoder and x264 threads per job when the job does not say (0: automatic)' },
  { name: 'lock-duration', type: 'string', value: 'MS', default: '30000', help: "BullMQ's job lock: how long a dead worker holds its job" },
  { name: 'stalled-interval', type: 'string', value: 'MS', default: '30000', help: "BullMQ's stalled-job check interval (the same on every worker)" },
  ...CLUSTER_OPTIONS,
  ...COMMON_OPTIONS,
];

export const worker: Command = {
  name: 'worker',
  summary: 'run a worker for segment-parallel transcodes (beamflow transcode/hls --cluster)',
  usage: ['worker --redis URL --storage DIR [--concurrency N] [--threads N]'],
  description: [
    'Takes segment, audio and stitch jobs from the Redis queue that `beamflow transcode --cluster`',
    'and `beamflow hls --cluster` submit to, reading inputs and writing pieces in DIR, the storage',
    'every worker and the submitter share (job data names paths relative to it, and nothing',
    'outside it is read or written). Runs until SIGINT/SIGTERM, then finishes its jobs in flight.',
  ],
  options: OPTIONS,
  media: true,
  positionals: 0,
  examples: [
    'beamflow worker --redis redis://127.0.0.1:6379 --storage /mnt/media',
    'beamflow worker --redis rediss://:secret@redis.internal:6380 --storage /mnt/media --concurrency 2 --threads 1',
  ],
  async run(args, ctx) {
    const v = args.values;
    const url = v.redis as string | undefined;
    const storage = v.storage as string | undefined;
    if (!url) throw new UsageError('--redis URL is required', 'worker');
    if (!storage) throw new UsageError('--storage DIR is required', 'worker');
    const concurrency = parseNumber('--concurrency', String(v.concurrency), { min: 1, max: 256, integer: true });
    const threads = parseNumber('--threads', String(v.threads), { min: 0, max: 64, integer: true });
    const lockDuration = parseNumber('--lock-duration', String(v['lock-duration']), { min: 1000, max: 3_600_000, integer: true });
    const stalledInterval = parseNumber('--stalled-interval', String(v['stalled-interval']), { min: 500, max: 3_600_000, integer: true });
    // Each job's native calls hold libuv pool threads (decode, scale, encode, mux): size the pool
    // for the jobs at once. This takes effect only if nothing used the pool yet, as here.
    process.env.UV_THREADPOOL_SIZE ??= String(Math.min(128, Math.max(4, 6 * concurrency)));
    // Loaded here, not at the top: BullMQ and ioredis are not for the commands that do not use them.
    const { redactUrl, startWorker } = await import('@beamflow/cluster');
    const w = await startWorker({
      connection: url, storage, concurrency, threads, lockDuration, stalledInterval,
      queue: String(v.queue),
      ...(v['redis-ca'] !== undefined ? { tls: { ca: String(v['redis-ca']) } } : {}),
      log: (line) => {
        ctx.progress.say(line);
        const [kind, name, id] = line.split(' ');
        if (kind === 'active' || kind === 'completed' || kind === 'failed') ctx.progress.event(kind, { job: name, id, ...(kind === 'failed' ? { reason: line.slice(line.indexOf(': ') + 2) } : {}) });
        else ctx.progress.event('log', { message: line });
      },
    });
    ctx.progress.event('start', { command: 'worker', redis: redactUrl(url), storage, concurrency, threads });
    ctx.progress.say(`worker: ${redactUrl(url)}, storage ${storage}, ${concurrency} job${concurrency === 1 ? '' : 's'} at once; SIGTERM to stop`);
    await new Promise<void>((resolve) => ctx.interrupts.onStop(resolve));
    ctx.progress.say('worker: finishing the jobs in flight');
    await w.close();
    ctx.progress.event('end', { command: 'worker', exitCode: ctx.interrupts.exitCode ?? 0 });
    return ctx.interrupts.exitCode ?? 0;
  },
};
