/**
 * The coordinator: `submitTranscode()` plans a segment-parallel transcode,
 * adds it to Redis as one BullMQ flow, and watches it.
 *
 * Protocol
 * - plan: options checked (paths confined to the storage, settings from the
 *   whitelist); the input's keyframe index read (packets only); segments cut
 *   at keyframes (segments.ts); sizes resolved per rendition (even, aspect
 *   kept), so every worker encodes the same size.
 * - submit: one flow, added atomically by a FlowProducer: the parent `stitch`
 *   (its id is the flow's) with a child `audio` (first, so the longest single
 *   piece starts at once) and a child `video-segment` per rendition and
 *   segment. Children retry (`attempts`, exponential backoff) and, when they
 *   fail for good, fail the parent (`failParentOnFailure`).
 * - watch: QueueEvents (created before the flow is added, so no event is
 *   missed) carry the children's progress (`{ frames }`) and the parent's
 *   end; a poll of the parent's state every 2 s backs them up (events sent
 *   while the connection was down are read again, but a parent that vanished
 *   — a Redis restarted without persistence — is only seen by the poll).
 * - done: resolves with the stitch's result; rejects with a
 *   {@link ClusterJobError} carrying the failing child's code and reason
 *   (the segment's own error), or an AbortError once cancelled.
 * - cancel(): marks the flow cancelled (a key the processors poll), removes
 *   the children that have not started, waits for those in flight to stop
 *   (they remove what they were writing), removes the flow's jobs and its
 *   work directory.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync, rmSync } from 'node:fs';
import { extname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FlowProducer, Queue, QueueEvents, type FlowJob } from 'bullmq';
import { AbortError, ConfigError, InputError } from '@beamflow/core';
import { closeConnection, labelOf, openConnection, whenReady, type OwnedConnection, type RedisConnectionInput, type RedisTlsOptions } from './connection.js';
import { ClusterJobError, type FailedJob } from './errors.js';
import {
  JOB_DATA_VERSION, checkAudioSettings, checkLadder, checkVideoSettings,
  type AudioData, type ClusterAudioSettings, type ClusterVideoSettings, type LadderRung, type SegmentPlan, type StitchData, type VideoSegmentData,
} from './job-data.js';
import { cancelKey } from './processors/context.js';
import type { TranscodeResult } from './processors/stitch.js';
import { cutSegments, readKeyframeIndex, type KeyframeIndex } from './segments.js';
import { WORK_ROOT, relativeInStorage, resolveInStorage, storageRoot, workDirOf } from './storage.js';
import { DEFAULT_PREFIX, DEFAULT_QUEUE } from './worker.js';

/** Options of {@link submitTranscode}. */
export interface TranscodeOptions {
  /** The shared storage directory, as this machine mounts it (the workers may mount it elsewhere). */
  storage: string;
  /** The input: relative to the storage, or an absolute path inside it. */
  input: string;
  /** An `.mp4` file, or (HLS) the directory for `master.m3u8` and the renditions. */
  output: string;
  /** Default: `'mp4'` for an output ending in `.mp4`, otherwise `'hls'`. */
  format?: 'mp4' | 'hls';
  /** Segment length to aim for, in seconds (default 4); segments start at the input's keyframes. */
  segmentSeconds?: number;
  video?: ClusterVideoSettings;
  /** AAC settings, or `false` to drop the audio. */
  audio?: ClusterAudioSettings | false;
  /** HLS renditions: one child per rung and segment; every rung is cut at the same keyframes. */
  ladder?: LadderRung[];
  /** Attempts per child job (default 3), with exponential backoff from `backoffMs` (default 1000). */
  attempts?: number;
  backoffMs?: number;
  queue?: string;
  prefix?: string;
  tls?: RedisTlsOptions;
  /** How long the first connection to Redis may take (default 10 000 ms). */
  connectTimeoutMs?: number;
  /** Aborting it cancels the job (as `cancel()`). */
  signal?: AbortSignal;
}

/** How far a transcode is. */
export interface TranscodeProgress {
  /** Video frames encoded, over every segment (and rendition). */
  frames: number;
  totalFrames: number;
  /** Video segments (per rendition) finished. */
  segmentsDone: number;
  segments: number;
  /** Whether the audio is encoded (true when there is none). */
  audioDone: boolean;
  /** Seconds since the submit. */
  elapsed: number;
}

/** A submitted transcode. Events: `'progress'` (TranscodeProgress). */
export interface TranscodeJob extends EventEmitter {
  /** The flow's id: the parent job's id in BullMQ. */
  readonly id: string;
  readonly segments: readonly SegmentPlan[];
  /** Renditions (1 without a ladder). */
  readonly renditions: number;
  readonly totalFrames: number;
  /** The output, relative to the storage root. */
  readonly output: string;
  /** Resolves with the stitch's result, rejects with a ClusterJobError or an AbortError. */
  readonly done: Promise<TranscodeResult>;
  progress(): TranscodeProgress;
  /** Cancel: no more work, the flow's jobs and files removed. `done` then rejects with an AbortError. */
  cancel(): Promise<void>;
  /** Stop watching (the job goes on in the cluster). */
  close(): Promise<void>;
}

function flowId(): string {
  return `tx-${randomBytes(16).toString('hex')}`;
}

function evenSize(w: number, h: number): { width: number; height: number } {
  return { width: Math.max(2, w - (w % 2)), height: Math.max(2, h - (h % 2)) };
}

/** The renditions' names and sizes. */
function renditionsOf(index: KeyframeIndex, video: ClusterVideoSettings, ladder: Array<LadderRung & { name: string }> | undefined): Array<{ name: string; width: number; height: number; video: ClusterVideoSettings }> {
  const inW = index.width ?? 0;
  const inH = index.height ?? 0;
  if (!ladder) {
    const size = video.width && video.height ? { width: video.width, height: video.height } : evenSize(inW, inH);
    if (size.width < 16 || size.height < 16) throw new InputError('input', `has no usable video size (${inW}x${inH})`);
    return [{ name: `${size.height}p`, ...size, video: { ...video, ...size } }];
  }
  return ladder.map((r) => {
    const width = r.width ?? (inH > 0 ? Math.max(16, Math.round((inW * r.height) / inH / 2) * 2) : 0);
    if (!width) throw new InputError('input', `has no video size to scale from for rung ${r.name}`);
    return {
      name: r.name, width, height: r.height,
      video: {
        ...video, width, height: r.height,
        ...(r.crf !== undefined ? { crf: r.crf } : {}), ...(r.bitRate !== undefined ? { bitRate: r.bitRate } : {}), ...(r.preset !== undefined ? { preset: r.preset } : {}),
      },
    };
  });
}

class Watcher extends EventEmitter implements TranscodeJob {
  readonly done: Promise<TranscodeResult>;
  readonly #frames = new Map<string, number>();
  readonly #segmentIds: Map<string, { segment: number; rung: number; frames: number }>;
  readonly #finished = new Set<string>();
  readonly #started = Date.now();
  #audioDone: boolean;
  #resolve!: (r: TranscodeResult) => void;
  #reject!: (e: unknown) => void;
  #settled = false;
  #cancelling: Promise<void> | undefined;
  #poll: NodeJS.Timeout | undefined;
  #closed: Promise<void> | undefined;

  constructor(
    readonly id: string,
    readonly segments: readonly SegmentPlan[],
    readonly renditions: number,
    readonly output: string,
    private readonly conn: OwnedConnection,
    private readonly events: QueueEvents,
    private readonly jobs: Queue,
    private readonly queue: string,
    private readonly prefix: string,
    private readonly storage: string,
    private readonly audioId: string | undefined,
    private readonly signal: AbortSignal | undefined,
  ) {
    super();
    this.#audioDone = audioId === undefined;
    this.#segmentIds = new Map();
    for (let r = 0; r < renditions; r++) {
      for (const s of segments) this.#segmentIds.set(childId(id, r, s.index), { segment: s.index, rung: r, frames: s.frames });
    }
    this.done = new Promise<TranscodeResult>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // A caller that only listens to events must not get an unhandled rejection.
    this.done.catch(() => undefined);
  }

  get totalFrames(): number {
    return this.segments.reduce((n, s) => n + s.frames, 0) * this.renditions;
  }

  progress(): TranscodeProgress {
    let frames = 0;
    for (const [id, s] of this.#segmentIds) frames += this.#finished.has(id) ? s.frames : Math.min(s.frames, this.#frames.get(id) ?? 0);
    let segmentsDone = 0;
    for (const id of this.#segmentIds.keys()) if (this.#finished.has(id)) segmentsDone++;
    return { frames, totalFrames: this.totalFrames, segmentsDone, segments: this.#segmentIds.size, audioDone: this.#audioDone, elapsed: (Date.now() - this.#started) / 1000 };
  }

  /** Subscribe to the flow's events and start the poll. */
  watch(): void {
    this.events.on('progress', ({ jobId, data }) => {
      const frames = (data as { frames?: unknown } | null)?.frames;
      if (this.#segmentIds.has(jobId) && typeof frames === 'number') {
        if (frames > (this.#frames.get(jobId) ?? 0)) this.#frames.set(jobId, frames);
        this.emit('progress', this.progress());
      }
    });
    this.events.on('completed', ({ jobId, returnvalue }) => {
      if (jobId === this.id) return void this.#succeed(returnvalue);
      if (jobId === this.audioId) this.#audioDone = true;
      else if (this.#segmentIds.has(jobId)) this.#finished.add(jobId);
      else return;
      this.emit('progress', this.progress());
    });
    this.events.on('failed', ({ jobId }) => {
      if (jobId === this.id) void this.#fail();
    });
    this.#poll = setInterval(() => void this.#check(), 2000);
    if (this.signal) {
      if (this.signal.aborted) void this.cancel();
      else this.signal.addEventListener('abort', () => void this.cancel(), { once: true });
    }
  }

  async #check(): Promise<void> {
    if (this.#settled) return;
    let state: string;
    try {
      state = await this.jobs.getJob(this.id).then((j) => (j ? j.getState() : 'unknown'));
    } catch {
      return; // Redis unreachable: the next poll will tell.
    }
    if (this.#settled) return;
    if (state === 'completed') {
      const job = await this.jobs.getJob(this.id).catch(() => undefined);
      this.#succeed(job?.returnvalue);
    } else if (state === 'failed') await this.#fail();
    else if (state === 'unknown' && !this.#cancelling) {
      this.#settle(new ClusterJobError(this.id, undefined, `BEAMFLOW_ERROR: the flow's jobs are gone from Redis (removed, or Redis restarted without persistence)`));
    }
  }

  #succeed(value: unknown): void {
    if (this.#settled) return;
    const r = (typeof value === 'string' ? JSON.parse(value) : value) as TranscodeResult | undefined;
    for (const id of this.#segmentIds.keys()) this.#finished.add(id);
    this.#audioDone = true;
    this.emit('progress', this.progress());
    this.#settle(undefined, r);
  }

  /** The parent failed: find the child that made it (the segment's own error). */
  async #fail(): Promise<void> {
    if (this.#settled || this.#cancelling) return;
    const candidates: Array<{ id: string; name: string; segment?: number; rung?: number }> = [
      ...[...this.#segmentIds].map(([id, s]) => ({ id, name: 'video-segment', segment: s.segment, rung: s.rung })),
      ...(this.audioId ? [{ id: this.audioId, name: 'audio' }] : []),
    ];
    let first: { failed: FailedJob; reason: string; at: number } | undefined;
    for (const c of candidates) {
      const job = await this.jobs.getJob(c.id).catch(() => undefined);
      if (!job || !job.failedReason || !(await job.isFailed().catch(() => false))) continue;
      const at = job.finishedOn ?? Number.MAX_SAFE_INTEGER;
      if (!first || at < first.at) first = { failed: { ...c, attempts: job.attemptsMade }, reason: job.failedReason, at };
    }
    if (first) return this.#settle(new ClusterJobError(this.id, first.failed, first.reason));
    const parent = await this.jobs.getJob(this.id).catch(() => undefined);
    this.#settle(new ClusterJobError(this.id, { id: this.id, name: 'stitch', attempts: parent?.attemptsMade ?? 0 }, parent?.failedReason ?? 'failed'));
  }

  #settle(err: unknown, value?: TranscodeResult): void {
    if (this.#settled) return;
    this.#settled = true;
    if (err) this.#reject(err);
    else this.#resolve(value!);
    void this.close();
  }

  async cancel(): Promise<void> {
    if (this.#settled && !this.#cancelling) return;
    this.#cancelling ??= this.#cancel();
    return this.#cancelling;
  }

  async #cancel(): Promise<void> {
    const redis = this.conn.redis;
    // The processors in flight poll this key and stop; it outlives any of them.
    await redis.set(cancelKey(this.prefix, this.queue, this.id), '1', 'EX', 24 * 3600);
    // The parent last, and like the others: once its last pending child is removed BullMQ moves
    // it to wait, and a worker may take it (the stitch then fails as cancelled) before it goes.
    const ids = [...(this.audioId ? [this.audioId] : []), ...this.#segmentIds.keys(), this.id];
    const deadline = Date.now() + 120_000;
    for (;;) {
      let left = 0;
      for (const id of ids) {
        const job = await this.jobs.getJob(id);
        if (!job) continue;
        // A job in flight stops on its own and is removed in a later round; removing one a
        // worker has just taken fails (it is locked), and the next round sees it active.
        const removed = (await job.getState()) !== 'active' && (await job.remove({ removeChildren: true }).then(() => true, () => false));
        if (!removed) left++;
      }
      if (left === 0 || Date.now() > deadline) break;
      await sleep(250);
    }
    rmSync(resolveInStorage(this.storage, workDirOf(this.id), 'work'), { recursive: true, force: true });
    this.#settle(new AbortError(`transcode ${this.id} cancelled`));
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      if (this.#poll) clearInterval(this.#poll);
      await this.events.close().catch(() => undefined);
      await this.jobs.close().catch(() => undefined);
      await closeConnection(this.conn);
    })();
    return this.#closed;
  }
}

function childId(flow: string, rung: number, segment: number): string {
  return `${flow}-r${rung}-s${segment}`;
}

/**
 * Plan a transcode of a file in shared storage, submit it to Redis as one BullMQ flow (a job per
 * segment and rendition, one for the audio, a parent that stitches), and watch it.
 *
 * @example
 * ```ts
 * const job = await submitTranscode('redis://127.0.0.1:6379', {
 *   storage: '/mnt/media', input: 'in/talk.mkv', output: 'out/talk.mp4', segmentSeconds: 4,
 *   video: { crf: 23, preset: 'veryfast' }, audio: { bitRate: 128_000 },
 * });
 * job.on('progress', (p) => console.log(`${p.frames}/${p.totalFrames}`));
 * console.log(await job.done); // { output: 'out/talk.mp4', frames, segments, ... }
 * ```
 */
export async function submitTranscode(connection: RedisConnectionInput, opts: TranscodeOptions): Promise<TranscodeJob> {
  if (typeof opts !== 'object' || opts === null) throw new ConfigError('options', 'must be an object with storage, input and output');
  const storage = storageRoot(opts.storage);
  const input = relativeInStorage(storage, opts.input, 'input');
  const inputPath = resolveInStorage(storage, input, 'input');
  if (!existsSync(inputPath)) throw new InputError(opts.input, 'does not exist');
  const output = relativeInStorage(storage, opts.output, 'output');
  if (output === WORK_ROOT || output.startsWith(`${WORK_ROOT}/`)) throw new ConfigError('output', `must not be inside ${WORK_ROOT}/, where flows keep their pieces`);
  if (output === input) throw new ConfigError('output', 'is the input');
  const format = opts.format ?? (extname(output).toLowerCase() === '.mp4' ? 'mp4' : 'hls');
  if (format !== 'mp4' && format !== 'hls') throw new ConfigError('format', "must be 'mp4' or 'hls'", ['mp4', 'hls']);
  if (format === 'mp4' && extname(output).toLowerCase() !== '.mp4') throw new ConfigError('output', 'an MP4 output must end in .mp4');
  const segmentSeconds = opts.segmentSeconds ?? 4;
  if (typeof segmentSeconds !== 'number' || !Number.isFinite(segmentSeconds) || segmentSeconds < 0.1 || segmentSeconds > 3600) {
    throw new ConfigError('segmentSeconds', `must be a number of seconds from 0.1 to 3600 (got ${String(segmentSeconds)})`);
  }
  const video = checkVideoSettings(opts.video ?? {});
  const audio = opts.audio === false ? false : checkAudioSettings(opts.audio ?? {});
  const ladder = opts.ladder === undefined ? undefined : checkLadder(opts.ladder);
  if (ladder && format !== 'hls') throw new ConfigError('ladder', 'a ladder needs an HLS output (a directory)');
  const attempts = opts.attempts ?? 3;
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 100) throw new ConfigError('attempts', 'must be an integer from 1 to 100');
  const backoffMs = opts.backoffMs ?? 1000;
  if (!Number.isInteger(backoffMs) || backoffMs < 0 || backoffMs > 3_600_000) throw new ConfigError('backoffMs', 'must be a whole number of ms');
  const queue = opts.queue ?? DEFAULT_QUEUE;
  const prefix = opts.prefix ?? DEFAULT_PREFIX;

  const index = await readKeyframeIndex(inputPath);
  const segments = cutSegments(index, segmentSeconds);
  const rungs = renditionsOf(index, video, ladder);
  const withAudio = audio !== false && index.hasAudio;
  // HLS timestamps are moved forward by this much, the same for every piece, so that none is
  // negative (x264's B-frame delay, AAC's priming) and no muxer shifts one piece on its own.
  const fps = index.frameRate ?? 25;
  const shift = format === 'hls' ? Math.max(1.4, Math.ceil(((3 + (video.maxBFrames ?? 3)) / fps) * 10) / 10) : 0;
  const flow = flowId();
  const work = workDirOf(flow);
  const timeBase: [number, number] = [index.timeBase.num, index.timeBase.den];
  const common = { v: JOB_DATA_VERSION, flow, input, work } as const;
  const childOpts = { attempts, backoff: { type: 'exponential' as const, delay: backoffMs }, failParentOnFailure: true, removeOnComplete: { age: 24 * 3600 }, removeOnFail: { age: 7 * 24 * 3600 } };
  const audioId = withAudio ? `${flow}-audio` : undefined;
  const children: FlowJob[] = [];
  if (withAudio) {
    const data: AudioData = { ...common, audio, container: format === 'mp4' ? 'mp4' : 'hls', segmentSeconds, shift };
    children.push({ name: 'audio', queueName: queue, data, opts: { ...childOpts, jobId: audioId! } });
  }
  rungs.forEach((r, rung) => {
    for (const segment of segments) {
      const data: VideoSegmentData = { ...common, segment, timeBase, rung, video: r.video, container: format === 'mp4' ? 'mp4' : 'mpegts', shift };
      children.push({ name: 'video-segment', queueName: queue, data, opts: { ...childOpts, jobId: childId(flow, rung, segment.index) } });
    }
  });
  const stitch: StitchData = {
    ...common, format, output, segments, timeBase,
    rungs: rungs.map((r) => ({ name: r.name, width: r.width, height: r.height, bitRate: r.video.bitRate ?? null })),
    audio: withAudio, shift,
  };

  const conn = openConnection(connection, 'connection', opts.tls);
  // ioredis prints errors nobody listens to; they reach the caller through whenReady and done.
  if (conn.owned) conn.redis.on('error', () => undefined);
  try {
    await whenReady(conn.redis, labelOf(connection), opts.connectTimeoutMs ?? 10_000);
  } catch (err) {
    await closeConnection(conn);
    throw err;
  }
  const events = new QueueEvents(queue, { connection: conn.redis, prefix });
  events.on('error', () => undefined);
  let watcher: Watcher | undefined;
  try {
    await events.waitUntilReady();
    const producer = new FlowProducer({ connection: conn.redis, prefix });
    producer.on('error', () => undefined);
    try {
      await producer.add({ name: 'stitch', queueName: queue, data: stitch, opts: { jobId: flow, attempts: 2, removeOnComplete: { age: 24 * 3600 }, removeOnFail: { age: 7 * 24 * 3600 } }, children });
    } finally {
      await producer.close();
    }
    const jobs = new Queue(queue, { connection: conn.redis, prefix });
    jobs.on('error', () => undefined);
    watcher = new Watcher(flow, segments, rungs.length, output, conn, events, jobs, queue, prefix, storage, audioId, opts.signal);
    watcher.watch();
    return watcher;
  } catch (err) {
    if (!watcher) {
      await events.close().catch(() => undefined);
      await closeConnection(conn);
    }
    throw err;
  }
}
