/**
 * examples/http-fmp4 as a viewer sees it: the example runs as a server on a
 * free loopback port; a plain HTTP client takes two seconds of /live.mp4 and
 * hangs up (ffprobe judges the bytes), headless Chromium plays the page, and
 * SIGTERM stops the server with a viewer still attached. After each viewer
 * leaves, the server must report its pipeline torn down.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { get, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The part of the page's DOM the checks below use (they run in the browser; Node has no DOM types). */
interface PageVideo {
  currentTime: number;
  paused: boolean;
  error: { code: number; message: string } | null;
  videoWidth: number;
  videoHeight: number;
  canPlayType(type: string): string;
  getVideoPlaybackQuality(): { totalVideoFrames: number };
}
declare const document: { querySelector(selector: 'video'): PageVideo | null; createElement(tag: 'video'): PageVideo };

const root = resolve(__dirname, '../..');
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
const CHROMIUM = '/usr/bin/chromium';
const dir = mkdtempSync(join(tmpdir(), 'beamflow-http-fmp4-'));

let server: ChildProcess;
let stdout = '';
let stderr = '';
let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
let base = '';

async function until(what: string, cond: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (server.exitCode !== null) throw new Error(`the server exited (${server.exitCode}) while waiting for ${what}\n${stderr}`);
    if (Date.now() > deadline) throw new Error(`no ${what} within ${ms / 1000} s\n${stderr}`);
    await sleep(20);
  }
}

/** Viewers the server has seen leave, by number. */
function left(): Set<number> {
  return new Set([...stderr.matchAll(/viewer (\d+) left after/g)].map((m) => Number(m[1])));
}

function connected(): number[] {
  return [...stderr.matchAll(/viewer (\d+) \(.*\) connected/g)].map((m) => Number(m[1]));
}

beforeAll(async () => {
  server = spawn(process.execPath, ['--import', tsx, 'http-fmp4.ts', '0', '--size', '320x180'], { cwd: join(root, 'examples'), stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout?.on('data', (b: Buffer) => {
    stdout += b.toString();
  });
  server.stderr?.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  exited = new Promise((resolve) => server.once('close', (code, signal) => resolve({ code, signal })));
  await until('URL on stderr', () => /on http:\/\/127\.0\.0\.1:\d+\//.test(stderr));
  base = /on (http:\/\/127\.0\.0\.1:\d+)\//.exec(stderr)![1]!;
});

afterAll(() => {
  if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
});

/** Top-level MP4 boxes: type and size, in order; `complete` is the length of the whole boxes. */
function boxes(buf: Buffer): { types: string[]; complete: number } {
  const types: string[] = [];
  let off = 0;
  while (off + 8 <= buf.length) {
    let size = buf.readUInt32BE(off);
    const type = buf.toString('latin1', off + 4, off + 8);
    if (size === 1) {
      if (off + 16 > buf.length) break;
      size = Number(buf.readBigUInt64BE(off + 8));
    }
    if (size < 8 || off + size > buf.length) break;
    types.push(type);
    off += size;
  }
  return { types, complete: off };
}

describe('examples/http-fmp4', () => {
  it('serves /live.mp4 as a live fragmented MP4 with H.264 + AAC, and tears the pipeline down when the client hangs up', async () => {
    const chunks: Buffer[] = [];
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = get(`${base}/live.mp4`, resolve);
      req.once('error', reject);
    });
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('error', () => undefined); // the abort below ends the response with an error
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('video/mp4');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.headers['transfer-encoding']).toBe('chunked');
    await sleep(2000);
    res.destroy();

    const bytes = Buffer.concat(chunks);
    const { types, complete } = boxes(bytes);
    // ftyp, a moov without samples, then moof + mdat pairs; the last box may be cut by the hang-up.
    expect(types.slice(0, 2)).toEqual(['ftyp', 'moov']);
    const fragments = types.slice(2);
    expect(fragments.length).toBeGreaterThanOrEqual(4);
    expect(fragments.every((t, i) => t === (i % 2 === 0 ? 'moof' : 'mdat'))).toBe(true);
    const file = join(dir, 'live.mp4');
    writeFileSync(file, bytes.subarray(0, complete));

    const pr = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_type,codec_name,profile,width,height,sample_rate,nb_read_frames:format=format_name', '-of', 'json', file], { encoding: 'utf8' });
    expect(pr.status, pr.stderr).toBe(0);
    expect(pr.stderr).toBe('');
    const probe = JSON.parse(pr.stdout) as { format: { format_name: string }; streams: Array<{ codec_type: string; codec_name: string; profile?: string; width?: number; height?: number; sample_rate?: string; nb_read_frames: string }> };
    expect(probe.format.format_name).toContain('mp4');
    expect(probe.streams.map((s) => `${s.codec_type}:${s.codec_name}`)).toEqual(['video:h264', 'audio:aac']);
    const video = probe.streams[0]!;
    expect(video).toMatchObject({ width: 320, height: 180, profile: 'Main' });
    expect(Number(video.nb_read_frames)).toBeGreaterThan(0);
    expect(Number(probe.streams[1]!.sample_rate)).toBe(48000);
    expect(Number(probe.streams[1]!.nb_read_frames)).toBeGreaterThan(0);
    const decode = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' });
    expect(decode.status).toBe(0);
    expect(decode.stderr).toBe('');

    const viewer = connected().at(-1)!;
    await until(`viewer ${viewer} torn down`, () => left().has(viewer));
    expect(stderr).toMatch(new RegExp(`viewer ${viewer} left after [\\d.]+ s; 0 watching`));
  }, 30_000);

  it('plays in headless Chromium: the <video> advances past 2 s without an error', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'] });
    try {
      const page = await browser.newPage();
      const response = await page.goto(`${base}/`);
      expect(response?.status()).toBe(200);
      // Debian's Chromium carries the proprietary decoders; without them this is ''.
      expect(await page.evaluate(() => document.createElement('video').canPlayType('video/mp4; codecs="avc1.4d401e, mp4a.40.2"'))).toBe('probably');
      await page.waitForFunction(() => {
        const v = document.querySelector('video');
        return v !== null && v.currentTime > 2 && v.error === null;
      }, null, { timeout: 30_000, polling: 100 });
      const state = await page.evaluate(() => {
        const v = document.querySelector('video')!;
        return { error: v.error, paused: v.paused, width: v.videoWidth, height: v.videoHeight, frames: v.getVideoPlaybackQuality().totalVideoFrames };
      });
      expect(state).toMatchObject({ error: null, paused: false, width: 320, height: 180 });
      expect(state.frames).toBeGreaterThan(25);
    } finally {
      await browser.close();
    }
    // Every stream the browser opened is torn down once it is gone.
    await until('every viewer torn down', () => connected().every((n) => left().has(n)));
    expect([...stderr.matchAll(/; (\d+) watching/g)].at(-1)?.[1]).toBe('0');
  }, 45_000);

  it('exits with status 0 on SIGTERM, closing the streams still open, with nothing on stdout', async () => {
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      get(`${base}/live.mp4`, resolve).once('error', reject);
    });
    let received = 0;
    res.on('data', (c: Buffer) => {
      received += c.length;
    });
    const ended = new Promise<void>((resolve) => res.once('close', () => resolve()));
    res.on('error', () => undefined);
    await until('bytes of the stream', () => received > 0);
    server.kill('SIGTERM');
    expect(await exited, stderr).toEqual({ code: 0, signal: null });
    await ended;
    expect(stdout).toBe('');
    expect(stderr).toContain('SIGTERM: closing 1 stream(s)');
    expect(connected().every((n) => left().has(n))).toBe(true);
  }, 30_000);
});
