/**
 * decodeFile({ hwaccel }) on this machine, which has no GPU: 'auto' decodes
 * in software and says why each device lost, an insisted device fails with a
 * typed error before any frame, and the patched decoder's get_format falls
 * back to software when the device it was given cannot decode the codec
 * (Vulkan over lavapipe: FFmpeg 5.1 has no Vulkan H.264 hwaccel).
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BeamflowError, ConfigError, beamcoder, decodeFile, demuxFile, type Frame, type FrameEnvelope } from '@beamflow/core';
import { expectNoNativeLeaks } from '../../../../test/support/leak-hooks.js';

expectNoNativeLeaks();

const dir = mkdtempSync(join(tmpdir(), 'beamflow-hwaccel-'));
const input = join(dir, 'in.mp4');
const hasGpu = existsSync('/dev/nvidia0') || existsSync('/dev/dri');

beforeAll(() => {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=128x72:rate=25', '-t', '1', '-c:v', 'libx264', '-preset', 'ultrafast', '-bf', '2', input]);
  expect(r.status).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** pts and a digest of the luma plane of every frame. */
function fingerprint(frames: Frame[]): Array<[number, string]> {
  return frames.map((f) => [f.pts as number, createHash('sha1').update((f.data as unknown as Buffer[])[0]!).digest('hex')]);
}

async function decodedFrames(src: Readable): Promise<Frame[]> {
  const frames: Frame[] = [];
  for await (const e of src) if ((e as FrameEnvelope).type === 'frame') frames.push((e as FrameEnvelope).frame);
  return frames;
}

describe('decodeFile with hwaccel', () => {
  it("'auto' without a GPU decodes in software, frame for frame as without it, with a reason per device", async () => {
    const plain = fingerprint(await decodedFrames(decodeFile(input)));
    const src = decodeFile(input, { hwaccel: 'auto' });
    const seen: unknown[] = [];
    src.on('hardware', (c) => seen.push(c));
    const frames = await decodedFrames(src);
    expect(plain).toHaveLength(25);
    expect(fingerprint(frames)).toEqual(plain);
    expect(seen).toEqual([src.hardware]);
    if (!hasGpu) {
      expect(src.hardware).toMatchObject({ kind: 'software', device: undefined });
      expect(src.hardware!.rejected.map((r) => r.kind)).toEqual(['cuda', 'vaapi']);
      for (const r of src.hardware!.rejected) expect(r.reason).toMatch(/not loadable|no \/dev\/dri|did not open/);
    }
  });

  it("'cuda' where there is no CUDA device fails with BEAMFLOW_DEVICE_UNAVAILABLE before any frame", async () => {
    if (existsSync('/dev/nvidia0')) return expect(await decodedFrames(decodeFile(input, { hwaccel: 'cuda' }))).toHaveLength(25);
    let frames = 0;
    let caught: unknown;
    try {
      for await (const e of decodeFile(input, { hwaccel: 'cuda' })) if ((e as FrameEnvelope).type === 'frame') frames++;
    } catch (err) {
      caught = err;
    }
    expect(BeamflowError.isInstance(caught) && caught.code).toBe('BEAMFLOW_DEVICE_UNAVAILABLE');
    expect((caught as { reasons: string[] }).reasons.join()).toMatch(/cuda/);
    expect(frames).toBe(0);
  });

  it('bad values are ConfigErrors naming what is allowed; demuxFile does not decode', () => {
    expect(() => decodeFile(input, { hwaccel: 'nvdec' as never })).toThrow(ConfigError);
    const err = ((): unknown => {
      try {
        decodeFile(input, { hwaccel: 'gpu' as never });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).field).toBe('hwaccel');
    expect((err as ConfigError).allowed).toEqual(['auto', 'cuda', 'vaapi', 'none']);
    expect(() => demuxFile(input, { hwaccel: 'auto' })).toThrow(/only decodeFile decodes/);
    expect(() => demuxFile(input, { hwaccel: 'none' })).not.toThrow();
  });

  it('a decoder given a device that cannot decode its codec falls back to software frames with the right timestamps', async () => {
    const bc = beamcoder() as unknown as {
      hwDeviceContext(type: string): unknown;
      demuxer(url: string): Promise<{ read(): Promise<unknown> }>;
      decoder(o: Record<string, unknown>): { decode(p: unknown): Promise<{ frames: Frame[] }>; flush(): Promise<{ frames: Frame[] }>; hw_device_ctx: { device_type: string | null } | null };
    };
    const dm = await bc.demuxer(input);
    const dec = bc.decoder({ demuxer: dm, stream_index: 0, hwaccel: true, hw_device_ctx: bc.hwDeviceContext('vulkan') });
    expect(dec.hw_device_ctx?.device_type).toBe('vulkan');
    const frames: Frame[] = [];
    for (let p = await dm.read(); p; p = await dm.read()) frames.push(...(await dec.decode(p)).frames);
    frames.push(...(await dec.flush()).frames);
    expect(frames.map((f) => f.format)).toEqual(Array(25).fill('yuv420p'));
    expect(fingerprint(frames)).toEqual(fingerprint(await decodedFrames(decodeFile(input))));
  });
});
