/**
 * Frames handed to a stage are consumed: their buffers are released as soon
 * as the native side holds its own reference, not at garbage collection.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Scaler, beamcoder, releaseFrame, testPattern } from '@beamflow/core';
import type { Envelope, FrameEnvelope } from '@beamflow/core';

const videoFrames = async (src: Readable): Promise<FrameEnvelope[]> => {
  const out: FrameEnvelope[] = [];
  for await (const e of src) if ((e as Envelope).type === 'frame') out.push(e as FrameEnvelope);
  return out;
};

describe('releasing frames', () => {
  it('release() empties the frame; Buffers taken from it earlier stay valid; a second release is harmless', () => {
    const f = beamcoder().frame({ width: 64, height: 36, format: 'yuv420p' }).alloc();
    const luma = f.data[0]!;
    luma.fill(77);
    releaseFrame(f);
    releaseFrame(f);
    expect(f.width).toBe(0);
    expect(f.data).toEqual([]);
    expect(luma.length).toBeGreaterThanOrEqual(64 * 36);
    expect(luma.every((b) => b === 77)).toBe(true);
  });

  it('keeps a frame named in `unless` (one passed on unchanged)', () => {
    const f = beamcoder().frame({ width: 64, height: 36, format: 'yuv420p' }).alloc();
    releaseFrame(f, [f]);
    expect(f.width).toBe(64);
  });

  it('the Scaler releases each video frame it scaled and keeps the frames it made', async () => {
    const input = await videoFrames(testPattern({ video: { width: 160, height: 90, frameRate: 25 }, frames: 5 }));
    expect(input.map((e) => e.frame.width)).toEqual([160, 160, 160, 160, 160]);
    const scaled = await videoFrames(Readable.from(input).pipe(new Scaler({ width: 80, height: 46 })));
    expect(input.map((e) => e.frame.width)).toEqual([0, 0, 0, 0, 0]);
    expect(scaled.map((e) => [e.frame.width, e.frame.height])).toEqual(Array(5).fill([80, 46]));
    expect(scaled.every((e) => e.frame.data[0]!.length >= 80 * 46)).toBe(true);
  });

  it('a Scaler with nothing to change passes frames on intact', async () => {
    const input = await videoFrames(testPattern({ video: { width: 160, height: 90, frameRate: 25 }, frames: 3 }));
    const out = await videoFrames(Readable.from(input).pipe(new Scaler({ width: 160, height: 90 })));
    expect(out.map((e) => e.frame)).toEqual(input.map((e) => e.frame));
    expect(out.map((e) => e.frame.width)).toEqual([160, 160, 160]);
  });
});
