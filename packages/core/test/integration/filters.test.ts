import { spawnSync } from 'node:child_process';
import type { Duplex, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConfigError, Resampler, Scaler, testPattern } from '@beamflow/core';
import { ChunkClock } from '@beamflow/core/internal';
import type { Envelope, FrameEnvelope, StreamDescriptor } from '@beamflow/core';
import { expectNoNativeLeaks } from '../../../../test/support/leak-hooks.js';

expectNoNativeLeaks();

async function run(src: Readable, filter: Duplex): Promise<Envelope[]> {
  const out: Envelope[] = [];
  for await (const e of src.pipe(filter)) out.push(e as Envelope);
  return out;
}

const descriptors = (items: Envelope[]): StreamDescriptor[] => items.filter((e): e is StreamDescriptor => e.type === 'stream');
const frames = (items: Envelope[], kind?: 'video' | 'audio'): FrameEnvelope[] =>
  items.filter((e): e is FrameEnvelope => e.type === 'frame' && (kind === undefined || e.kind === kind));

const av = (frameCount = 10) =>
  testPattern({ video: { width: 160, height: 90, frameRate: 25 }, audio: { sampleRate: 48000, channels: 2 }, frames: frameCount });

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

describe('Scaler', () => {
  it('scales video to 80x46 and passes audio through untouched, in order', async () => {
    // Reference run: what the source emits without a filter.
    const ref: Envelope[] = [];
    for await (const e of av()) ref.push(e as Envelope);
    const refAudio = frames(ref, 'audio');

    const items = await run(av(), new Scaler({ width: 80, height: 46 }));
    const vDesc = descriptors(items).find((d) => d.kind === 'video');
    expect(vDesc?.codecpar).toMatchObject({ width: 80, height: 46 });
    const aDesc = descriptors(items).find((d) => d.kind === 'audio');
    expect(aDesc?.codecpar).toMatchObject({ sample_rate: 48000, channels: 2 });

    const video = frames(items, 'video');
    expect(video).toHaveLength(10);
    for (const f of video) expect([f.frame.width, f.frame.height, f.frame.format]).toEqual([80, 46, 'yuv420p']);
    expect(video.map((f) => f.frame.pts)).toEqual(Array.from({ length: 10 }, (_, i) => i));

    const audio = frames(items, 'audio');
    expect(audio.map((f) => [f.frame.pts, f.frame.nb_samples])).toEqual(refAudio.map((f) => [f.frame.pts, f.frame.nb_samples]));
    for (const f of audio) expect([f.frame.sample_rate, f.frame.channels, f.frame.format]).toEqual([48000, 2, 'fltp']);
  });

  it('keeps the aspect ratio for a missing height (rounded to even)', async () => {
    const items = await run(av(3), new Scaler({ width: 80 }));
    // 90 * 80 / 160 = 45 -> an even 44 or 46
    const video = frames(items, 'video');
    expect(video).toHaveLength(3);
    const h = video[0]!.frame.height;
    expect(h % 2).toBe(0);
    expect(Math.abs(h - 45)).toBe(1);
    for (const f of video) expect([f.frame.width, f.frame.height]).toEqual([80, h]);
    expect(descriptors(items).find((d) => d.kind === 'video')?.codecpar).toMatchObject({ width: 80, height: h });
  });

  it('changes the pixel format', async () => {
    const items = await run(av(3), new Scaler({ pixelFormat: 'yuv444p' }));
    expect(descriptors(items).find((d) => d.kind === 'video')?.codecpar.format).toBe('yuv444p');
    const video = frames(items, 'video');
    expect(video).toHaveLength(3);
    for (const f of video) expect([f.frame.width, f.frame.height, f.frame.format]).toEqual([160, 90, 'yuv444p']);
  });

  it('an unknown pixel format is a ConfigError on pixelFormat', () => {
    const err = configErrorOf(() => new Scaler({ pixelFormat: 'nope' }));
    expect(err.code).toBe('BEAMFLOW_CONFIG');
    expect(err.field).toBe('pixelFormat');
  });
});

describe('Resampler', () => {
  it('re-chunks 1000-sample frames into 1024-sample frames with exact pts', async () => {
    const src = testPattern({ audio: { sampleRate: 48000, channels: 2, samplesPerFrame: 1000 }, duration: 1 });
    const items = await run(src, new Resampler({ frameSize: 1024 }));
    const audio = frames(items, 'audio');
    const total = audio.reduce((n, f) => n + f.frame.nb_samples, 0);
    expect(total).toBe(48000);
    expect(audio).toHaveLength(Math.ceil(48000 / 1024));
    audio.slice(0, -1).forEach((f, k) => {
      expect(f.frame.nb_samples).toBe(1024);
      expect(f.frame.pts).toBe(k * 1024);
    });
    const last = audio.at(-1)!;
    expect(last.frame.nb_samples).toBe(48000 % 1024);
    expect(last.frame.pts).toBe((audio.length - 1) * 1024);
    expect(descriptors(items)[0]?.codecpar.frame_size).toBe(1024);
  });

  it('converts rate, format and layout', async () => {
    const src = testPattern({ audio: { sampleRate: 48000, channels: 2 }, duration: 1 });
    const items = await run(src, new Resampler({ sampleRate: 44100, sampleFormat: 's16', channelLayout: 'mono' }));
    const d = descriptors(items)[0]!;
    expect(d.timeBase).toEqual({ num: 1, den: 44100 });
    expect(d.codecpar).toMatchObject({ sample_rate: 44100, format: 's16', channel_layout: 'mono', channels: 1 });
    const audio = frames(items, 'audio');
    expect(audio.length).toBeGreaterThan(0);
    let next = 0;
    for (const f of audio) {
      expect([f.frame.sample_rate, f.frame.format, f.frame.channels]).toEqual([44100, 's16', 1]);
      expect(f.timeBase).toEqual({ num: 1, den: 44100 });
      expect(f.frame.pts).toBe(next);
      next += f.frame.nb_samples;
    }
    // swresample may keep a small tail (documented), but nearly all of one second arrives.
    expect(next).toBeLessThanOrEqual(44100);
    expect(next).toBeGreaterThan(44100 - 256);
  });
});

describe('Resampler tail', () => {
  it('a rate change keeps swresample\'s last samples: as many samples out as the ffmpeg command line gives', async () => {
    const out = await run(testPattern({ audio: { sampleRate: 48000, channels: 2 }, duration: 1 }), new Resampler({ sampleRate: 44100, frameSize: 1024 }));
    const samples = frames(out, 'audio').reduce((n, f) => n + f.frame.nb_samples, 0);
    const r = spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=sample_rate=48000', '-t', '1', '-ar', '44100', '-f', 's16le', '-'], { maxBuffer: 8 << 20 });
    expect(samples).toBe(r.stdout.length / 2);
    expect(samples).toBe(44100);
  });
});

describe('ChunkClock', () => {
  it('an hour of 48 kHz audio in chunks of 1000 samples ends exactly where the sample count says', () => {
    const firstPts = 123_456_789_012n;
    const clock = new ChunkClock(firstPts, 1000);
    const total = 48_000n * 3600n;
    const chunks = total / 1000n;
    let pts = 0n;
    let prev: bigint | undefined;
    let uneven = 0;
    for (let i = 0n; i < chunks; i++) {
      pts = clock.next(1000);
      if (prev !== undefined && pts - prev !== 1000n) uneven++;
      prev = pts;
    }
    expect(uneven).toBe(0);
    expect(clock.emittedSamples).toBe(total);
    // The last chunk starts 1000 samples before the end of everything emitted.
    expect(pts + 1000n).toBe(firstPts + clock.emittedSamples);
    expect(pts).toBe(firstPts + total - 1000n);
  });

  it('uneven chunk sizes still sum exactly', () => {
    const clock = new ChunkClock(0n, 1024);
    let sum = 0n;
    for (let i = 0; i < 10_000; i++) {
      const n = 1 + (i * 7919) % 2048;
      expect(clock.next(n)).toBe(sum);
      sum += BigInt(n);
    }
    expect(clock.emittedSamples).toBe(sum);
  });
});
