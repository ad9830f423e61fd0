/**
 * A segment-parallel transcode against the single-process one, with a real
 * Redis on loopback and real worker processes: a 7 s 160x90 input made by
 * the ffmpeg command line (a keyframe every second), cut into 2 s segments,
 * transcoded with one worker and with two. ffprobe judges: the same video
 * frames at the same times (none duplicated or lost at a join), DTS strictly
 * increasing, a keyframe at each join, audio as long within one AAC frame,
 * the index before the media, and a clean full decode; the MP4 plays to its end in headless
 * Chromium, and an HLS ladder comes out with aligned keyframes and its audio as a rendition.
 */
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { submitTranscode, type TranscodeProgress } from '@beamflow/cluster';
import { decodeErrors, outcome, tempDir } from '../../../../test/support/media.js';
import { dtsViolations, packetSpan, probePackets } from '../../../../test/support/probe.js';
import { startRedis, type TestRedis } from '../../../../test/support/redis.js';
import {
  makeInput, mp4Boxes, segmentPackets, singleProcessTranscode, startWorkerProcess, streamDuration, streamStart, videoFrameTimes,
  type WorkerProcess,
} from '../support.js';

/** The part of the page's DOM the browser check uses (it runs in the page; Node has no DOM types). */
interface PageVideo {
  currentTime: number;
  playbackRate: number;
  ended: boolean;
  error: { code: number; message: string } | null;
  videoWidth: number;
  getVideoPlaybackQuality(): { totalVideoFrames: number };
}
declare const document: { querySelector(selector: 'video'): PageVideo | null };

const storage = tempDir('cluster-storage');
const input = join(storage, 'in', 'input.mp4');
const reference = join(storage, 'reference.mp4');
let redis: TestRedis;

beforeAll(async () => {
  mkdirSync(join(storage, 'in'), { recursive: true });
  makeInput(input, { seconds: 7, size: '160x90' });
  [redis] = await Promise.all([startRedis(), singleProcessTranscode(input, reference)]);
});

async function run(workers: WorkerProcess[], output: string): Promise<{ progress: TranscodeProgress[]; result: Awaited<ReturnType<typeof submitAndWait>> }> {
  const progress: TranscodeProgress[] = [];
  const result = await submitAndWait(output, (p) => progress.push(p));
  await Promise.all(workers.map((w) => w.stop()));
  return { progress, result };
}

async function submitAndWait(output: string, onProgress: (p: TranscodeProgress) => void) {
  const job = await submitTranscode(redis.url, {
    storage, input: 'in/input.mp4', output, segmentSeconds: 2,
    video: { preset: 'veryfast', crf: 23, threads: 1 }, audio: { bitRate: 128_000 },
  });
  job.on('progress', onProgress);
  expect(job.segments.map((s) => [s.start, s.end, s.frames])).toEqual([[0, 2, 50], [2, 4, 50], [4, 6, 50], [6, null, 25]]);
  return { job, done: await job.done };
}

/** Seconds an HLS audio rendition covers, from its packets. */
function probeSeconds(playlist: string): number {
  return packetSpan(probePackets(playlist), 0, '1/90000', 1920) - 1024 / 48000;
}

function judge(output: string): void {
  // The same frames at the same times as the single-process transcode.
  const times = videoFrameTimes(output);
  expect(times.length).toBe(175);
  expect(times).toEqual(videoFrameTimes(reference));
  const pkts = probePackets(output);
  expect(dtsViolations(pkts, 0, { requireDts: true })).toEqual([]);
  expect(dtsViolations(pkts, 1, { requireDts: true })).toEqual([]);
  // A keyframe at each join (each segment is its own closed-GOP encode).
  const keys = pkts.filter((p) => p.stream_index === 0 && p.flags?.includes('K')).map((p) => p.pts);
  expect(keys).toEqual(expect.arrayContaining([0, 25600, 51200, 76800]));
  // Audio encoded once: as long as the single-process audio within one AAC frame, in sync.
  expect(Math.abs(streamDuration(output, 'a:0') - streamDuration(reference, 'a:0'))).toBeLessThanOrEqual(1024 / 48000);
  expect(streamStart(output, 'a:0')).toBe(streamStart(reference, 'a:0'));
  expect(streamStart(output, 'v:0')).toBe(streamStart(reference, 'v:0'));
  expect(Math.abs(streamDuration(output, 'v:0') - streamDuration(reference, 'v:0'))).toBeLessThan(0.001);
  // Index first, as the single-process MP4 with faststart.
  const boxes = mp4Boxes(output);
  expect(boxes.indexOf('moov')).toBeLessThan(boxes.indexOf('mdat'));
  expect(decodeErrors(output)).toBe('');
}

describe('cluster transcode → MP4', () => {
  let oneWorker: string;

  it('with one worker process equals the single-process transcode', async () => {
    const w = await startWorkerProcess({ redis: redis.url, storage });
    oneWorker = join(storage, 'out', 'one.mp4');
    const { progress, result } = await run([w], 'out/one.mp4');
    expect(result.done).toMatchObject({ output: 'out/one.mp4', format: 'mp4', frames: 175, segments: 4 });
    judge(oneWorker);
    // One progress bar for the whole job: frames over every segment, never going back, ending full.
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ frames: 175, totalFrames: 175, segmentsDone: 4, segments: 4, audioDone: true });
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.frames).toBeGreaterThanOrEqual(progress[i - 1]!.frames);
    // The pieces are gone once stitched; only the output is left.
    expect(readdirSync(join(storage, '.beamflow'))).toEqual([]);
  });

  it('with two worker processes gives the same packets', async () => {
    const workers = await Promise.all([startWorkerProcess({ redis: redis.url, storage }), startWorkerProcess({ redis: redis.url, storage })]);
    const { result } = await run(workers, 'out/two.mp4');
    expect(result.done.frames).toBe(175);
    const two = join(storage, 'out', 'two.mp4');
    judge(two);
    // Segment for segment the same packets (timestamps, keyframe first) whichever worker encoded it.
    const starts = [0, 25600, 51200, 76800];
    expect(segmentPackets(two, starts)).toEqual(segmentPackets(oneWorker, starts));
    expect(segmentPackets(two, starts).map((s) => [s.count, s.firstIsKey])).toEqual([[50, true], [50, true], [50, true], [25, true]]);
    // Each segment was taken once, by one worker or the other.
    const took = workers.map((w) => (w.stderr().match(/active video-segment/g) ?? []).length);
    expect(took.reduce((a, b) => a + b, 0)).toBe(4);
  });
});

describe('a Redis that wants a password', () => {
  it('is reached with the password in the URL, by the coordinator and the workers alike', async () => {
    const locked = await startRedis({ password: 'pa:ss@word' });
    expect(locked.url).toContain('pa%3Ass%40word@');
    const w = await startWorkerProcess({ redis: locked.url, storage });
    const job = await submitTranscode(locked.url, { storage, input: 'in/input.mp4', output: 'out/password.mp4', segmentSeconds: 4, audio: false, video: { threads: 1 } });
    const done = await job.done;
    await w.stop();
    expect(done.frames).toBe(175);
    expect(videoFrameTimes(join(storage, 'out', 'password.mp4'))).toEqual(videoFrameTimes(reference));
    // A wrong password fails at once (no retry fixes it), and the message does not show it.
    const r = await outcome(submitTranscode(locked.url.replace(/:[^:@/]*@/, ':wrong@'), { storage, input: 'in/input.mp4', output: 'out/nope.mp4' }));
    const err = (r as { error: { code: string; field: string; message: string } }).error;
    expect(err).toMatchObject({ code: 'BEAMFLOW_CONFIG', field: 'connection' });
    expect(err.message).toMatch(/refused the credentials: WRONGPASS/);
    expect(err.message).not.toContain('wrong');
  });
});

describe('the stitched MP4 in a browser', () => {
  it('plays in headless Chromium across every join, to its end, without an error', async () => {
    const file = join(storage, 'out', 'one.mp4');
    const bytes = readFileSync(file);
    // A file server with ranges, as a CDN in front of the storage would be.
    const server = createServer((req, res) => {
      if (req.url === '/') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<video src="/one.mp4" muted autoplay playsinline></video>');
        return;
      }
      const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
      const from = m ? Number(m[1]) : 0;
      const to = m && m[2] ? Number(m[2]) : bytes.length - 1;
      res.writeHead(m ? 206 : 200, {
        'content-type': 'video/mp4', 'accept-ranges': 'bytes', 'content-length': to - from + 1,
        ...(m ? { 'content-range': `bytes ${from}-${to}/${bytes.length}` } : {}),
      });
      res.end(bytes.subarray(from, to + 1));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'] });
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${port}/`);
      // Four times real speed: the 7 s, past the joins at 2, 4 and 6 s, in under 2 s.
      await page.evaluate(() => {
        document.querySelector('video')!.playbackRate = 4;
      });
      await page.waitForFunction(() => {
        const v = document.querySelector('video');
        return v !== null && (v.ended || v.error !== null);
      }, null, { timeout: 30_000, polling: 100 });
      const state = await page.evaluate(() => {
        const v = document.querySelector('video')!;
        return { error: v.error?.message ?? null, ended: v.ended, time: v.currentTime, width: v.videoWidth, frames: v.getVideoPlaybackQuality().totalVideoFrames };
      });
      expect(state).toMatchObject({ error: null, ended: true, width: 160 });
      expect(state.time).toBeGreaterThan(6.9);
      expect(state.frames).toBeGreaterThan(100);
    } finally {
      await browser.close();
      server.close();
    }
  });
});

describe('cluster transcode → HLS', () => {
  it('a two-rung ladder: one child per rung and segment, keyframes aligned across rungs, audio once as its own rendition', async () => {
    const w = await startWorkerProcess({ redis: redis.url, storage, concurrency: 2 });
    const job = await submitTranscode(redis.url, {
      storage, input: 'in/input.mp4', output: 'out/hls', segmentSeconds: 2, ladder: [{ height: 90 }, { height: 48, crf: 28 }],
      video: { preset: 'veryfast', crf: 23, threads: 1 },
    });
    expect(job.renditions).toBe(2);
    expect(job.totalFrames).toBe(350);
    const done = await job.done;
    await w.stop();
    expect(done).toMatchObject({ output: 'out/hls/master.m3u8', format: 'hls', frames: 175, segments: 4 });
    const dir = join(storage, 'out', 'hls');
    const master = readFileSync(join(dir, 'master.m3u8'), 'utf8');
    expect(master).toContain('#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio"');
    expect(master).toMatch(/RESOLUTION=160x90,CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2",AUDIO="audio"\n90p\/index\.m3u8/);
    expect(master).toMatch(/RESOLUTION=86x48,.*\n48p\/index\.m3u8/);
    // Every rung: the reference's frames at the reference's times (moved by the flow's 1.4 s),
    // four segments that each start with a keyframe at the same times in both rungs.
    const shifted = videoFrameTimes(reference).map((t) => (Number(t) + 1.4).toFixed(6));
    for (const rung of ['90p', '48p']) {
      const playlist = join(dir, rung, 'index.m3u8');
      expect(readFileSync(playlist, 'utf8').match(/^seg-\d{5}\.ts$/gm)).toEqual(['seg-00000.ts', 'seg-00001.ts', 'seg-00002.ts', 'seg-00003.ts']);
      expect(videoFrameTimes(playlist)).toEqual(shifted);
      for (let i = 0; i < 4; i++) {
        const seg = probePackets(join(dir, rung, `seg-0000${i}.ts`)).filter((p) => p.stream_index === 0);
        expect(seg[0]!.flags, `${rung} segment ${i}`).toContain('K');
        expect(seg[0]!.pts).toBe(Math.round((1.4 + 2 * i) * 90000));
      }
      expect(dtsViolations(probePackets(playlist), 0, { requireDts: true })).toEqual([]);
      expect(decodeErrors(playlist)).toBe('');
    }
    const audio = join(dir, 'audio', 'index.m3u8');
    expect(Math.abs(streamDuration(reference, 'a:0') - (probeSeconds(audio)))).toBeLessThanOrEqual(2 * 1024 / 48000);
    expect(decodeErrors(join(dir, 'master.m3u8'))).toBe('');
  });
});

