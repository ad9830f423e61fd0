/**
 * Backpressure (DESIGN.md "Backpressure ↔ EAGAIN"): a slow consumer of the Encoder's packets stops
 * the codec, which stops taking frames, which stops the source. Measured on 1080p frames (3 MB each),
 * where a source running ahead would show at once.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { testPattern } from '@beamflow/core';
import type { Envelope } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import type { EncoderStats } from '@beamflow/encoder';
import { expectNoNativeLeaks } from '../../../../test/support/leak-hooks.js';

expectNoNativeLeaks();

describe('Encoder under a slow consumer', () => {
  it('1080p into a consumer taking one packet per 20 ms: the source never runs more than a few frames ahead of the encoder', async () => {
    const FRAMES = 50;
    const src = testPattern({ video: { width: 1920, height: 1080, frameRate: 25 }, frames: FRAMES });
    // Two threads: x264's frame-thread delay grows with the core count, and the bound below counts it.
    const enc = new Encoder({ video: { codec: 'h264', preset: 'ultrafast', threads: 2 }, statsInterval: 100 });
    let produced = 0;
    src.on('data', (e: Envelope) => {
      if (e.type === 'frame') produced++;
    });
    let consumed = 0;
    let maxAhead = 0; // frames the source produced that the encoder has not taken
    let maxInFlight = 0; // frames the encoder took that have not reached the consumer as packets
    let maxReadable = 0;
    let producedAtFifthPacket = -1;
    const sample = (): void => {
      const s = enc.stats();
      maxAhead = Math.max(maxAhead, produced - s.framesIn);
      maxInFlight = Math.max(maxInFlight, s.framesIn - consumed);
      maxReadable = Math.max(maxReadable, enc.readableLength);
    };
    const iv = setInterval(sample, 5);
    const statsEvents: EncoderStats[] = [];
    enc.on('stats', (s: EncoderStats) => statsEvents.push(s));
    const sink = new Writable({
      objectMode: true,
      highWaterMark: 1,
      write(e: Envelope, _enc, cb) {
        sample();
        if (e.type === 'packet' && ++consumed === 5) producedAtFifthPacket = produced;
        setTimeout(cb, 20);
      },
    });
    src.on('data', sample);
    try {
      await pipeline(src, enc, sink);
    } finally {
      clearInterval(iv);
    }
    const measured = JSON.stringify({ maxAhead, maxInFlight, maxReadable, producedAtFifthPacket });
    expect(consumed).toBe(FRAMES);
    expect(produced).toBe(FRAMES);
    // Writable side (high-water mark 2) + the frame in the codec's hands + a scheduling slack.
    expect(maxAhead, measured).toBeLessThanOrEqual(8);
    // Frames taken but not yet consumed as packets: the readable side (high-water mark 32) plus the
    // codec's own delay; without backpressure the encoder would take all 50 while the consumer has a few.
    expect(maxInFlight, measured).toBeLessThanOrEqual(32 + 8);
    expect(maxReadable, measured).toBeLessThanOrEqual(32 + 2);
    // So the source was held back: when the consumer had taken its fifth packet, it had not finished.
    expect(producedAtFifthPacket, measured).toBeGreaterThan(0);
    expect(producedAtFifthPacket, measured).toBeLessThan(FRAMES);
    const s = enc.stats();
    expect(s.framesIn).toBe(FRAMES);
    expect(s.packetsOut).toBe(FRAMES);
    expect(s.bytesOut).toBeGreaterThan(0);
    expect(s.fps).toBeGreaterThan(0);
    expect(s.elapsed).toBeGreaterThan(0);
    expect(s.duration).toBe(FRAMES / 25);
    expect(statsEvents.length).toBeGreaterThan(0);
    const last = statsEvents[statsEvents.length - 1]!;
    expect(last.framesIn).toBe(FRAMES);
    expect(last.packetsOut).toBe(FRAMES);
  });

  it('a stalled consumer stops the codec and the source; released, every frame comes out', async () => {
    const FRAMES = 150;
    const src = testPattern({ video: { width: 128, height: 72, frameRate: 25 }, frames: FRAMES });
    const enc = new Encoder({ video: { codec: 'h264', preset: 'ultrafast', threads: 2 } });
    let produced = 0;
    src.on('data', (e: Envelope) => {
      if (e.type === 'frame') produced++;
    });
    let stalled: { produced: number; framesIn: number; packetsOut: number; readable: number; sourceEnded: boolean } | undefined;
    let consumed = 0;
    const sink = new Writable({
      objectMode: true,
      highWaterMark: 1,
      write(e: Envelope, _enc, cb) {
        if (e.type === 'packet') consumed++;
        if (consumed !== 1 || stalled) return cb();
        // Hold the first packet until the encoder has stopped taking frames (unchanged over three polls).
        let last = -1;
        let still = 0;
        const iv = setInterval(() => {
          const n = enc.stats().framesIn;
          still = n === last ? still + 1 : 0;
          last = n;
          if (still >= 3) {
            clearInterval(iv);
            stalled = { produced, framesIn: n, packetsOut: enc.stats().packetsOut, readable: enc.readableLength, sourceEnded: src.readableEnded };
            cb();
          }
        }, 30);
      },
    });
    await pipeline(src, enc, sink);
    expect(stalled).toBeDefined();
    const what = JSON.stringify(stalled);
    expect(stalled!.sourceEnded, what).toBe(false);
    expect(stalled!.produced, what).toBeLessThan(FRAMES / 2);
    expect(stalled!.produced - stalled!.framesIn, what).toBeLessThanOrEqual(8);
    // The encoder stopped once its readable side was full (32) and the codec held its delay.
    expect(stalled!.packetsOut, what).toBeLessThanOrEqual(32 + 4);
    expect(stalled!.framesIn, what).toBeLessThanOrEqual(32 + 8);
    expect(consumed).toBe(FRAMES);
    expect(enc.stats()).toMatchObject({ framesIn: FRAMES, packetsOut: FRAMES });
  });
});
