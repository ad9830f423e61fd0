/**
 * stats(): counters and rates that a progress bar needs, correct for an input of unknown length
 * (a live source: duration undefined) as well as for a bounded one.
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { testPattern } from '@beamflow/core';
import type { Envelope } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import type { EncoderStats } from '@beamflow/encoder';
import { FPS, SAMPLE_RATE, collect, discard, isPacket, take, tiny } from '../helpers.js';

describe('Encoder stats()', () => {
  it('an input of unknown length (no duration, no frames), 30 frames taken then ended: duration undefined, framesIn 30', async () => {
    const src = testPattern({ video: { width: 128, height: 72, frameRate: FPS } });
    expect(src.streams[0]!.duration).toBeUndefined();
    const enc = new Encoder({ video: { codec: 'h264', preset: 'ultrafast' }, statsInterval: 0 });
    const events: EncoderStats[] = [];
    enc.on('stats', (s: EncoderStats) => events.push(s));
    const during: EncoderStats[] = [];
    let bytes = 0;
    await pipeline(take(src, 30), enc, discard((e) => {
      if (isPacket(e)) bytes += e.packet.size;
      during.push(enc.stats());
    }));
    expect(src.destroyed).toBe(true);
    const s = enc.stats();
    expect(s.duration).toBeUndefined();
    expect(s.framesIn).toBe(30);
    expect(s.packetsOut).toBe(30);
    expect(s.bytesOut).toBe(bytes);
    expect(s.time).toBeCloseTo(29 / FPS, 9);
    expect(s.elapsed).toBeGreaterThan(0);
    expect(s.fps).toBeGreaterThan(0);
    expect(s.speed).toBeGreaterThan(0);
    for (const d of during) {
      expect(d.duration).toBeUndefined();
      expect(Number.isFinite(d.fps) && Number.isFinite(d.speed)).toBe(true);
    }
    // Counters never go backwards.
    for (let i = 1; i < during.length; i++) {
      expect(during[i]!.framesIn).toBeGreaterThanOrEqual(during[i - 1]!.framesIn);
      expect(during[i]!.packetsOut).toBeGreaterThanOrEqual(during[i - 1]!.packetsOut);
    }
    // statsInterval 0: a 'stats' event per frame, and a last one at the end with the totals.
    expect(events.length).toBeGreaterThanOrEqual(30);
    expect(events[events.length - 1]).toMatchObject({ framesIn: 30, packetsOut: 30, duration: undefined });
  });

  it('the same source without descriptors (frames only): duration still undefined, framesIn matches', async () => {
    const src = testPattern({ video: { width: 128, height: 72, frameRate: FPS }, audio: { sampleRate: SAMPLE_RATE, channels: 2 } });
    const enc = new Encoder({ video: { codec: 'h264', preset: 'ultrafast' }, audio: { codec: 'aac' } });
    const out = await collect(Readable.from(take(src, 30, false)).pipe(enc));
    const s = enc.stats();
    expect(s.duration).toBeUndefined();
    expect(s.framesIn).toBe(30);
    expect(s.packetsOut).toBe(out.filter(isPacket).length);
  });

  it("time counts from the input's first frame, not from zero (an MPEG-TS input starts at 1.4 s)", async () => {
    async function* late(): AsyncGenerator<Envelope> {
      for await (const e of testPattern({ video: { width: 128, height: 72, frameRate: FPS }, frames: 20 })) {
        const env = e as Envelope;
        if (env.type === 'frame') env.frame.pts = Number(env.frame.pts) + 35; // 1.4 s at 25 fps
        yield env;
      }
    }
    const enc = new Encoder({ video: { codec: 'h264', preset: 'ultrafast' } });
    await pipeline(Readable.from(late()), enc, discard(() => undefined));
    expect(enc.stats().time).toBeCloseTo(19 / FPS, 9);
  });

  it('a bounded input: duration is the announced length in seconds; time reaches the last frame', async () => {
    const enc = new Encoder({ video: { codec: 'h264', preset: 'ultrafast' }, audio: { codec: 'aac' } });
    const out: Envelope[] = [];
    await pipeline(tiny({ duration: 1.2, audio: true }), enc, discard((e) => out.push(e)));
    const s = enc.stats();
    expect(s.duration).toBeCloseTo(1.2, 9);
    const videoFrames = 1.2 * FPS;
    const audioFrames = Math.ceil((1.2 * SAMPLE_RATE) / 1024);
    expect(s.framesIn).toBe(videoFrames + audioFrames);
    expect(s.videoFramesIn).toBe(videoFrames);
    // fps counts video frames, as ffmpeg's does: never more than video frames over elapsed time.
    expect(s.fps).toBeLessThanOrEqual(videoFrames / s.elapsed + 1e-9);
    expect(s.packetsOut).toBe(out.filter(isPacket).length);
    expect(s.bytesOut).toBe(out.filter(isPacket).reduce((n, p) => n + p.packet.size, 0));
    expect(s.time).toBeGreaterThanOrEqual((videoFrames - 1) / FPS);
    expect(s.time).toBeLessThanOrEqual(1.2);
  });

  it("'stats' events are at least statsInterval apart; a final one at the end carries the totals", async () => {
    const INTERVAL = 50;
    const enc = new Encoder({ video: { codec: 'h264', preset: 'ultrafast' }, statsInterval: INTERVAL });
    const at: number[] = [];
    const events: EncoderStats[] = [];
    enc.on('stats', (s: EncoderStats) => {
      at.push(performance.now());
      events.push(s);
    });
    // A consumer taking a packet every 10 ms makes the encode last about 400 ms.
    const sink = new Writable({ objectMode: true, write: (_e, _enc, cb) => void setTimeout(cb, 10) });
    await pipeline(tiny({ frames: 40 }), enc, sink);
    expect(events.length).toBeGreaterThanOrEqual(2);
    // Every event but the last (the end's, which comes whenever the end does) waited for the interval.
    for (let i = 1; i < at.length - 1; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(INTERVAL - 1);
    expect(events[events.length - 1]).toMatchObject({ framesIn: 40, packetsOut: 40, duration: 40 / FPS });
  });
});
