import { beforeEach, describe, expect, it } from 'vitest';
import { BeamflowError, DeviceUnavailableError } from '@beamflow/core';
import { _negotiateDecoder, type HardwareDeviceContext } from '@beamflow/core/internal';
import { clearNegotiationCache, negotiate } from '@beamflow/hw';
import type { HardwareDevice, Probes } from '@beamflow/hw';

const ALL_ENCODERS = ['libx264', 'h264_nvenc', 'h264_vaapi', 'hevc_nvenc', 'hevc_vaapi', 'libx265'];

interface Machine {
  encoders?: readonly string[];
  nodes?: readonly string[];
  libs?: readonly string[];
  trialOpen?: Probes['trialOpen'];
}

/** Probes of an imaginary machine; records the trial opens asked for. */
function machine(m: Machine): { probes: Probes; trials: Array<{ encoder: string; device: HardwareDevice }> } {
  const trials: Array<{ encoder: string; device: HardwareDevice }> = [];
  const probes: Probes = {
    encoders: () => m.encoders ?? ALL_ENCODERS,
    renderNodes: () => m.nodes ?? [],
    libraryLoadable: (name) => (m.libs ?? []).includes(name),
    trialOpen: async (encoder, device) => {
      trials.push({ encoder, device });
      if (m.trialOpen) await m.trialOpen(encoder, device);
    },
  };
  return { probes, trials };
}

const CUDA_LIBS = ['libcuda.so.1', 'libnvidia-encode.so.1'];
const VAAPI = { nodes: ['/dev/dri/renderD128'], libs: ['libva.so.2'] };

beforeEach(() => {
  clearNegotiationCache();
});

describe('negotiate (injected probes)', () => {
  it('picks NVENC when CUDA works', async () => {
    const { probes, trials } = machine({ libs: CUDA_LIBS });
    const choice = await negotiate({ codec: 'h264', probes });
    expect(choice).toMatchObject({ kind: 'cuda', encoder: 'h264_nvenc', upload: false, pixelFormat: 'yuv420p' });
    expect(choice.device).toEqual({ kind: 'cuda', device: '0' });
    expect(choice.rejected).toEqual([]);
    expect(trials).toEqual([{ encoder: 'h264_nvenc', device: { kind: 'cuda', device: '0' } }]);
  });

  it('CUDA present but NVENC refuses: falls back to VAAPI', async () => {
    const { probes } = machine({
      libs: [...CUDA_LIBS, ...VAAPI.libs],
      nodes: VAAPI.nodes,
      trialOpen: async (encoder) => {
        if (encoder === 'h264_nvenc') throw new Error('OpenEncodeSessionEx failed: unsupported device (2)');
      },
    });
    const choice = await negotiate({ codec: 'h264', probes });
    expect(choice.kind).toBe('vaapi');
    expect(choice.encoder).toBe('h264_vaapi');
    expect(choice.rejected).toHaveLength(1);
    expect(choice.rejected[0]).toMatchObject({ kind: 'cuda', encoder: 'h264_nvenc' });
    expect(choice.rejected[0]!.reason).toContain('NVENC refused to open');
    expect(choice.rejected[0]!.reason).toContain('unsupported device');
  });

  it('CUDA present but NVENC refuses, no VAAPI: falls back to software', async () => {
    const { probes } = machine({
      libs: CUDA_LIBS,
      trialOpen: () => Promise.reject(new Error('no capable devices found')),
    });
    const choice = await negotiate({ codec: 'h264', probes });
    expect(choice).toMatchObject({ kind: 'software', encoder: 'libx264', device: undefined, upload: false });
    const cuda = choice.rejected.find((r) => r.kind === 'cuda');
    expect(cuda?.reason).toContain('NVENC refused to open');
    expect(choice.rejected.find((r) => r.kind === 'vaapi')?.reason).toBe('no /dev/dri/renderD* node');
  });

  it('picks VAAPI when it works, with upload', async () => {
    const { probes } = machine(VAAPI);
    const choice = await negotiate({ codec: 'h264', probes });
    expect(choice).toMatchObject({ kind: 'vaapi', encoder: 'h264_vaapi', upload: true, pixelFormat: 'nv12' });
    expect(choice.device).toEqual({ kind: 'vaapi', device: '/dev/dri/renderD128' });
    expect(choice.rejected.map((r) => r.kind)).toEqual(['cuda']);
    expect(choice.rejected[0]!.reason).toBe('libcuda.so.1 not loadable');
  });

  it('a VAAPI render node without libva is rejected', async () => {
    const { probes, trials } = machine({ nodes: VAAPI.nodes });
    const choice = await negotiate({ codec: 'h264', probes });
    expect(choice.kind).toBe('software');
    expect(choice.rejected.find((r) => r.kind === 'vaapi')?.reason).toBe('libva.so.2 not loadable');
    expect(trials).toEqual([]);
  });

  it('nothing present: software libx264 with a reason for cuda and for vaapi', async () => {
    const { probes, trials } = machine({});
    const choice = await negotiate({ codec: 'h264', probes });
    expect(choice).toMatchObject({ kind: 'software', encoder: 'libx264', device: undefined, pixelFormat: 'yuv420p', upload: false });
    expect(choice.rejected.map((r) => r.kind)).toEqual(['cuda', 'vaapi']);
    for (const r of choice.rejected) expect(r.reason.length).toBeGreaterThan(0);
    expect(trials).toEqual([]);
  });

  it('libcuda without the NVENC driver library is rejected', async () => {
    const { probes } = machine({ libs: ['libcuda.so.1'] });
    const choice = await negotiate({ codec: 'h264', probes });
    expect(choice.rejected.find((r) => r.kind === 'cuda')?.reason).toContain('libnvidia-encode.so.1 not loadable');
  });

  it('a trial open that hangs rejects only that candidate', async () => {
    const { probes } = machine({
      libs: [...CUDA_LIBS, ...VAAPI.libs],
      nodes: VAAPI.nodes,
      trialOpen: (encoder) => (encoder === 'h264_nvenc' ? new Promise<void>(() => undefined) : Promise.resolve()),
    });
    const t0 = Date.now();
    const choice = await negotiate({ codec: 'h264', probes, timeoutMs: 50 });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(choice.kind).toBe('vaapi');
    const cuda = choice.rejected.find((r) => r.kind === 'cuda');
    expect(cuda?.reason).toContain('NVENC refused to open');
    expect(cuda?.reason).toMatch(/within 50 ms/);
  });

  it("device: 'cuda' when unavailable rejects with BEAMFLOW_DEVICE_UNAVAILABLE and reasons", async () => {
    const { probes } = machine(VAAPI); // VAAPI would work, but CUDA was insisted on
    let caught: unknown;
    try {
      await negotiate({ codec: 'h264', device: 'cuda', probes });
    } catch (err) {
      caught = err;
    }
    expect(BeamflowError.isInstance(caught)).toBe(true);
    expect(caught).toBeInstanceOf(DeviceUnavailableError);
    const err = caught as DeviceUnavailableError;
    expect(err.code).toBe('BEAMFLOW_DEVICE_UNAVAILABLE');
    expect(err.reasons.length).toBeGreaterThan(0);
    expect(err.reasons.join('\n')).toContain('libcuda.so.1 not loadable');
  });

  it('FFmpeg built without h264_nvenc is the reason given', async () => {
    const { probes, trials } = machine({ encoders: ['libx264', 'h264_vaapi'], libs: CUDA_LIBS });
    const choice = await negotiate({ codec: 'h264', probes });
    expect(choice.kind).toBe('software');
    expect(choice.rejected.find((r) => r.kind === 'cuda')).toEqual({ kind: 'cuda', encoder: 'h264_nvenc', reason: 'FFmpeg built without h264_nvenc' });
    expect(trials).toEqual([]);
  });

  it('caches trial results per encoder@device until cleared', async () => {
    const { probes, trials } = machine({ libs: CUDA_LIBS });
    await negotiate({ codec: 'h264', probes });
    await negotiate({ codec: 'h264', probes });
    expect(trials).toHaveLength(1);
    clearNegotiationCache();
    await negotiate({ codec: 'h264', probes });
    expect(trials).toHaveLength(2);
  });

  it('hevc maps to hevc_nvenc / libx265', async () => {
    const cuda = await negotiate({ codec: 'hevc', probes: machine({ libs: CUDA_LIBS }).probes });
    expect(cuda.encoder).toBe('hevc_nvenc');
    const sw = await negotiate({ codec: 'hevc', probes: machine({}).probes });
    expect(sw).toMatchObject({ kind: 'software', encoder: 'libx265' });
  });
});

describe('a GPU with NVDEC but no NVENC (H100/H200)', () => {
  it("'auto' encodes in software with NVENC's reason, while hardware decode still takes CUDA", async () => {
    const { probes } = machine({
      libs: CUDA_LIBS,
      trialOpen: async (encoder) => {
        if (encoder === 'h264_nvenc') throw new Error('OpenEncodeSessionEx failed: no encode capable devices found (2)');
      },
    });
    const choice = await negotiate({ codec: 'h264', probes });
    expect(choice).toMatchObject({ kind: 'software', encoder: 'libx264', upload: false });
    expect(choice.rejected[0]).toMatchObject({ kind: 'cuda', encoder: 'h264_nvenc' });
    expect(choice.rejected[0]!.reason).toBe('NVENC refused to open: OpenEncodeSessionEx failed: no encode capable devices found (2)');
    expect(choice.rejected[1]).toMatchObject({ kind: 'vaapi', reason: 'no /dev/dri/renderD* node' });

    const decode = _negotiateDecoder('h264', 'auto', {
      renderNodes: probes.renderNodes,
      libraryLoadable: probes.libraryLoadable,
      openDevice: (type) => ({ type: 'HWDeviceContext', device_type: type }) as HardwareDeviceContext,
    });
    expect(decode).toMatchObject({ kind: 'cuda', device: '0', rejected: [] });
  });
});
