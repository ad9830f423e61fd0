import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { testPattern, type Envelope } from '@beamflow/core';
import { fromReadable, toReadable } from '@beamflow/core/rx';
import { encode } from '@beamflow/encoder/rx';

describe('encode() in an RxJS chain under a slow consumer', () => {
  it('the source is held back by the sink: frames in flight stay bounded, every frame is encoded', async () => {
    const frames = 400;
    let emitted = 0;
    let packets = 0;
    const inFlight: number[] = [];
    const frames$ = fromReadable<Envelope>(testPattern({ video: { width: 64, height: 36, frameRate: 25 }, frames })).pipe(
      tap((e) => {
        if (e.type === 'frame') emitted++;
      }),
    );
    // A bound of 8 in front of the encoder: with no backpressure, 400 frames would overflow it at once.
    const packets$ = frames$.pipe(encode({ video: { codec: 'h264', preset: 'ultrafast', threads: 1, maxBFrames: 0 } }, { bound: 8 }));
    await pipeline(
      toReadable(packets$, { bound: 8 }),
      new Writable({
        objectMode: true,
        highWaterMark: 1,
        write(e: Envelope, _enc, cb) {
          if (e.type === 'packet') {
            packets++;
            inFlight.push(emitted - packets);
          }
          setTimeout(cb, 1);
        },
      }),
    );
    expect(packets).toBe(frames);
    expect(emitted).toBe(frames);
    // The buffers in the chain add up to about 40 (the Encoder's readable side holds 32 packets,
    // its writable side 2 frames, each bridge 1, the codec its delay); without backpressure all
    // 400 frames would be in flight (or the bound of 8 would overflow).
    expect(Math.max(...inFlight)).toBeLessThan(64);
  });
});
