/**
 * The Rescaler with hand-made envelopes: exact rescaling, default durations,
 * the DTS policies, startAtZero and descriptors. Only beamcoder packets are
 * native here; no codec or muxer is opened.
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { BeamflowError, beamcoder } from '@beamflow/core';
import type { Envelope, FrameEnvelope, PacketEnvelope, Rational, StreamDescriptor } from '@beamflow/core';
import { Rescaler } from '@beamflow/muxer';
import type { RescalerOptions } from '@beamflow/muxer';

const VIDEO_TB: Rational = { num: 1, den: 25 };
const AUDIO_TB: Rational = { num: 1, den: 48000 };

function videoDesc(over: Partial<StreamDescriptor> = {}): StreamDescriptor {
  return {
    type: 'stream', streamId: 0, kind: 'video', timeBase: VIDEO_TB, frameRate: { num: 25, den: 1 }, coded: true,
    codecpar: { codec_type: 'video', name: 'h264', width: 160, height: 90 },
    ...over,
  };
}

function audioDesc(over: Partial<StreamDescriptor> = {}): StreamDescriptor {
  return {
    type: 'stream', streamId: 1, kind: 'audio', timeBase: AUDIO_TB, coded: true,
    codecpar: { codec_type: 'audio', name: 'aac', sample_rate: 48000, channels: 2, frame_size: 1024 },
    ...over,
  };
}

interface Ts {
  pts?: number | null;
  dts?: number | null;
  duration?: number;
}

function pkt(streamId: number, kind: 'video' | 'audio', timeBase: Rational, ts: Ts): PacketEnvelope {
  const fields: Record<string, unknown> = { data: Buffer.alloc(10), size: 10, stream_index: 0 };
  if (ts.pts !== undefined) fields.pts = ts.pts;
  if (ts.dts !== undefined) fields.dts = ts.dts;
  if (ts.duration !== undefined) fields.duration = ts.duration;
  const packet = beamcoder().packet(fields as { data: Buffer; size: number });
  return { type: 'packet', kind, packet, streamId, timeBase };
}

const vpkt = (ts: Ts, tb: Rational = VIDEO_TB): PacketEnvelope => pkt(0, 'video', tb, ts);
const apkt = (ts: Ts, tb: Rational = AUDIO_TB): PacketEnvelope => pkt(1, 'audio', tb, ts);

/** Run envelopes through a Rescaler and collect what comes out. */
async function through(inputs: readonly Envelope[], opts?: RescalerOptions): Promise<Envelope[]> {
  const out: Envelope[] = [];
  await pipeline(
    Readable.from(inputs, { objectMode: true }),
    new Rescaler(opts),
    new Writable({
      objectMode: true,
      write(e: Envelope, _enc, cb) {
        out.push(e);
        cb();
      },
    }),
  );
  return out;
}

function packetsOf(out: readonly Envelope[], streamId?: number): PacketEnvelope[] {
  return out.filter((e): e is PacketEnvelope => e.type === 'packet' && (streamId === undefined || e.streamId === streamId));
}

/** pts/dts/duration of the packets, as plain numbers. */
function times(out: readonly Envelope[], streamId?: number): Array<[number, number, number]> {
  return packetsOf(out, streamId).map((e) => [e.packet.pts, e.packet.dts, e.packet.duration]);
}

describe('Rescaler: time-base conversion', () => {
  it('rescales 1/25 → 1/90000 exactly, and labels packets and descriptor with the new time base', async () => {
    const big = 2 ** 40; // 2^40 · 3600 ≈ 4e15: exact only in integer arithmetic
    const out = await through(
      [videoDesc(), vpkt({ pts: 0, dts: -2, duration: 1 }), vpkt({ pts: 3, dts: -1, duration: 1 }), vpkt({ pts: 1, dts: 0, duration: 1 }), vpkt({ pts: big + 1, dts: big, duration: 1 })],
      { timeBase: [1, 90000] },
    );
    expect(out[0]).toMatchObject({ type: 'stream', timeBase: { num: 1, den: 90000 } });
    expect(times(out)).toEqual([
      [0, -7200, 3600],
      [10800, -3600, 3600],
      [3600, 0, 3600],
      [(big + 1) * 3600, big * 3600, 3600],
    ]);
    for (const p of packetsOf(out)) expect(p.timeBase).toEqual({ num: 1, den: 90000 });
  });

  it("rounds to nearest with ties away from zero, as FFmpeg's av_rescale_q", async () => {
    // 1/48000 → 1/1000: 24 ticks = 0.5 ms → 1; 23 → 0.479 → 0; -24 → -1 (symmetric); 1/48000 → 1/90000: 1 → 1.875 → 2.
    const ms = await through(
      [audioDesc(), apkt({ pts: -24, dts: -24, duration: 1024 }), apkt({ pts: 23, dts: 23, duration: 1024 }), apkt({ pts: 24, dts: 24, duration: 1024 }), apkt({ pts: 48_000, dts: 48_000, duration: 1024 })],
      { timeBase: [1, 1000] },
    );
    expect(times(ms).map(([pts]) => pts)).toEqual([-1, 0, 1, 1000]);
    expect(times(ms).map(([, , d]) => d)).toEqual([21, 21, 21, 21]); // 1024/48 = 21.33 → 21
    const ts = await through([audioDesc(), apkt({ pts: 1, dts: 1, duration: 1024 })], { timeBase: { num: 1, den: 90000 } });
    expect(times(ts)).toEqual([[2, 2, 1920]]);
  });

  it('leaves a stream in its own time base by default (same envelope, same numbers)', async () => {
    const p = vpkt({ pts: 7, dts: 5, duration: 1 });
    const out = await through([videoDesc(), p]);
    expect(packetsOf(out)[0]).toBe(p);
    expect(times(out)).toEqual([[7, 5, 1]]);
  });

  it('applies a per-kind time base to that kind only', async () => {
    const out = await through(
      [videoDesc(), audioDesc(), vpkt({ pts: 2, dts: 2, duration: 1 }), apkt({ pts: 1024, dts: 1024, duration: 1024 })],
      { timeBase: { video: [1, 90000] } },
    );
    expect(times(out, 0)).toEqual([[7200, 7200, 3600]]);
    expect(times(out, 1)).toEqual([[1024, 1024, 1024]]);
    expect(packetsOf(out, 1)[0]!.timeBase).toEqual(AUDIO_TB);
  });
});

describe('Rescaler: durations', () => {
  it('fills a missing video duration with one frame from the descriptor frame rate, in the output time base', async () => {
    const out = await through([videoDesc(), vpkt({ pts: 0, dts: 0 }), vpkt({ pts: 1, dts: 1, duration: 0 })], { timeBase: [1, 90000] });
    expect(times(out)).toEqual([[0, 0, 3600], [3600, 3600, 3600]]);
  });

  it('fills it at NTSC rates too (30000/1001 in 1/90000 → 3003)', async () => {
    const tb = { num: 1, den: 90000 };
    const out = await through([videoDesc({ timeBase: tb, frameRate: { num: 30000, den: 1001 } }), vpkt({ pts: 0, dts: 0 }, tb), vpkt({ pts: 3003, dts: 3003 }, tb)]);
    expect(times(out)).toEqual([[0, 0, 3003], [3003, 3003, 3003]]);
  });

  it("fills a missing audio duration with the codec's frame size", async () => {
    const out = await through([audioDesc(), apkt({ pts: 0, dts: 0 }), apkt({ pts: 1024, dts: 1024 })]);
    expect(times(out)).toEqual([[0, 0, 1024], [1024, 1024, 1024]]);
    const ms = await through([audioDesc(), apkt({ pts: 0, dts: 0 })], { timeBase: [1, 90000] });
    expect(times(ms)).toEqual([[0, 0, 1920]]);
  });

  it('keeps a duration that is given', async () => {
    const out = await through([audioDesc(), apkt({ pts: 0, dts: 0, duration: 768 })]);
    expect(times(out)).toEqual([[0, 0, 768]]);
  });
});

describe('Rescaler: DTS policy', () => {
  it('nudges a non-increasing DTS to previous + 1 and lifts a PTS that would fall below it (default)', async () => {
    const out = await through([
      videoDesc(),
      vpkt({ pts: 2, dts: 0, duration: 1 }),
      vpkt({ pts: 4, dts: 1, duration: 1 }),
      vpkt({ pts: 1, dts: 1, duration: 1 }), // repeated DTS: → 2, pts 1 < 2 → 2
      vpkt({ pts: 6, dts: 0, duration: 1 }), // going back: → 3, pts 6 stays
      vpkt({ pts: 8, dts: 8, duration: 1 }), // increasing again: untouched
    ]);
    expect(times(out)).toEqual([[2, 0, 1], [4, 1, 1], [2, 2, 1], [6, 3, 1], [8, 8, 1]]);
  });

  it('keeps DTS order per stream: one stream never nudges another', async () => {
    const out = await through([
      videoDesc(), audioDesc(),
      vpkt({ pts: 5, dts: 5, duration: 1 }),
      apkt({ pts: 0, dts: 0, duration: 1024 }),
      vpkt({ pts: 6, dts: 6, duration: 1 }),
      apkt({ pts: 1024, dts: 1024, duration: 1024 }),
    ]);
    expect(times(out, 0)).toEqual([[5, 5, 1], [6, 6, 1]]);
    expect(times(out, 1)).toEqual([[0, 0, 1024], [1024, 1024, 1024]]);
  });

  it('compares DTS after rescaling: distinct input ticks that land on one output tick are nudged', async () => {
    // 1/48000 → 1/1000: 0 and 10 both round to 0 ms.
    const out = await through([audioDesc(), apkt({ pts: 0, dts: 0 }), apkt({ pts: 10, dts: 10 })], { timeBase: [1, 1000] });
    expect(times(out).map(([p, d]) => [p, d])).toEqual([[0, 0], [1, 1]]);
  });

  it('lifts a PTS below its DTS even when the DTS increases', async () => {
    const out = await through([videoDesc(), vpkt({ pts: 3, dts: 5, duration: 1 })]);
    expect(times(out)).toEqual([[5, 5, 1]]);
  });

  it("uses the DTS as PTS, or the PTS as DTS, when only one is set", async () => {
    const out = await through([videoDesc(), vpkt({ pts: 4, duration: 1 }), vpkt({ dts: 6, duration: 1 })]);
    expect(times(out).map(([p, d]) => [p, d])).toEqual([[4, 4], [6, 6]]);
  });

  it("with { dts: 'fail' } errors the stream with BEAMFLOW_TIMESTAMP on a repeated DTS", async () => {
    const err = await through(
      [videoDesc(), vpkt({ pts: 0, dts: 0, duration: 1 }), vpkt({ pts: 1, dts: 1, duration: 1 }), vpkt({ pts: 2, dts: 1, duration: 1 })],
      { dts: 'fail' },
    ).then(() => undefined, (e: unknown) => e);
    expect(BeamflowError.isInstance(err)).toBe(true);
    expect(err).toMatchObject({ code: 'BEAMFLOW_TIMESTAMP', streamId: 0 });
  });

  it("with { dts: 'fail' } errors on a DTS going backwards, and passes increasing ones", async () => {
    const ok = await through([videoDesc(), vpkt({ pts: 1, dts: 0, duration: 1 }), vpkt({ pts: 2, dts: 1, duration: 1 })], { dts: 'fail' });
    expect(times(ok)).toEqual([[1, 0, 1], [2, 1, 1]]);
    await expect(
      through([audioDesc(), apkt({ pts: 2048, dts: 2048 }), apkt({ pts: 1024, dts: 1024 })], { dts: 'fail' }),
    ).rejects.toMatchObject({ code: 'BEAMFLOW_TIMESTAMP', streamId: 1 });
  });

  it('refuses a packet without any timestamp (BEAMFLOW_TIMESTAMP)', async () => {
    await expect(through([videoDesc(), vpkt({ duration: 1 })])).rejects.toMatchObject({ code: 'BEAMFLOW_TIMESTAMP' });
  });
});

describe('Rescaler: startAtZero', () => {
  it('shifts both streams by one common offset, so they stay in sync', async () => {
    // Video starts at 2 s (dts 50 frames, pts 52), audio at 2 s + 1024 samples.
    const out = await through(
      [
        videoDesc(), audioDesc(),
        vpkt({ pts: 52, dts: 50, duration: 1 }),
        apkt({ pts: 96_000, dts: 96_000 }),
        apkt({ pts: 97_024, dts: 97_024 }),
        vpkt({ pts: 51, dts: 51, duration: 1 }),
      ],
      { startAtZero: true },
    );
    expect(times(out, 0)).toEqual([[2, 0, 1], [1, 1, 1]]);
    expect(times(out, 1)).toEqual([[0, 0, 1024], [1024, 1024, 1024]]);
  });

  it('applies the offset after rescaling, in each stream’s output time base', async () => {
    const out = await through(
      [videoDesc(), audioDesc(), vpkt({ pts: 25, dts: 25, duration: 1 }), apkt({ pts: 48_000 + 480, dts: 48_000 + 480 })],
      { startAtZero: true, timeBase: [1, 90000] },
    );
    expect(times(out, 0)).toEqual([[0, 0, 3600]]);
    expect(times(out, 1)).toEqual([[900, 900, 1920]]); // 10 ms later
  });

  it('takes the offset from the smaller of DTS and PTS of the first packet', async () => {
    const out = await through([videoDesc(), vpkt({ pts: 12, dts: 10, duration: 1 }), vpkt({ pts: 11, dts: 11, duration: 1 })], { startAtZero: true });
    expect(times(out)).toEqual([[2, 0, 1], [1, 1, 1]]);
  });

  it('takes the earliest start of all streams, not the first packet’s: AAC priming that arrives after the first video packet', async () => {
    // An encoder's first video packet at 0, then AAC starting 1024 samples (21.3 ms) before zero.
    const out = await through(
      [videoDesc(), audioDesc(), vpkt({ pts: 0, dts: 0, duration: 1 }), apkt({ pts: -1024, dts: -1024 }), vpkt({ pts: 1, dts: 1, duration: 1 }), apkt({ pts: 0, dts: 0 })],
      { startAtZero: true },
    );
    expect(times(out, 1)).toEqual([[0, 0, 1024], [1024, 1024, 1024]]);
    // 21.3 ms later in 1/25 rounds to one frame, as av_rescale_q rounds.
    expect(times(out, 0)).toEqual([[1, 1, 1], [2, 2, 1]]);
    expect(packetsOf(out).every((e) => e.packet.dts >= 0 && e.packet.pts >= 0)).toBe(true);
    // Order is kept: the held packets leave as they came.
    expect(packetsOf(out).map((e) => e.streamId)).toEqual([0, 1, 0, 1]);
  });

  it('does not wait for ever on a described stream that sends nothing: at most 256 packets, or the end', async () => {
    const video = Array.from({ length: 300 }, (_, i) => vpkt({ pts: 10 + i, dts: 10 + i, duration: 1 }));
    const long = await through([videoDesc(), audioDesc(), ...video], { startAtZero: true });
    expect(times(long).slice(0, 2)).toEqual([[0, 0, 1], [1, 1, 1]]);
    expect(packetsOf(long)).toHaveLength(300);
    const short = await through([videoDesc(), audioDesc(), ...video.slice(0, 5).map((e) => vpkt({ pts: e.packet.pts, dts: e.packet.dts, duration: 1 }))], { startAtZero: true });
    expect(times(short).map((t) => t[0])).toEqual([0, 1, 2, 3, 4]);
  });

  it('without startAtZero, leaves the start where it is', async () => {
    const out = await through([videoDesc(), vpkt({ pts: 52, dts: 50, duration: 1 })]);
    expect(times(out)).toEqual([[52, 50, 1]]);
  });
});

describe('Rescaler: descriptors and inputs', () => {
  it('passes descriptors through untouched when no time base is asked for', async () => {
    const v = videoDesc({ duration: 50n });
    const a = audioDesc({ duration: 96_000n });
    const out = await through([v, a]);
    expect(out).toHaveLength(2);
    expect(out[0]).toBe(v);
    expect(out[1]).toBe(a);
  });

  it('passes descriptors through with the new time base (and their duration in it) when timeBase is given', async () => {
    const v = videoDesc({ duration: 50n });
    const a = audioDesc({ duration: 96_000n });
    const out = await through([v, a], { timeBase: { num: 1, den: 90000 } });
    expect(out).toHaveLength(2);
    const [ov, oa] = out as [StreamDescriptor, StreamDescriptor];
    expect(ov).toEqual({ ...v, timeBase: { num: 1, den: 90000 }, duration: 180_000n });
    expect(oa).toEqual({ ...a, timeBase: { num: 1, den: 90000 }, duration: 180_000n });
    expect(ov.codecpar).toBe(v.codecpar);
    expect(v.timeBase).toEqual(VIDEO_TB); // the input descriptor is not mutated
  });

  it('a per-kind time base changes only that kind’s descriptor', async () => {
    const v = videoDesc();
    const a = audioDesc();
    const out = await through([v, a], { timeBase: { audio: [1, 1000] } });
    expect(out[0]).toBe(v);
    expect(out[1]).toMatchObject({ kind: 'audio', timeBase: { num: 1, den: 1000 } });
  });

  it('a descriptor whose time base already matches passes as is', async () => {
    const v = videoDesc({ timeBase: { num: 2, den: 50 } });
    const out = await through([v], { timeBase: [1, 25] });
    expect(out[0]).toBe(v);
  });

  it('refuses a packet before its stream descriptor (BEAMFLOW_TIMESTAMP)', async () => {
    await expect(through([vpkt({ pts: 0, dts: 0, duration: 1 })])).rejects.toMatchObject({ code: 'BEAMFLOW_TIMESTAMP', streamId: 0 });
  });

  it('refuses frames (BEAMFLOW_CONFIG, field input)', async () => {
    const frame = beamcoder().frame({ width: 16, height: 16, format: 'yuv420p', pts: 0 }).alloc();
    const fe: FrameEnvelope = { type: 'frame', kind: 'video', frame, streamId: 0, timeBase: VIDEO_TB };
    await expect(through([videoDesc({ coded: false }), fe])).rejects.toMatchObject({ code: 'BEAMFLOW_CONFIG', field: 'input' });
  });

  it('validates its options', () => {
    expect(() => new Rescaler({ dts: 'drop' as never })).toThrow(expect.objectContaining({ code: 'BEAMFLOW_CONFIG', field: 'dts' }));
    expect(() => new Rescaler({ timeBase: [0, 1] })).toThrow(expect.objectContaining({ code: 'BEAMFLOW_CONFIG', field: 'timeBase' }));
    expect(() => new Rescaler({ timeBase: [1, 0] })).toThrow(expect.objectContaining({ code: 'BEAMFLOW_CONFIG', field: 'timeBase' }));
    expect(() => new Rescaler({ timeBase: { video: [-1, 25] } })).toThrow(expect.objectContaining({ code: 'BEAMFLOW_CONFIG', field: 'timeBase.video' }));
    expect(() => new Rescaler({ timeBase: { audio: [1, 0] } })).toThrow(expect.objectContaining({ code: 'BEAMFLOW_CONFIG', field: 'timeBase.audio' }));
  });
});

describe('Rescaler destroyed between queuing its end and the end being read', () => {
  it('makes pipeline() fail instead of waiting for ever on the stage after it', async () => {
    // The sink holds its first write: the Rescaler's last envelope is taken, its end queued
    // but not read (the consumer is paused). Node's finished() counts a stream closed in that
    // window as done, so without an error the sink would never be ended.
    let release!: () => void;
    const sink = new Writable({ objectMode: true, highWaterMark: 1, write: (_c, _e, cb) => { release = () => cb(); } });
    const r = new Rescaler();
    const done = pipeline(Readable.from([videoDesc()]), r, sink);
    await new Promise<void>((resolve) => r.once('prefinish', () => setImmediate(resolve)));
    expect(r.readableEnded).toBe(false);
    r.destroy();
    const err = await done.then(() => undefined, (e: unknown) => e);
    expect(BeamflowError.isInstance(err) && err.code).toBe('BEAMFLOW_ABORTED');
    release();
  });
});
