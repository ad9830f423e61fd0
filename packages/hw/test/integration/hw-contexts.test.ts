/**
 * The beamcoder patch's hardware calls, for real. This machine has no GPU, so
 * VAAPI and CUDA are exercised where they fail (FFmpeg's message must come
 * back as an exception, never a crash); the success path of device, frames
 * pool, upload and download runs on Vulkan over Mesa's software rasteriser
 * (lavapipe), which FFmpeg 5.1 drives through the same hwcontext API.
 */
import { describe, expect, it } from 'vitest';
import { beamcoder, type Frame } from '@beamflow/core';
import { _createFrames, _downloadFrame, _openDevice, _uploadFrame, type HardwareDeviceContext } from '@beamflow/core/internal';
import { expectNoNativeLeaks } from '../../../../test/support/leak-hooks.js';

expectNoNativeLeaks();

const bc = () => beamcoder() as unknown as {
  hwDeviceContext(type: string, device?: string): HardwareDeviceContext;
  frame(o: Record<string, unknown>): Frame;
  demuxer(url: string): Promise<{ read(): Promise<unknown>; streams: unknown[] }>;
  decoder(o: Record<string, unknown>): { decode(p: unknown): Promise<{ frames: Frame[] }>; flush(): Promise<{ frames: Frame[] }>; hw_device_ctx: { device_type: string | null } | null };
};

function patterned(width: number, height: number, pts: number): Frame {
  const f = bc().frame({ width, height, format: 'yuv420p', pts }).alloc();
  const planes = f.data as unknown as Buffer[];
  planes.forEach((plane, p) => {
    for (let i = 0; i < plane.length; i++) plane[i] = (i * (p + 3) + pts) & 0xff;
  });
  return f;
}

/** The visible bytes of each plane (rows without line padding). */
function pictureBytes(f: Frame): Buffer[] {
  const planes = f.data as unknown as Buffer[];
  const linesize = f.linesize as unknown as number[];
  return [0, 1, 2].map((p) => {
    const w = p === 0 ? f.width : f.width / 2;
    const h = p === 0 ? f.height : f.height / 2;
    const rows: Buffer[] = [];
    for (let y = 0; y < h; y++) rows.push(planes[p]!.subarray(y * linesize[p]!, y * linesize[p]! + w));
    return Buffer.concat(rows);
  });
}

describe('hardware contexts through the patched beamcoder', () => {
  it('a VAAPI device that is not there, and CUDA without a driver, throw FFmpeg’s reason', () => {
    expect(() => _openDevice('vaapi', '/nonexistent/renderD199')).toThrow(/Failed to create the hardware device: /);
    expect(() => _openDevice('cuda', '0')).toThrow(/Failed to create the hardware device: /);
    expect(() => bc().hwDeviceContext('no-such-device')).toThrow(/Unknown hardware device type/);
  });

  it('upload to a device frames pool and download back: same picture, same timestamps', () => {
    const device = bc().hwDeviceContext('vulkan');
    const frames = _createFrames(device, { pixelFormat: 'vulkan', swPixelFormat: 'yuv420p', width: 64, height: 36 });
    expect(frames).toMatchObject({ pix_fmt: 'vulkan', sw_pix_fmt: 'yuv420p', width: 64, height: 36 });
    for (const pts of [0, 1234, 99_000]) {
      const sw = patterned(64, 36, pts);
      const hw = _uploadFrame(sw, frames);
      expect(hw.format).toBe('vulkan');
      expect(hw.pts).toBe(pts);
      const back = _downloadFrame(hw);
      expect(back.format).toBe('yuv420p');
      expect(back.pts).toBe(pts);
      expect(pictureBytes(back)).toEqual(pictureBytes(sw));
    }
  });

  it('misuse is an exception, not a crash', () => {
    const device = bc().hwDeviceContext('vulkan');
    const frames = _createFrames(device, { pixelFormat: 'vulkan', swPixelFormat: 'yuv420p', width: 64, height: 36 });
    const hw = _uploadFrame(patterned(64, 36, 0), frames);
    expect(() => _uploadFrame(hw, frames)).toThrow(/system memory/);
    expect(() => _downloadFrame(patterned(64, 36, 0))).toThrow(/device memory/);
    expect(() => _createFrames(device, { pixelFormat: 'vulkan', swPixelFormat: 'not-a-format', width: 64, height: 36 })).toThrow(/pix_fmt/);
    expect(() => _createFrames(device, { pixelFormat: 'vulkan', swPixelFormat: 'yuv420p', width: 0, height: 36 })).toThrow(/width and height/);
    expect(() => _uploadFrame(patterned(64, 36, 0), {} as never)).toThrow(/frames context/);
  });
});
