import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { BeamflowError, testPattern } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { clearNegotiationCache, negotiate } from '@beamflow/hw';
import { Muxer, Rescaler } from '@beamflow/muxer';

/** NVENC can only work where the NVIDIA device node exists. */
const hasNvidia = existsSync('/dev/nvidia0');

const dir = mkdtempSync(join(tmpdir(), 'beamflow-hw-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  clearNegotiationCache();
});

const source = () => testPattern({ video: { width: 64, height: 36, frameRate: 25 }, frames: 5 });

describe('negotiate on this machine', () => {
  it("codec 'h264' resolves, explaining every candidate that lost", async () => {
    const choice = await negotiate({ codec: 'h264' });
    if (!hasNvidia) {
      expect(choice.kind).not.toBe('cuda');
      expect(choice.rejected.some((r) => r.kind === 'cuda')).toBe(true);
    }
    if (choice.kind === 'software') {
      expect(choice.encoder).toBe('libx264');
      expect(choice.device).toBeUndefined();
      const kinds = choice.rejected.map((r) => r.kind);
      expect(kinds).toContain('cuda');
      expect(kinds).toContain('vaapi');
      for (const r of choice.rejected) expect(r.reason).toMatch(/\S/);
    } else {
      // Only possible on a machine with a working GPU encoder.
      expect(choice.kind === 'cuda' ? hasNvidia : existsSync('/dev/dri')).toBe(true);
    }
  });
});

describe('Encoder with hwDevice', () => {
  it("hwDevice 'cuda' fails with BEAMFLOW_DEVICE_UNAVAILABLE when there is no NVIDIA device, writing no output", async () => {
    const out = join(dir, 'cuda.mp4');
    const encoder = new Encoder({ video: { codec: 'h264', hwDevice: 'cuda', preset: 'ultrafast' } });
    let caught: unknown;
    try {
      await pipeline(source(), encoder, new Rescaler(), new Muxer({ format: 'mp4', output: out }));
    } catch (err) {
      caught = err;
    }
    if (hasNvidia && caught === undefined) {
      expect(encoder.hardware?.kind).toBe('cuda');
      expect(statSync(out).size).toBeGreaterThan(0);
      return;
    }
    expect(BeamflowError.isInstance(caught)).toBe(true);
    expect((caught as BeamflowError).code).toBe('BEAMFLOW_DEVICE_UNAVAILABLE');
    expect((caught as { reasons?: readonly string[] }).reasons?.length).toBeGreaterThan(0);
    expect(!existsSync(out) || statSync(out).size === 0).toBe(true);
  });

  it("hwDevice 'auto' falls back and encodes", async () => {
    const out = join(dir, 'auto.mp4');
    const encoder = new Encoder({ video: { codec: 'h264', hwDevice: 'auto', preset: 'ultrafast' } });
    await pipeline(source(), encoder, new Rescaler(), new Muxer({ format: 'mp4', output: out }));
    expect(encoder.hardware).toBeDefined();
    if (!hasNvidia && !existsSync('/dev/dri')) {
      expect(encoder.hardware?.kind).toBe('software');
      expect(encoder.hardware?.encoder).toBe('libx264');
    }
    expect(statSync(out).size).toBeGreaterThan(0);
    const probe = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,nb_read_frames,width,height', '-of', 'csv=p=0', out], { encoding: 'utf8' });
    expect(probe.stdout.trim()).toBe('h264,64,36,5');
  });
});
