import { describe, expect, it } from 'vitest';
import { BeamflowError, DeviceUnavailableError } from '@beamflow/core';
import { _negotiateDecoder, type DeviceProbes, type HardwareDeviceContext } from '@beamflow/core/internal';

interface Box {
  nodes?: readonly string[];
  libs?: readonly string[];
  /** Device types whose context opens; any other throws FFmpeg's message. */
  opens?: readonly string[];
}

/** Probes of an imaginary machine; records the devices FFmpeg was asked to open. */
function box(m: Box): { probes: DeviceProbes; opened: string[] } {
  const opened: string[] = [];
  const probes: DeviceProbes = {
    renderNodes: () => m.nodes ?? [],
    libraryLoadable: (name) => (m.libs ?? []).includes(name),
    openDevice: (type, device) => {
      opened.push(`${type}@${device}`);
      if (!(m.opens ?? []).includes(type)) throw new Error('Failed to create the hardware device: Input/output error');
      return { type: 'HWDeviceContext', device_type: type } as HardwareDeviceContext;
    },
  };
  return { probes, opened };
}

const VAAPI = { nodes: ['/dev/dri/renderD128', '/dev/dri/renderD129'], libs: ['libva.so.2'] };

describe('hardware decode negotiation (injected probes)', () => {
  it("'auto' takes CUDA when its device opens", () => {
    const { probes, opened } = box({ libs: ['libcuda.so.1'], opens: ['cuda'] });
    const choice = _negotiateDecoder('h264', 'auto', probes);
    expect(choice).toMatchObject({ kind: 'cuda', device: '0', rejected: [] });
    expect(choice.context?.device_type).toBe('cuda');
    expect(opened).toEqual(['cuda@0']);
  });

  it("CUDA's library present but the device does not open: VAAPI on the first render node", () => {
    const { probes, opened } = box({ libs: ['libcuda.so.1', ...VAAPI.libs], nodes: VAAPI.nodes, opens: ['vaapi'] });
    const choice = _negotiateDecoder('hevc', 'auto', probes);
    expect(choice).toMatchObject({ kind: 'vaapi', device: '/dev/dri/renderD128' });
    expect(choice.rejected).toEqual([{ kind: 'cuda', reason: 'cuda device 0 did not open: Failed to create the hardware device: Input/output error' }]);
    expect(opened).toEqual(['cuda@0', 'vaapi@/dev/dri/renderD128']);
  });

  it('a render node without libva, and no CUDA: software, with a reason for each', () => {
    const { probes, opened } = box({ nodes: VAAPI.nodes });
    const choice = _negotiateDecoder('h264', 'auto', probes);
    expect(choice.kind).toBe('software');
    expect(choice.context).toBeUndefined();
    expect(choice.rejected).toEqual([
      { kind: 'cuda', reason: 'libcuda.so.1 not loadable' },
      { kind: 'vaapi', reason: 'libva.so.2 not loadable' },
    ]);
    expect(opened).toEqual([]);
  });

  it('nothing present: software; nothing is opened', () => {
    const { probes, opened } = box({});
    const choice = _negotiateDecoder('vp9', 'auto', probes);
    expect(choice.rejected.map((r) => r.reason)).toEqual(['libcuda.so.1 not loadable', 'no /dev/dri/renderD* node']);
    expect(opened).toEqual([]);
  });

  it('a codec no hwaccel decodes is rejected by name before any device is touched', () => {
    const { probes, opened } = box({ libs: ['libcuda.so.1', ...VAAPI.libs], nodes: VAAPI.nodes, opens: ['cuda', 'vaapi'] });
    const choice = _negotiateDecoder('prores', 'auto', probes);
    expect(choice.kind).toBe('software');
    expect(choice.rejected).toEqual([
      { kind: 'cuda', reason: 'no cuda hwaccel for prores' },
      { kind: 'vaapi', reason: 'no vaapi hwaccel for prores' },
    ]);
    expect(opened).toEqual([]);
  });

  it("insisting on 'vaapi' where it cannot work is a DeviceUnavailableError with the reasons", () => {
    const { probes } = box({ libs: ['libcuda.so.1'], opens: ['cuda'] });
    let caught: unknown;
    try {
      _negotiateDecoder('h264', 'vaapi', probes);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DeviceUnavailableError);
    expect(BeamflowError.isInstance(caught) && caught.code).toBe('BEAMFLOW_DEVICE_UNAVAILABLE');
    expect((caught as DeviceUnavailableError).reasons).toEqual(['vaapi: no /dev/dri/renderD* node']);
  });

  it("an H100-like machine (NVDEC works): 'cuda' decode is chosen", () => {
    const { probes } = box({ libs: ['libcuda.so.1'], opens: ['cuda'] });
    expect(_negotiateDecoder('h264', 'cuda', probes)).toMatchObject({ kind: 'cuda', device: '0', rejected: [] });
  });
});
