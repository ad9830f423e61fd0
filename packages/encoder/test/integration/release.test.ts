/** The Encoder consumes the video frames it is given: their buffers go back once the codec has them. */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { testPattern } from '@beamflow/core';
import type { Envelope, FrameEnvelope } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';

describe('Encoder and frame buffers', () => {
  it('releases each video frame after encoding it, and still encodes every frame', async () => {
    const input: Envelope[] = [];
    for await (const e of testPattern({ video: { width: 128, height: 72, frameRate: 25 }, frames: 10 })) input.push(e as Envelope);
    const frames = input.filter((e): e is FrameEnvelope => e.type === 'frame');
    let packets = 0;
    await pipeline(
      Readable.from(input),
      new Encoder({ video: { codec: 'libx264', preset: 'ultrafast' } }),
      new Writable({ objectMode: true, write: (e: Envelope, _enc, cb) => { if (e.type === 'packet') packets++; cb(); } }),
    );
    expect(packets).toBe(10);
    expect(frames.map((e) => e.frame.width)).toEqual(Array(10).fill(0));
  });
});
