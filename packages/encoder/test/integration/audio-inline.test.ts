/**
 * Where audio encodes run: a cheap one (AAC, mono 8 kHz) on the calling
 * thread, which saves the trip to libuv's pool; an expensive one (FLAC at
 * its most thorough search, 7.1 at 96 kHz, 8192-sample frames of noise:
 * tens of milliseconds a frame) on the pool, so that it never holds up the
 * event loop. Counted by the pool work each encode queues (async_hooks sees
 * the addon's "Encode" work); the outputs are judged by ffprobe either way.
 */
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { beamcoder, fromFrames, type Frame } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';
import { decodeErrors, tempDir } from '../../../../test/support/media.js';
import { probePackets } from '../../../../test/support/probe.js';
import { poolWork } from '../../../../test/support/pool.js';

const dir = tempDir('audio-inline');

function* frames(n: number, o: { rate: number; layout: string; channels: number; format: 'flt' | 's32'; samples: number }): Generator<Frame> {
  let seed = 1;
  for (let i = 0; i < n; i++) {
    const f = beamcoder().frame({ nb_samples: o.samples, format: o.format, channels: o.channels, channel_layout: o.layout, sample_rate: o.rate, pts: i * o.samples }).alloc();
    const d = (f.data as Buffer[])[0]!;
    for (let k = 0; k + 4 <= o.samples * o.channels * 4; k += 4) {
      seed = (seed * 1103515245 + 12345) >>> 0; // noise: what a lossless coder works hardest on
      if (o.format === 's32') d.writeInt32LE((seed >>> 1) - 0x40000000, k);
      else d.writeFloatLE(((seed >>> 8) / 0x1000000 - 0.5) * 0.5, k);
    }
    yield f;
  }
}

describe('audio encodes', () => {
  it('a cheap codec encodes on the calling thread', async () => {
    const out = join(dir, 'aac.m4a');
    const queued = await poolWork('Encode', () => pipeline(
      fromFrames(frames(60, { rate: 8000, layout: 'mono', channels: 1, format: 'flt', samples: 1024 })),
      new Encoder({ audio: { codec: 'aac', bitRate: 24_000 } }), new Rescaler(), new Muxer({ format: 'mp4', output: out }),
    ));
    // A busy machine may push a few calls over the limit (the time is measured, not counted).
    expect(queued).toBeLessThan(30);
    expect(probePackets(out).length).toBeGreaterThanOrEqual(60);
    expect(decodeErrors(out)).toBe('');
  });

  it('an expensive codec encodes on the pool after its first frame', async () => {
    const out = join(dir, 'flac.mkv');
    const queued = await poolWork('Encode', () => pipeline(
      fromFrames(frames(12, { rate: 96000, layout: '7.1', channels: 8, format: 's32', samples: 8192 })),
      new Encoder({ audio: { codec: 'flac', sampleFormat: 's32', options: { lpc_type: 'cholesky', lpc_passes: 4, prediction_order_method: 'search', exact_rice_parameters: true } } }),
      new Rescaler(), new Muxer({ format: 'matroska', output: out }),
    ));
    // The first runs here (its cost is not known yet); it takes far more than a millisecond.
    expect(queued).toBeGreaterThanOrEqual(10);
    expect(decodeErrors(out)).toBe('');
  }, 60_000);
});
