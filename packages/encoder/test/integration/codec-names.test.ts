/**
 * Codec names versus encoder names. The Encoder resolves a codec name ('h264') to an encoder
 * ('libx264'); what it tells the rest of the pipeline about the stream — the descriptor's
 * `codecpar.name`, and the codec it asks @beamflow/hw to negotiate — must be the codec's name, as
 * a demuxer's descriptor of the same stream would say, and as negotiate({ codec: 'h264' }) expects.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { StreamDescriptor } from '@beamflow/core';
import type { HardwareChoice } from '@beamflow/hw';
import { Encoder } from '@beamflow/encoder';
import type { EncoderConfig } from '@beamflow/encoder';
import { collect, isDescriptor, tiny } from '../helpers.js';

async function descriptorOf(cfg: EncoderConfig, audio = false): Promise<StreamDescriptor> {
  const enc = new Encoder(cfg);
  const out = await collect(Readable.from(tiny({ frames: 2, audio, video: cfg.video !== undefined })).pipe(enc));
  const d = out.find(isDescriptor);
  expect(d).toBeDefined();
  return d!;
}

describe("the descriptor's codecpar.name is the codec's name, not the encoder's", () => {
  it('aac → aac, libopus → opus', async () => {
    expect((await descriptorOf({ audio: { codec: 'aac' } }, true)).codecpar.name).toBe('aac');
    expect((await descriptorOf({ audio: { codec: 'libopus' } }, true)).codecpar.name).toBe('opus');
  });

  // Bug: the descriptor says 'libx264'.
  it('h264 (libx264) → h264', async () => {
    expect((await descriptorOf({ video: { codec: 'h264', preset: 'ultrafast' } })).codecpar.name).toBe('h264');
  });

  // Bug: the descriptor says 'libvpx-vp9'.
  it('vp9 (libvpx-vp9) → vp9', async () => {
    expect((await descriptorOf({ video: { codec: 'vp9', options: { deadline: 'realtime', 'cpu-used': 8 } } })).codecpar.name).toBe('vp9');
  });
});

describe("hwDevice 'auto' negotiates hardware for the codec", () => {
  // Bug: negotiate() is asked for codec 'libx264', which has no hardware encoders, so every device
  // is rejected with "no cuda encoder for libx264" before being probed: NVENC/VAAPI are never tried.
  it("codec 'h264': the devices considered are h264_nvenc and h264_vaapi", async () => {
    const enc = new Encoder({ video: { codec: 'h264', preset: 'ultrafast', hwDevice: 'auto' } });
    const choices: HardwareChoice[] = [];
    enc.on('hardware', (c: HardwareChoice) => choices.push(c));
    await collect(Readable.from(tiny({ frames: 2 })).pipe(enc));
    expect(choices).toHaveLength(1);
    const choice = choices[0]!;
    expect(enc.hardware).toBe(choice);
    for (const r of choice.rejected) {
      expect(['h264_nvenc', 'h264_vaapi'], `${r.encoder}: ${r.reason}`).toContain(r.encoder);
    }
    if (choice.kind === 'software') {
      expect(choice.rejected.map((r) => r.kind)).toEqual(['cuda', 'vaapi']);
      expect(choice.encoder).toBe('libx264');
    }
  });

  it("an encoder name ('libx264') skips negotiation: no 'hardware' event", async () => {
    const enc = new Encoder({ video: { codec: 'libx264', preset: 'ultrafast', hwDevice: 'auto' } });
    let events = 0;
    enc.on('hardware', () => events++);
    await collect(Readable.from(tiny({ frames: 2 })).pipe(enc));
    expect(events).toBe(0);
    expect(enc.hardware).toBeUndefined();
    expect(enc.encoders.video).toBe('libx264');
  });
});
