/**
 * Faults, with a real Redis and real worker processes: a worker killed with
 * SIGKILL in the middle of a segment (BullMQ's stalled-job check gives the
 * segment to another worker), a segment that fails every attempt (the job
 * fails with that segment's error), job data that points outside the
 * storage (refused at once, no retries), a cancelled job (its pending
 * children and its files removed, and its stitch when a worker has taken it), and Redis restarted mid-job (workers and
 * the coordinator reconnect; the job completes). Every finished output is
 * judged against a clean run, segment by segment, down to each packet's
 * checksum.
 *
 * The input is larger than the equivalence test's (640x360, x264 preset
 * slow), so that a segment's encode lasts long enough for a fault to land
 * inside it: the kill waits for a progress event of the first segment with
 * fewer than half its frames done.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { beforeAll, describe, expect, it } from 'vitest';
import { submitTranscode, type TranscodeJob, type TranscodeOptions } from '@beamflow/cluster';
import { decodeErrors, outcome, tempDir } from '../../../../test/support/media.js';
import { dtsViolations, probePackets } from '../../../../test/support/probe.js';
import { startRedis, type TestRedis } from '../../../../test/support/redis.js';
import { makeInput, segmentChecksums, segmentPackets, startWorkerProcess, videoFrameTimes } from '../support.js';

const storage = tempDir('cluster-faults');
let redis: TestRedis;
let clean: string;
/** Segment starts in the output's video time base (1/12800 for this input): 0, 2, 4, 6 s. */
const starts = [0, 25600, 51200, 76800];
/**
 * Short locks so a dead worker's segment comes back within seconds. Every worker of the file
 * gets them: BullMQ's stalled check is queue-wide (the first worker to run it sets a key for
 * its own interval, and the others skip their checks until it expires).
 */
const fast = { lockDuration: 3000, stalledInterval: 1000 };

const settings = (output: string): TranscodeOptions => ({
  storage, input: 'in/input.mp4', output, segmentSeconds: 2, attempts: 2, backoffMs: 200,
  // mb-tree off: every segment's bytes are then a function of its input alone, so a segment
  // redone after a kill can be compared with the clean run's packet by packet (with mb-tree on,
  // Debian's libx264 reads past one of its buffers: see the README's Faults).
  video: { preset: 'slow', crf: 23, threads: 1, mbtree: false }, audio: { bitRate: 96_000 },
});

/** Resolves at the first progress event with some but under `below` frames done. */
function midSegment(job: TranscodeJob, below = 25): Promise<void> {
  return new Promise((resolve) => {
    const on = (p: { frames: number }): void => {
      if (p.frames > 0 && p.frames < below) {
        job.off('progress', on);
        resolve();
      }
    };
    job.on('progress', on);
  });
}

function judgeAgainstClean(output: string): void {
  expect(videoFrameTimes(output)).toEqual(videoFrameTimes(clean));
  expect(segmentPackets(output, starts)).toEqual(segmentPackets(clean, starts));
  const got = segmentChecksums(output, starts);
  const want = segmentChecksums(clean, starts);
  expect(want.segments.map((lines) => lines.length)).toEqual([50, 50, 50, 50]);
  want.segments.forEach((lines, i) => expect(got.segments[i], `segment ${i}`).toEqual(lines));
  expect(got.audio).toEqual(want.audio);
  const pkts = probePackets(output);
  expect(dtsViolations(pkts, 0, { requireDts: true })).toEqual([]);
  expect(dtsViolations(pkts, 1, { requireDts: true })).toEqual([]);
  expect(decodeErrors(output)).toBe('');
}

/** The job ended as cancelled, and none of its flow's jobs (the stitch, the audio, the segments) is left in Redis. */
async function expectCancelledAndGone(job: TranscodeJob): Promise<void> {
  const r = await outcome(job.done);
  expect(r.ok).toBe(false);
  expect(((r as { error: { code: string } }).error).code).toBe('BEAMFLOW_ABORTED');
  const queue = new Queue('beamflow-transcode', { connection: { host: '127.0.0.1', port: redis.port } });
  const ids = [job.id, `${job.id}-audio`, ...job.segments.map((s) => `${job.id}-r0-s${s.index}`)];
  for (const id of ids) expect(await queue.getJob(id), id).toBeUndefined();
  await queue.close();
}

/** Files anywhere under the storage whose name says they were being written. */
function partials(dir = storage): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.includes('.partial-')) out.push(join(dir, e.name));
    if (e.isDirectory()) out.push(...partials(join(dir, e.name)));
  }
  return out;
}

beforeAll(async () => {
  mkdirSync(join(storage, 'in'), { recursive: true });
  makeInput(join(storage, 'in', 'input.mp4'), { seconds: 8, size: '640x360' });
  redis = await startRedis();
  const w = await startWorkerProcess({ redis: redis.url, storage, ...fast });
  const job = await submitTranscode(redis.url, settings('out/clean.mp4'));
  await job.done;
  await w.stop();
  clean = join(storage, 'out', 'clean.mp4');
  expect(segmentPackets(clean, starts).map((s) => [s.count, s.firstIsKey])).toEqual([[50, true], [50, true], [50, true], [50, true]]);
}, 120_000);

describe('cluster faults', () => {
  it('a worker killed with SIGKILL mid-segment: the stalled segment goes to another worker, the output is the clean one', async () => {
    const a = await startWorkerProcess({ redis: redis.url, storage, ...fast, name: 'a' });
    const job = await submitTranscode(redis.url, settings('out/killed.mp4'));
    await midSegment(job);
    a.proc.kill('SIGKILL');
    expect((await a.exited).signal).toBe('SIGKILL');
    // What the dead worker held: still active in Redis until its lock expires.
    const queue = new Queue('beamflow-transcode', { connection: { host: '127.0.0.1', port: redis.port } });
    const held = (await queue.getActive()).map((j) => j.id!);
    expect(held.length).toBe(1);
    const b = await startWorkerProcess({ redis: redis.url, storage, ...fast, name: 'b' });
    const result = await job.done;
    await b.stop();
    expect(result.frames).toBe(200);
    // The killed segment was started twice and finished by the second worker.
    const again = (await queue.getJob(held[0]!))!;
    expect(again.attemptsStarted).toBeGreaterThanOrEqual(2);
    expect(await again.getState()).toBe('completed');
    await queue.close();
    judgeAgainstClean(join(storage, 'out', 'killed.mp4'));
    expect(partials()).toEqual([]);
  });

  it('a segment that fails every attempt fails the job with that segment\'s error', async () => {
    const job = await submitTranscode(redis.url, settings('out/failed.mp4'));
    // Before any worker runs: segment 2's input becomes a file that is not there.
    const queue = new Queue('beamflow-transcode', { connection: { host: '127.0.0.1', port: redis.port } });
    const seg2 = (await queue.getJob(`${job.id}-r0-s2`))!;
    await seg2.updateData({ ...seg2.data, input: 'in/missing.mp4' });
    const w = await startWorkerProcess({ redis: redis.url, storage, ...fast });
    const r = await outcome(job.done);
    await w.stop();
    await queue.close();
    expect(r.ok).toBe(false);
    const err = (r as { error: unknown }).error as { code: string; failed: { name: string; segment: number; attempts: number }; reason: string; message: string };
    expect(err.code).toBe('BEAMFLOW_INPUT');
    expect(err.failed).toMatchObject({ name: 'video-segment', segment: 2, attempts: 2 });
    expect(err.reason).toContain('in/missing.mp4');
    expect(existsSync(join(storage, 'out', 'failed.mp4'))).toBe(false);
  });

  it('job data that leaves the storage is refused at once, without retries', async () => {
    const job = await submitTranscode(redis.url, settings('out/escape.mp4'));
    const queue = new Queue('beamflow-transcode', { connection: { host: '127.0.0.1', port: redis.port } });
    const seg1 = (await queue.getJob(`${job.id}-r0-s1`))!;
    await seg1.updateData({ ...seg1.data, input: '../../etc/passwd' });
    const w = await startWorkerProcess({ redis: redis.url, storage, ...fast });
    const r = await outcome(job.done);
    await w.stop();
    await queue.close();
    const err = (r as { error: { code: string; failed: { segment: number; attempts: number }; reason: string } }).error;
    expect(err.code).toBe('BEAMFLOW_CONFIG');
    expect(err.failed).toMatchObject({ segment: 1, attempts: 1 });
    expect(err.reason).toContain('data.input');
  });

  it('a cancelled job removes its pending children and its partial files', async () => {
    const w = await startWorkerProcess({ redis: redis.url, storage, ...fast });
    const job = await submitTranscode(redis.url, settings('out/cancelled.mp4'));
    await midSegment(job);
    await job.cancel();
    await expectCancelledAndGone(job);
    await w.stop();
    expect(existsSync(join(storage, '.beamflow', job.id))).toBe(false);
    expect(existsSync(join(storage, 'out', 'cancelled.mp4'))).toBe(false);
    expect(partials()).toEqual([]);
  });

  // The race the test above can only meet by chance: removing the last pending child releases the
  // parent, and a worker takes the stitch before the coordinator removes it. A stand-in worker
  // (BullMQ's own, in this process) completes the children and holds the stitch while cancel runs.
  it('a cancel that finds the stitch taken waits for it to stop and removes it with the rest', async () => {
    const job = await submitTranscode(redis.url, settings('out/cancel-stitch.mp4'));
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let taken!: () => void;
    const stitchTaken = new Promise<void>((r) => (taken = r));
    const worker = new Worker('beamflow-transcode', async (j) => {
      if (j.name !== 'stitch') return j.name === 'audio' ? { packets: 0, ms: 0 } : {};
      taken();
      await held;
      throw new UnrecoverableError('BEAMFLOW_ABORTED: stitch cancelled');
    }, { connection: { host: '127.0.0.1', port: redis.port }, concurrency: 4 });
    await stitchTaken;
    const cancelled = job.cancel();
    // While the stitch is held the coordinator must keep waiting, not give up on a locked job.
    await new Promise((r) => setTimeout(r, 600));
    release();
    await cancelled;
    await expectCancelledAndGone(job);
    await worker.close();
  });

  it('Redis restarted mid-job: workers and the coordinator reconnect and the job completes', async () => {
    const durable = await startRedis({ persistent: true });
    const w = await startWorkerProcess({ redis: durable.url, storage, ...fast });
    const job = await submitTranscode(durable.url, settings('out/restarted.mp4'));
    await midSegment(job);
    await durable.restart({ downMs: 1500 });
    const result = await job.done;
    await w.stop();
    expect(result.frames).toBe(200);
    expect(w.stderr()).toContain('connected again');
    judgeAgainstClean(join(storage, 'out', 'restarted.mp4'));
    expect(partials()).toEqual([]);
  });
});
