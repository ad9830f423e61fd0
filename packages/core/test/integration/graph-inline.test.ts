/**
 * Where filter-graph calls run: an audio conversion (microseconds a call) on
 * the calling thread, which saves the trip to libuv's pool; a scale of a big
 * picture (milliseconds) on the pool after its first call, so that it never
 * holds the thread that feeds every other stage. Counted by the pool work
 * each call queues (async_hooks sees the addon's "Filter" work); what comes
 * out is checked either way.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { Resampler, Scaler, beamcoder, fromFrames, releaseFrame, testPattern, type Envelope, type Frame } from '@beamflow/core';
import { poolWork } from '../../../../test/support/pool.js';

function collect(seen: Frame[]): Writable {
  return new Writable({
    objectMode: true,
    write(e: Envelope, _enc, cb) {
      if (e.type === 'frame') seen.push(e.frame);
      cb();
    },
  });
}

function* pcm(n: number): Generator<Frame> {
  for (let i = 0; i < n; i++) {
    const f = beamcoder().frame({ nb_samples: 1024, format: 's16', channels: 2, channel_layout: 'stereo', sample_rate: 44100, pts: i * 1024 }).alloc();
    const d = (f.data as Buffer[])[0]!;
    for (let s = 0; s < 2048; s++) d.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * (i * 2048 + s)) / 88200)), s * 2);
    yield f;
  }
}

describe('filter graph calls', () => {
  it('an audio conversion runs on the calling thread', async () => {
    const out: Frame[] = [];
    const queued = await poolWork('Filter', () => pipeline(fromFrames(pcm(60)), new Resampler({ sampleRate: 48000, sampleFormat: 'fltp' }), collect(out)));
    // A busy machine may push a few calls over the limit (the time is measured, not counted).
    expect(queued).toBeLessThan(30);
    const samples = out.reduce((n, f) => n + f.nb_samples, 0);
    expect(out.every((f) => f.format === 'fltp' && f.sample_rate === 48000)).toBe(true);
    // 60 × 1024 samples at 44.1 kHz are 66,873 at 48 kHz; the resampler's delay holds back a few.
    expect(Math.abs(samples - Math.round((60 * 1024 * 48000) / 44100))).toBeLessThan(64);
  });

  it('a scale of a big picture runs on the pool after its first call', async () => {
    const out: Frame[] = [];
    const queued = await poolWork('Filter', () => pipeline(
      testPattern({ video: { width: 1920, height: 1080, frameRate: 25 }, frames: 12 }),
      new Scaler({ width: 1280, height: 720, algorithm: 'lanczos' }),
      collect(out),
    ));
    expect(queued).toBeGreaterThanOrEqual(10);
    expect(out.map((f) => `${f.width}x${f.height}`)).toEqual(Array(12).fill('1280x720'));
    for (const f of out) releaseFrame(f);
  }, 60_000);
});
