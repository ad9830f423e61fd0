/**
 * The addon's live-object counts: they see what JavaScript holds, return to
 * their baseline when it lets go, and caught the filterer's lost frame.
 */
import { describe, expect, it } from 'vitest';
import { beamcoder, nativeObjectCounts } from '@beamflow/core';
import { mallocStats, mallocTrim } from '@beamflow/core/internal';
import { leaked, settledCounts } from '../../../../test/support/native-counts.js';

describe('native object counts', () => {
  it('count a frame JavaScript holds, with its buffers, until it is collected', async () => {
    const before = await settledCounts();
    let frame: { data: unknown } | undefined = beamcoder().frame({ width: 64, height: 36, format: 'yuv420p' }).alloc();
    // The Buffers over its planes exist once JavaScript asks for them.
    expect(Array.isArray(frame.data)).toBe(true);
    const held = nativeObjectCounts();
    expect(held.frames - before.frames).toBe(1);
    expect(held.frameBuffers - before.frameBuffers).toBeGreaterThanOrEqual(1);
    expect(frame).toBeDefined();
    frame = undefined;
    expect(leaked(before, await settledCounts())).toEqual({});
  });

  it('count a packet and a codec context while they are reachable', async () => {
    const before = await settledCounts();
    let packet: unknown = beamcoder().packet({ data: Buffer.alloc(100), size: 100, pts: 0 });
    let encoder: unknown = beamcoder().encoder({ name: 'libx264', width: 64, height: 36, pix_fmt: 'yuv420p', time_base: [1, 25] });
    const held = leaked(before, nativeObjectCounts());
    expect(held.packets).toBe(1);
    expect(held.codecContexts).toBe(1);
    expect([packet, encoder].every(Boolean)).toBe(true);
    packet = undefined;
    encoder = undefined;
    expect(leaked(before, await settledCounts())).toEqual({});
  });

  it('a filter graph run many times leaves no frame behind (beamcoder lost one per call)', async () => {
    const bc = beamcoder();
    const before = await settledCounts();
    // In a function of its own, so that nothing of the run stays reachable from this scope.
    const run = async (): Promise<number> => {
      const filterer = await bc.filterer({
        filterType: 'video',
        inputParams: [{ width: 64, height: 36, pixelFormat: 'yuv420p', timeBase: [1, 25], pixelAspect: [1, 1] }],
        outputParams: [{ pixelFormat: 'yuv420p' }],
        filterSpec: 'scale=32:18',
      });
      let out = 0;
      for (let i = 0; i < 20; i++) {
        const res = await filterer.filter([bc.frame({ width: 64, height: 36, format: 'yuv420p', pts: i }).alloc()]);
        out += res[0]!.frames.length;
      }
      return out;
    };
    expect(await run()).toBe(20);
    expect(leaked(before, await settledCounts())).toEqual({});
  });

  it("malloc's own figures see a frame's planes while it is held", () => {
    const before = mallocStats()!;
    expect(Object.values(before).every((v) => typeof v === 'number' && v >= 0)).toBe(true);
    // 1920x1080 4:2:0: about 3 MB of planes, far above what malloc's bookkeeping moves meanwhile.
    const frame = beamcoder().frame({ width: 1920, height: 1080, format: 'yuv420p' }).alloc();
    const held = mallocStats()!;
    expect(held.uordblks + held.hblkhd - (before.uordblks + before.hblkhd)).toBeGreaterThan(3_000_000);
    (frame as unknown as { release(): void }).release();
    expect(typeof mallocTrim()).toBe('boolean');
  });
});
