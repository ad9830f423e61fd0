import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BeamflowError, ConfigError, beamcoder, decodeFile, demuxFile, fromFrames, testPattern,
} from '@beamflow/core';
import type { Envelope, FrameEnvelope, PacketEnvelope, StreamDescriptor, TestPatternOptions } from '@beamflow/core';
import { expectNoNativeLeaks } from '../../../../test/support/leak-hooks.js';

expectNoNativeLeaks();

const root = resolve(__dirname, '../../../..');

async function collect(src: Readable): Promise<Envelope[]> {
  const out: Envelope[] = [];
  for await (const e of src) out.push(e as Envelope);
  return out;
}

async function streamError(src: Readable): Promise<unknown> {
  try {
    await collect(src);
  } catch (err) {
    return err;
  }
  return undefined;
}

function configErrorOf(fn: () => unknown): ConfigError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  return caught as ConfigError;
}

const descriptors = (items: Envelope[]): StreamDescriptor[] => items.filter((e): e is StreamDescriptor => e.type === 'stream');
const frames = (items: Envelope[], kind?: 'video' | 'audio'): FrameEnvelope[] =>
  items.filter((e): e is FrameEnvelope => e.type === 'frame' && (kind === undefined || e.kind === kind));

function ffmpeg(args: string[]): void {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-y', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
}

describe('testPattern', () => {
  const av = (extra: Partial<TestPatternOptions>): TestPatternOptions => ({
    video: { width: 64, height: 36, frameRate: 25 },
    audio: { sampleRate: 48000, channels: 2 },
    ...extra,
  });

  it('announces one descriptor per stream before any frame', async () => {
    const items = await collect(testPattern(av({ frames: 3 })));
    const firstFrame = items.findIndex((e) => e.type !== 'stream');
    expect(firstFrame).toBe(2);
    const [v, a] = descriptors(items);
    expect(descriptors(items)).toHaveLength(2);
    expect(v).toMatchObject({ kind: 'video', coded: false, timeBase: { num: 1, den: 25 }, codecpar: { width: 64, height: 36, format: 'yuv420p' } });
    expect(a).toMatchObject({ kind: 'audio', coded: false, timeBase: { num: 1, den: 48000 }, codecpar: { sample_rate: 48000, channels: 2 } });
    expect(v?.streamId).not.toBe(a?.streamId);
  });

  it('duration 2 at 25 fps: 50 video frames, 96000 audio samples, exact pts, interleaved by time', async () => {
    const items = await collect(testPattern(av({ duration: 2 })));
    const video = frames(items, 'video');
    const audio = frames(items, 'audio');
    expect(video).toHaveLength(50);
    expect(video.map((f) => f.frame.pts)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    for (const f of video) expect(f.timeBase).toEqual({ num: 1, den: 25 });

    let samples = 0;
    for (const f of audio) {
      expect(f.frame.pts).toBe(samples);
      expect(f.timeBase).toEqual({ num: 1, den: 48000 });
      samples += f.frame.nb_samples;
    }
    expect(samples).toBe(96000);
    // 96000 = 93 * 1024 + 768: the last frame is shorter.
    expect(audio).toHaveLength(94);
    expect(audio.slice(0, -1).every((f) => f.frame.nb_samples === 1024)).toBe(true);
    expect(audio.at(-1)?.frame.nb_samples).toBe(96000 - 93 * 1024);

    // Interleaved: presentation time (in seconds, compared exactly via cross-multiplication) never decreases.
    const ts = frames(items).map((f) => BigInt(f.frame.pts ?? 0) * 48000n * BigInt(f.timeBase.num) / BigInt(f.timeBase.den));
    for (let i = 1; i < ts.length; i++) expect(ts[i]! >= ts[i - 1]!).toBe(true);
    // Both kinds actually interleave (audio appears before the last video frame).
    const lastVideo = frames(items).findIndex((f) => f === video.at(-1));
    expect(frames(items).slice(0, lastVideo).some((f) => f.kind === 'audio')).toBe(true);
  });

  it('frames: 10 gives ten video frames and audio ending at the same instant', async () => {
    const items = await collect(testPattern(av({ frames: 10 })));
    expect(frames(items, 'video')).toHaveLength(10);
    const samples = frames(items, 'audio').reduce((n, f) => n + f.frame.nb_samples, 0);
    expect(samples).toBe(48000 * 10 / 25);
  });

  it('video frames have the asked size and format', async () => {
    const items = await collect(testPattern({ video: { width: 64, height: 36, frameRate: 25, pixelFormat: 'yuv444p' }, frames: 2 }));
    const v = frames(items, 'video');
    expect(v).toHaveLength(2);
    for (const f of v) expect([f.frame.width, f.frame.height, f.frame.format]).toEqual([64, 36, 'yuv444p']);
  });

  it.each([
    ['pixelFormat yuv999', { width: 64, height: 36, frameRate: 25, pixelFormat: 'yuv999' }, 'video.pixelFormat'],
    ['width 0', { width: 0, height: 36, frameRate: 25 }, 'video.width'],
    ['width -2', { width: -2, height: 36, frameRate: 25 }, 'video.width'],
    ['frameRate 0', { width: 64, height: 36, frameRate: 0 }, 'video.frameRate'],
    ['odd height for yuv420p', { width: 64, height: 35, frameRate: 25 }, 'video.height'],
  ])('%s is a ConfigError on %s', (_name, video, field) => {
    const err = configErrorOf(() => testPattern({ video: video as never, frames: 1 }));
    expect(err.code).toBe('BEAMFLOW_CONFIG');
    expect(err.field).toBe(field);
  });
});

describe('decodeFile / demuxFile', () => {
  let dir: string;
  let avFile: string;
  let audioOnly: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'beamflow-sources-'));
    avFile = join(dir, 'in.mp4');
    audioOnly = join(dir, 'audio.m4a');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '1', '-c:v', 'libx264', '-c:a', 'aac', avFile]);
    ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '1', '-c:a', 'aac', audioOnly]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('decodes every frame, descriptors first and not coded', async () => {
    const items = await collect(decodeFile(avFile));
    const firstFrame = items.findIndex((e) => e.type !== 'stream');
    expect(firstFrame).toBe(2);
    const descs = descriptors(items);
    expect(descs.map((d) => d.kind).sort()).toEqual(['audio', 'video']);
    for (const d of descs) expect(d.coded).toBe(false);
    expect(descs.find((d) => d.kind === 'video')?.codecpar).toMatchObject({ width: 160, height: 90 });
    const video = frames(items, 'video');
    expect(video).toHaveLength(25);
    for (const f of video) expect([f.frame.width, f.frame.height]).toEqual([160, 90]);
    expect(frames(items, 'audio').length).toBeGreaterThan(40);
    expect(items.every((e) => e.type !== 'packet')).toBe(true);
  });

  it("a Matroska input, whose streams carry no length, is described with the file's length", async () => {
    const mkv = join(dir, 'in.mkv');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=25', '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', mkv]);
    const items = await collect(decodeFile(mkv));
    const v = descriptors(items).find((d) => d.kind === 'video')!;
    expect(v.duration).toBeDefined();
    expect(Number(v.duration) * v.timeBase.num / v.timeBase.den).toBeCloseTo(2, 1);
  });

  it('a missing file throws an InputError synchronously', () => {
    let caught: unknown;
    try {
      decodeFile(join(dir, 'nope.mp4'));
    } catch (err) {
      caught = err;
    }
    expect(BeamflowError.isInstance(caught)).toBe(true);
    expect((caught as BeamflowError).code).toBe('BEAMFLOW_INPUT');
  });

  it('a file of random bytes errors the stream with BEAMFLOW_INPUT', async () => {
    const p = join(dir, 'x.mp4');
    writeFileSync(p, randomBytes(64 * 1024));
    const err = await streamError(decodeFile(p));
    expect(BeamflowError.isInstance(err)).toBe(true);
    expect((err as BeamflowError).code).toBe('BEAMFLOW_INPUT');
  });

  it('an empty file is BEAMFLOW_INPUT every time, without crashing the process', () => {
    // Run in a child process: opening an empty file through beamcoder 0.7.1's demuxer
    // has been seen to segfault, which would take this test worker down with it.
    const p = join(dir, 'empty.mp4');
    writeFileSync(p, Buffer.alloc(0));
    const script = join(dir, 'empty.mts');
    writeFileSync(
      script,
      `import * as core from ${JSON.stringify(join(root, 'packages/core/src/index.ts'))};
       const codes = [];
       for (let i = 0; i < 200; i++) {
         let code = 'none';
         try {
           for await (const _ of core.decodeFile(${JSON.stringify(p)})) { /* drain */ }
         } catch (err) { code = err.code; }
         codes.push(code);
         await new Promise((r) => setImmediate(r));
       }
       process.stderr.write('codes ' + [...new Set(codes)].join(',') + ' n ' + codes.length + '\\n');`,
    );
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href, script], { encoding: 'utf8' });
    expect(r.signal, `child died: ${r.stderr.slice(-500)}`).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/codes BEAMFLOW_INPUT n 200/);
  });

  it('video: true on an audio-only file is BEAMFLOW_INPUT', async () => {
    const err = await streamError(decodeFile(audioOnly, { video: true }));
    expect(BeamflowError.isInstance(err)).toBe(true);
    expect((err as BeamflowError).code).toBe('BEAMFLOW_INPUT');
  });

  it('the audio-only file decodes with defaults (audio only)', async () => {
    const items = await collect(decodeFile(audioOnly));
    expect(descriptors(items).map((d) => d.kind)).toEqual(['audio']);
    expect(frames(items, 'audio').length).toBeGreaterThan(40);
  });

  it('an http:// URL without protocols is a ConfigError on protocols', () => {
    const err = configErrorOf(() => decodeFile('http://example.invalid/a.mp4'));
    expect(err.field).toBe('protocols');
    const err2 = configErrorOf(() => demuxFile('http://example.invalid/a.mp4'));
    expect(err2.field).toBe('protocols');
  });

  it('demuxFile yields coded descriptors then packets', async () => {
    const items = await collect(demuxFile(avFile));
    expect(items.findIndex((e) => e.type !== 'stream')).toBe(2);
    const descs = descriptors(items);
    for (const d of descs) expect(d.coded).toBe(true);
    expect(descs.find((d) => d.kind === 'video')?.codecpar.name).toBe('h264');
    expect(descs.find((d) => d.kind === 'audio')?.codecpar.name).toBe('aac');
    const packets = items.filter((e): e is PacketEnvelope => e.type === 'packet');
    expect(packets.length).toBe(items.length - 2);
    expect(packets.filter((p) => p.kind === 'video')).toHaveLength(25);
    expect(packets.filter((p) => p.kind === 'audio').length).toBeGreaterThan(40);
  });
});

describe('fromFrames', () => {
  it('synthesizes a descriptor before bare beamcoder frames', async () => {
    function* gen() {
      for (let i = 0; i < 5; i++) yield beamcoder().frame({ width: 64, height: 36, format: 'yuv420p', pts: i }).alloc();
    }
    const items = await collect(fromFrames(gen(), { frameRate: 25 }));
    expect(items).toHaveLength(6);
    const [d, ...rest] = items;
    expect(d).toMatchObject({ type: 'stream', kind: 'video', coded: false, timeBase: { num: 1, den: 25 }, codecpar: { width: 64, height: 36, format: 'yuv420p' } });
    expect(rest.every((e) => e.type === 'frame' && e.kind === 'video' && e.streamId === (d as StreamDescriptor).streamId)).toBe(true);
    expect(frames(rest).map((f) => f.frame.pts)).toEqual([0, 1, 2, 3, 4]);
  });

  it('rejects something that is not a frame with a ConfigError', async () => {
    const err = await streamError(fromFrames([{ not: 'a frame' } as never]));
    expect(err).toBeInstanceOf(ConfigError);
  });
});
