/**
 * examples/upload-server as its clients see it: the server runs in this
 * process on a free loopback port, and node's http client streams files made
 * by the ffmpeg command line in small chunks with pauses between them, as a
 * real upload arrives. ffprobe judges the HLS on disk, ffmpeg decodes it in
 * full (once over HTTP from the server), probe() of the input file is the
 * reference for the probe JSON. After each test every native object the
 * transcodes made must be released.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe, type ProbeResult } from '@beamflow/core';
import { expectNoNativeLeaks } from '../../test/support/leak-hooks.js';
import { decodeErrors, ffmpeg, streams, tempDir } from '../../test/support/media.js';
import { createUploadServer, type UploadServer } from '../upload-server.js';

expectNoNativeLeaks();

const dir = tempDir('upload-server');
const out = join(dir, 'uploads');
// 4 s of 320x180 at 25 fps with a tone. A little noise at a low QP makes it about 3 MB: the
// Demuxer opens once 1 MiB has arrived, so a body this size is transcoded while it arrives.
const input = join(dir, 'in.ts');
ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '4',
  '-vf', 'noise=alls=8:allf=t', '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '18', '-g', '25', '-c:a', 'aac', input]);
const body = readFileSync(input);
/** The input's video frames, as ffprobe counts them (100). */
const FRAMES = Number(streams(input).find((s) => s.codec_type === 'video')!.nb_read_frames);

let app: UploadServer;
let base = '';
const logs: string[] = [];

beforeAll(async () => {
  app = createUploadServer({ dir: out, preset: 'ultrafast', log: (line) => logs.push(line) });
  base = await app.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await app?.close();
});

interface Sent {
  status: number;
  headers: IncomingHttpHeaders;
  json: unknown;
  /** From the 103 Early Hints. */
  id: string | undefined;
}

interface UploadOptions {
  path?: string;
  chunk?: number;
  pauseMs?: number;
  /** Awaited, with the upload's id, before the last chunk is sent (the request still open). */
  beforeLast?: (id: string) => Promise<void>;
  /** Send this fraction of the body, then destroy the request. */
  cutAt?: number;
}

/**
 * POSTs `bytes` in `chunk`-byte writes with `pauseMs` between them (and waiting for 'drain':
 * the server holds the upload back while its pipeline is busy).
 */
function upload(bytes: Buffer, o: UploadOptions = {}): Promise<Sent> {
  const chunk = o.chunk ?? 16 << 10;
  let id: string | undefined;
  let gotId!: (id: string) => void;
  const idKnown = new Promise<string>((r) => (gotId = r));
  return new Promise<Sent>((resolve, reject) => {
    const url = new URL(o.path ?? '/uploads', base);
    const req = request(url, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' } });
    let answered = false;
    req.on('information', (info: { statusCode: number; headers: IncomingHttpHeaders }) => {
      if (info.statusCode !== 103) return;
      id = String(info.headers['x-upload-id']);
      gotId(id);
    });
    req.on('response', (res: IncomingMessage) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text ? JSON.parse(text) : undefined, id });
      });
    });
    // A request destroyed on purpose ends with 'socket hang up' (or just 'close'): status 0.
    req.on('error', (err) => {
      if (o.cutAt !== undefined) resolve({ status: 0, headers: {}, json: undefined, id });
      else reject(err);
    });
    req.on('close', () => {
      if (o.cutAt !== undefined && !answered) resolve({ status: 0, headers: {}, json: undefined, id });
    });
    void (async () => {
      const end = o.cutAt === undefined ? bytes.length : Math.floor(bytes.length * o.cutAt);
      for (let at = 0; at < end && !answered; at += chunk) {
        const last = at + chunk >= end;
        if (last && o.beforeLast) await o.beforeLast(await idKnown);
        const piece = bytes.subarray(at, Math.min(at + chunk, end));
        if (!req.write(piece)) await new Promise((r) => req.once('drain', r));
        if (o.pauseMs) await sleep(o.pauseMs);
      }
      if (o.cutAt !== undefined) {
        // What was written has been handed to the socket; the client hangs up mid-body.
        await idKnown;
        req.destroy();
      } else {
        req.end();
      }
    })().catch(reject);
  });
}

async function get(path: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(base), { path, method: 'GET' }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Runs a command without blocking this process (the server under test lives in it). */
function run(cmd: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** The EXTINF durations of a playlist, in seconds. */
function segmentSeconds(playlist: string): number[] {
  return [...playlist.matchAll(/^#EXTINF:([\d.]+),/gm)].map((m) => Number(m[1]));
}

/** ffprobe's view of an upload's HLS: H.264 + AAC, the input's every frame, decoded cleanly. */
function judge(id: string, frames?: { min: number; max: number }): void {
  const playlist = join(out, id, 'index.m3u8');
  const s = streams(playlist);
  expect(s.map((x) => `${x.codec_type}:${x.codec_name}`).sort()).toEqual(['audio:aac', 'video:h264']);
  const video = s.find((x) => x.codec_type === 'video')!;
  expect(video).toMatchObject({ width: 320, height: 180 });
  const n = Number(video.nb_read_frames);
  if (frames) {
    expect(n).toBeGreaterThanOrEqual(frames.min);
    expect(n).toBeLessThanOrEqual(frames.max);
  } else {
    expect(n).toBe(FRAMES);
  }
  expect(Number(s.find((x) => x.codec_type === 'audio')!.nb_read_frames)).toBeGreaterThan(0);
  expect(decodeErrors(playlist)).toBe('');
}

function uploadDirs(): string[] {
  return readdirSync(out).sort();
}

describe('examples/upload-server', () => {
  let firstId = '';

  it('transcodes a paced MPEG-TS upload to HLS while it arrives: 201, playlist and segments served before the body ends', async () => {
    let seenEarly: { playlist: string; segment: { status: number; type: string | undefined; bytes: number } } | undefined;
    const sent = await upload(body, {
      chunk: 16 << 10,
      pauseMs: 2,
      // The last chunk waits until the server serves a playlist with a segment in it: the
      // transcode runs while the upload is still open.
      beforeLast: async (id) => {
        for (const deadline = Date.now() + 30_000; ; ) {
          if (Date.now() > deadline) throw new Error(`no segment listed in /hls/${id}/index.m3u8 while the last chunk was held back; server log:\n${logs.join('\n')}`);
          const r = await get(`/hls/${id}/index.m3u8`);
          if (r.status === 200 && r.body.toString().includes('#EXTINF')) {
            const playlist = r.body.toString();
            expect(r.headers['content-type']).toBe('application/vnd.apple.mpegurl');
            const name = /^(segment_\d+\.ts)$/m.exec(playlist)![1]!;
            const seg = await get(`/hls/${id}/${name}`);
            seenEarly = { playlist, segment: { status: seg.status, type: seg.headers['content-type'], bytes: seg.body.length } };
            return;
          }
          expect(r.status === 200 || r.status === 404, `GET playlist: ${r.status}`).toBe(true);
          await sleep(20);
        }
      },
    });
    expect(sent.status, JSON.stringify(sent.json)).toBe(201);
    const { id } = sent.json as { id: string };
    expect(sent.json).toEqual({ id, playlist: `/hls/${id}/index.m3u8`, probe: `/uploads/${id}/probe` });
    expect(sent.id).toBe(id);
    firstId = id;

    // Mid-upload, a player saw a growing event playlist with a whole segment in it.
    expect(seenEarly).toBeDefined();
    expect(seenEarly!.playlist).toContain('#EXT-X-PLAYLIST-TYPE:EVENT');
    expect(seenEarly!.playlist).not.toContain('#EXT-X-ENDLIST');
    expect(seenEarly!.segment).toMatchObject({ status: 200, type: 'video/mp2t' });
    expect(seenEarly!.segment.bytes).toBeGreaterThan(0);

    const playlist = readFileSync(join(out, id, 'index.m3u8'), 'utf8');
    expect(playlist).toContain('#EXT-X-ENDLIST');
    const seconds = segmentSeconds(playlist);
    expect(seconds.length).toBe(2);
    for (const s of seconds) expect(Math.abs(s - 2)).toBeLessThanOrEqual(0.05);
    judge(id);

    // A player reading it over HTTP from the server decodes every segment cleanly.
    const overHttp = await run('ffmpeg', ['-v', 'error', '-i', `${base}/hls/${id}/index.m3u8`, '-f', 'null', '-']);
    expect(overHttp).toEqual({ code: 0, stderr: '' });
  });

  it('serves the probe of the upload: the input’s container and streams as probe() of the file says them', async () => {
    expect(firstId).not.toBe('');
    const r = await get(`/uploads/${firstId}/probe`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    const served = JSON.parse(r.body.toString()) as ProbeResult;
    const file = await probe(input);
    expect(served.format.format_name).toBe(file.format.format_name);
    expect(served.format.nb_streams).toBe(file.format.nb_streams);
    expect(served.format.size).toBe(body.length);
    const fields = (s: ProbeResult['streams'][number]) => ({
      index: s.index, codec_type: s.codec_type, codec_name: s.codec_name, profile: s.profile, width: s.width, height: s.height,
      pix_fmt: s.pix_fmt, sample_rate: s.sample_rate, channels: s.channels, channel_layout: s.channel_layout,
      r_frame_rate: s.r_frame_rate, avg_frame_rate: s.avg_frame_rate, time_base: s.time_base, start_time: s.start_time,
    });
    expect(served.streams.map(fields)).toEqual(file.streams.map(fields));
    expect((await get(`/uploads/${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}/probe`)).status).toBe(404);
  });

  it('eight paced uploads at once all complete, each with every frame', async () => {
    const before = uploadDirs().length;
    const sent = await Promise.all(Array.from({ length: 8 }, () => upload(body, { chunk: 16 << 10, pauseMs: 1 })));
    expect(sent.map((s) => s.status)).toEqual(Array(8).fill(201));
    const ids = sent.map((s) => (s.json as { id: string }).id);
    expect(new Set(ids).size).toBe(8);
    expect(uploadDirs().length).toBe(before + 8);
    for (const id of ids) judge(id);
  });

  it('refuses what cannot be transcoded with typed errors: not media and an empty body (422 BEAMFLOW_INPUT), an unknown format (400 BEAMFLOW_CONFIG)', async () => {
    const before = uploadDirs();
    const noise = await upload(Buffer.alloc(300_000, 0x5a), { chunk: 16 << 10 });
    expect(noise.status).toBe(422);
    expect(noise.json).toMatchObject({ error: { code: 'BEAMFLOW_INPUT' } });
    const empty = await upload(Buffer.alloc(0));
    expect(empty.status).toBe(422);
    expect(empty.json).toMatchObject({ error: { code: 'BEAMFLOW_INPUT', message: expect.stringMatching(/empty/) as unknown } });
    const format = await upload(body, { path: '/uploads?format=nosuch' });
    expect(format.status).toBe(400);
    expect(format.json).toMatchObject({ error: { code: 'BEAMFLOW_CONFIG', message: expect.stringMatching(/^format: /) as unknown } });
    // The server's own settings are checked when it is made, not at each upload.
    let bad: unknown;
    try {
      createUploadServer({ dir: out, preset: 'warp9' });
    } catch (err) {
      bad = err;
    }
    expect(bad).toMatchObject({ code: 'BEAMFLOW_CONFIG', field: 'video.preset' });
    // Nothing is left of refused uploads, and the server goes on.
    expect(uploadDirs()).toEqual(before);
    const ok = await upload(body, { path: '/uploads?format=mpegts' });
    expect(ok.status).toBe(201);
    judge((ok.json as { id: string }).id);
    // The named demuxer reads the probe's copy of the bytes too.
    const described = await get(`/uploads/${(ok.json as { id: string }).id}/probe`);
    expect((JSON.parse(described.body.toString()) as ProbeResult).format.format_name).toBe('mpegts');
  });

  it('a client that hangs up after 60 % of the body: the server stays up, and what arrived is a finalized playlist that decodes cleanly', async () => {
    const sent = await upload(body, { chunk: 16 << 10, pauseMs: 1, cutAt: 0.6 });
    expect(sent.status).toBe(0);
    const id = sent.id!;
    await app.idle();
    const playlist = readFileSync(join(out, id, 'index.m3u8'), 'utf8');
    expect(playlist).toContain('#EXT-X-ENDLIST');
    // 60 % of the bytes is about 60 of the 100 frames.
    judge(id, { min: 30, max: 90 });
    expect(logs.some((l) => l.startsWith(`upload ${id}: the client left after`))).toBe(true);
    const served = await get(`/hls/${id}/index.m3u8`);
    expect(served.status).toBe(200);
    expect(served.body.toString()).toBe(playlist);
    expect((await get(`/uploads/${id}/probe`)).status).toBe(200);
  });

  it('serves only playlists and segments inside an upload’s directory: path traversal is refused', async () => {
    expect(firstId).not.toBe('');
    writeFileSync(join(dir, 'secret.txt'), 'top secret');
    writeFileSync(join(out, 'secret.ts'), 'top secret');
    const attempts = [
      `/hls/${firstId}/../../secret.txt`,
      `/hls/${firstId}/..%2F..%2Fsecret.txt`,
      `/hls/${firstId}/%2e%2e%2fsecret.ts`,
      `/hls/..%2F${firstId}/..%2Fsecret.ts`,
      `/hls/%2e%2e/secret.ts`,
      '/hls/../../secret.txt',
      `/hls/${firstId}/probe.json`,
      `/hls/${firstId}/index.m3u8%00.ts`,
    ];
    for (const path of attempts) {
      const r = await get(path);
      expect([400, 404], `${path}: ${r.status}`).toContain(r.status);
      expect(r.body.toString()).not.toContain('top secret');
    }
    expect((await get(`/hls/${firstId}/index.m3u8`)).status).toBe(200);
  });
});
