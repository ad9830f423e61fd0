/**
 * A device's encoder may not take a config the software encoder takes (x264's
 * preset names mean nothing to NVENC). With hwDevice 'auto' that is one more
 * reason to fall back; with 'cuda' it is the user's ConfigError. The machine
 * has no GPU, so negotiation is replaced by one that picks NVENC.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError, testPattern, type Envelope } from '@beamflow/core';
import type * as Hw from '@beamflow/hw';
import type { HardwareChoice } from '@beamflow/hw';

vi.mock('@beamflow/hw', async (importOriginal) => {
  const actual = await importOriginal<typeof Hw>();
  return {
    ...actual,
    negotiate: vi.fn(async (): Promise<HardwareChoice> => ({
      kind: 'cuda', encoder: 'h264_nvenc', device: { kind: 'cuda', device: '0' }, pixelFormat: 'yuv420p', upload: false,
      rejected: [],
    })),
  };
});

const { Encoder } = await import('@beamflow/encoder');

async function run(encoder: InstanceType<typeof Encoder>): Promise<number> {
  let packets = 0;
  await pipeline(testPattern({ video: { width: 64, height: 36, frameRate: 25 }, frames: 5 }), encoder, new Writable({
    objectMode: true,
    write(e: Envelope, _enc, cb) {
      if (e.type === 'packet') packets++;
      cb();
    },
  }));
  return packets;
}

describe('hardware choice and the config', () => {
  it("'auto': a preset NVENC does not know sends the encode to libx264, with the reason", async () => {
    const encoder = new Encoder({ video: { codec: 'h264', hwDevice: 'auto', preset: 'ultrafast' } });
    const seen: HardwareChoice[] = [];
    encoder.on('hardware', (c: HardwareChoice) => seen.push(c));
    expect(await run(encoder)).toBe(5);
    expect(encoder.hardware).toMatchObject({ kind: 'software', encoder: 'libx264', upload: false });
    expect(encoder.hardware!.rejected).toHaveLength(1);
    expect(encoder.hardware!.rejected[0]).toMatchObject({ kind: 'cuda', encoder: 'h264_nvenc' });
    expect(encoder.hardware!.rejected[0]!.reason).toMatch(/^the config does not fit h264_nvenc: video\.preset: unknown preset "ultrafast"/);
    expect(seen).toEqual([encoder.hardware]);
  });

  it("'cuda': the same config is a ConfigError naming the field", async () => {
    const encoder = new Encoder({ video: { codec: 'h264', hwDevice: 'cuda', preset: 'ultrafast' } });
    const err = await run(encoder).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).field).toBe('video.preset');
  });
});
