/**
 * Backpressure from the sink reaches the Muxer (and through it every stage
 * upstream): a slow Writable with a small high-water mark on byte output.
 */
import { statSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';
import { aacPackets, expectMedia } from '../probe.js';
import { FPS, H264_AAC, H264_LOSSLESS_AAC, SAMPLE_RATE, avSource, noise, tap, tempDir } from './harness.js';

const dir = tempDir('backpressure');
const VIDEO = { codec: 'h264', frames: 2 * FPS, frameSeconds: 1 / FPS };
const AUDIO = { codec: 'aac', frames: aacPackets(2 * SAMPLE_RATE), frameSeconds: 1024 / SAMPLE_RATE };

/** A file sink that takes one chunk per `ms` milliseconds; `first` may hold the first chunk longer. */
function slowFileSink(path: string, ms: number, first?: (done: () => void) => void): Writable & { chunks: number } {
  writeFileSync(path, '');
  const sink = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _enc, cb) {
      appendFileSync(path, chunk);
      sink.chunks++;
      if (sink.chunks === 1 && first) first(() => cb());
      else setTimeout(cb, ms);
    },
  }) as Writable & { chunks: number };
  sink.chunks = 0;
  return sink;
}

describe('Muxer byte output under backpressure', () => {
  it('mpegts into a slow Writable (one chunk per 10 ms, highWaterMark 1 KiB) completes with a correct file', async () => {
    const path = join(dir, 'slow.ts');
    const rescaler = new Rescaler();
    const sent = tap(rescaler);
    const muxer = new Muxer({ format: 'mpegts' });
    const sink = slowFileSink(path, 10);
    await pipeline(avSource(2), new Encoder(H264_AAC), rescaler, muxer, sink);
    expect(sink.chunks).toBeGreaterThanOrEqual(1);
    expect(muxer.packetsWritten).toBe(sent.video + sent.audio);
    expect(statSync(path).size % 188).toBe(0);
    expectMedia(path, { video: VIDEO, audio: AUDIO });
  });

  it('a stalled sink stops the Muxer and the source before the end; released, it completes with a correct file', async () => {
    // Lossless noise: about 1 MB of mpegts, so the output is many 64 KiB chunks, far more than the buffers
    // between the sink and FFmpeg's writer (sink 1 KiB + Muxer 64 KiB + FFmpeg's I/O) can hold.
    const path = join(dir, 'stalled.ts');
    const src = avSource(2);
    const rescaler = new Rescaler();
    const sent = tap(rescaler);
    const muxer = new Muxer({ format: 'mpegts' });
    let maxReadable = 0;
    let stalled: { muxed: number; sourceEnded: boolean; chunksSeen: number } | undefined;
    const sink = slowFileSink(path, 10, (done) => {
      // Hold the first chunk until the Muxer has stopped muxing (unchanged over three polls), then let go.
      let last = -1;
      let still = 0;
      const iv = setInterval(() => {
        maxReadable = Math.max(maxReadable, muxer.readableLength);
        still = muxer.packetsWritten === last ? still + 1 : 0;
        last = muxer.packetsWritten;
        if (still >= 3) {
          clearInterval(iv);
          stalled = { muxed: muxer.packetsWritten, sourceEnded: src.readableEnded, chunksSeen: sink.chunks };
          done();
        }
      }, 50);
    });
    muxer.on('data', () => {
      maxReadable = Math.max(maxReadable, muxer.readableLength);
    });
    await pipeline(src, noise(), new Encoder(H264_LOSSLESS_AAC), rescaler, muxer, sink);

    const total = sent.video + sent.audio;
    expect(total).toBe(VIDEO.frames + AUDIO.frames);
    expect(stalled).toBeDefined();
    // While the sink held its first chunk, the Muxer wrote only part of the input and the source was held back.
    expect(stalled!.chunksSeen).toBe(1);
    expect(stalled!.muxed).toBeGreaterThan(0);
    expect(stalled!.muxed).toBeLessThan(total / 2);
    expect(stalled!.sourceEnded).toBe(false);
    // The Muxer's readable side never held more than its high-water mark (64 KiB) plus one chunk.
    expect(maxReadable).toBeLessThanOrEqual(2 * 65536);
    expect(sink.chunks).toBeGreaterThan(8);
    expect(muxer.packetsWritten).toBe(total);
    expectMedia(path, { video: VIDEO, audio: AUDIO });
  });
});
