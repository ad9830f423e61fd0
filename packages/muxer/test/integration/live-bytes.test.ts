import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { testPattern } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';

describe('byte output of a live stream', () => {
  it('reaches the sink while muxing goes on, not in one piece at the end', async () => {
    const muxer = new Muxer({ format: 'mpegts', options: { flush_packets: 1 } });
    const seenAt: number[] = [];
    let bytes = 0;
    await pipeline(
      testPattern({ video: { width: 160, height: 90, frameRate: 25 }, audio: { sampleRate: 48000, channels: 2 }, duration: 3 }),
      new Encoder({ video: { codec: 'h264', preset: 'ultrafast', options: { tune: 'zerolatency' } }, audio: { codec: 'aac' } }),
      new Rescaler(),
      muxer,
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          seenAt.push(muxer.packetsWritten);
          bytes += chunk.length;
          cb();
        },
      }),
    );
    const total = muxer.packetsWritten;
    expect(total).toBeGreaterThan(200);
    expect(bytes).toBeGreaterThan(0);
    // Bytes arrive in many chunks, the first long before the last packet was muxed.
    expect(seenAt.length).toBeGreaterThan(10);
    expect(seenAt[0]!).toBeLessThan(total / 2);
  });
});
