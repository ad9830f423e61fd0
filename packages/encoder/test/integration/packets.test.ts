/**
 * What comes out of the Encoder's readable side, consumed directly (no Rescaler, no Muxer):
 * stream descriptors first, one per configured stream; every frame sent comes out as a packet
 * once the codec is drained (x264's default lookahead holds dozens of frames); audio of any frame
 * size is re-chunked to the codec's frame size with exact, consecutive sample-counted pts.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Envelope, FrameEnvelope, PacketEnvelope, StreamDescriptor } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { FPS, SAMPLE_RATE, collect, isDescriptor, isPacket, tiny } from '../helpers.js';
import { expectNoNativeLeaks } from '../../../../test/support/leak-hooks.js';

expectNoNativeLeaks();

function packetsOf(out: Envelope[], kind: 'video' | 'audio'): PacketEnvelope[] {
  return out.filter(isPacket).filter((p) => p.kind === kind);
}

function strictlyIncreasing(xs: readonly number[]): boolean {
  return xs.every((x, i) => i === 0 || x > xs[i - 1]!);
}

describe('draining', () => {
  it('x264 with its default settings (lookahead, B-frames): every frame sent comes out as a packet; descriptors come first', async () => {
    const frames = 50;
    const seconds = frames / FPS;
    const enc = new Encoder({ video: { codec: 'h264' }, audio: { codec: 'aac' } });
    const out = await Readable.from(tiny({ frames, audio: true })).pipe(enc).toArray() as Envelope[];

    // The first outputs are the stream descriptors, one per configured stream, coded, before any packet.
    const firstPacket = out.findIndex(isPacket);
    expect(firstPacket).toBe(2);
    const heads = out.slice(0, 2) as StreamDescriptor[];
    expect(heads.every(isDescriptor)).toBe(true);
    expect(heads.map((d) => d.kind).sort()).toEqual(['audio', 'video']);
    expect(heads.every((d) => d.coded)).toBe(true);
    expect(out.slice(2).some(isDescriptor)).toBe(false);
    const vd = heads.find((d) => d.kind === 'video')!;
    const ad = heads.find((d) => d.kind === 'audio')!;
    // (codecpar.name: see codec-names.test.ts)
    expect([vd.codecpar.width, vd.codecpar.height]).toEqual([128, 72]);
    expect(vd.timeBase).toEqual({ num: 1, den: FPS });
    expect(vd.frameRate).toEqual({ num: FPS, den: 1 });
    // Global header (the default): the SPS/PPS are in extradata for MP4/MKV.
    expect(vd.codecpar.extradata?.length ?? 0).toBeGreaterThan(0);
    expect(ad.codecpar.name).toBe('aac');
    expect(ad.codecpar.sample_rate).toBe(SAMPLE_RATE);
    expect(ad.codecpar.frame_size).toBe(1024);
    expect(ad.timeBase).toEqual({ num: 1, den: SAMPLE_RATE });
    // The source's known length is carried over, in the encoder's time base.
    expect(vd.duration).toBe(BigInt(frames));
    expect(ad.duration).toBe(BigInt(seconds * SAMPLE_RATE));

    const video = packetsOf(out, 'video');
    expect(video).toHaveLength(frames);
    expect(video.map((p) => Number(p.packet.pts)).sort((a, b) => a - b)).toEqual(Array.from({ length: frames }, (_, i) => i));
    expect(strictlyIncreasing(video.map((p) => Number(p.packet.dts))), 'video DTS strictly increasing').toBe(true);
    expect(video.every((p) => p.streamId === vd.streamId && p.timeBase.den === FPS)).toBe(true);
    // B-frames: x264's defaults reorder, so some packet's pts differs from its decode order.
    expect(video.some((p, i) => Number(p.packet.pts) !== i)).toBe(true);

    const audio = packetsOf(out, 'audio');
    expect(audio).toHaveLength(Math.ceil((seconds * SAMPLE_RATE + 1024) / 1024));
    expect(audio.every((p) => p.streamId === ad.streamId)).toBe(true);
    expect(enc.stats()).toMatchObject({ packetsOut: video.length + audio.length });
    expect(enc.state).toBe('closed');
  });

  it('packets wait for every announced stream: a zero-delay video encoder whose audio frames come late still sends both descriptors first', async () => {
    // Descriptors, then 5 video frames, then the audio held back so far, then the rest as the source orders it.
    async function* lateAudio(): AsyncGenerator<Envelope> {
      const held: Envelope[] = [];
      let video = 0;
      for await (const e of tiny({ frames: 10, audio: true })) {
        const env = e as Envelope;
        if (env.type === 'frame' && env.kind === 'audio' && video < 5) {
          held.push(env);
          continue;
        }
        yield env;
        if (env.type === 'frame' && env.kind === 'video' && ++video === 5) yield* held;
      }
    }
    const enc = new Encoder({ video: { codec: 'h264', preset: 'ultrafast', threads: 1, options: { tune: 'zerolatency' } }, audio: { codec: 'aac' } });
    const out = await collect(Readable.from(lateAudio()).pipe(enc));
    expect(out.slice(0, 2).map((e) => e.type)).toEqual(['stream', 'stream']);
    expect(out.slice(2).every(isPacket)).toBe(true);
    expect(packetsOf(out, 'video')).toHaveLength(10);
    // Zero delay: the first video packets came before any audio packet, held until the audio was described.
    expect(out[2]).toMatchObject({ type: 'packet', kind: 'video' });
  });

  it('VP9 with its default lag (good deadline) drains too', async () => {
    const frames = 30;
    const out = await collect(Readable.from(tiny({ frames, width: 64, height: 36 })).pipe(new Encoder({ video: { codec: 'vp9', options: { 'cpu-used': 8 } } })));
    expect(out[0]).toMatchObject({ type: 'stream', kind: 'video', coded: true });
    expect(packetsOf(out, 'video')).toHaveLength(frames);
  });

  it('frames of a kind with no config are dropped with their descriptors', async () => {
    const frames = 10;
    const out = await collect(Readable.from(tiny({ frames, audio: true })).pipe(new Encoder({ video: { codec: 'h264', preset: 'ultrafast' } })));
    expect(out.filter(isDescriptor).map((d) => d.kind)).toEqual(['video']);
    expect(out.filter(isPacket).every((p) => p.kind === 'video')).toBe(true);
    expect(out.filter(isPacket)).toHaveLength(frames);
  });

  it('video frames in a finer time base (1/90000, as from a decoder) come out with pts counted in 1/frameRate', async () => {
    const frames = 12;
    async function* in90k(): AsyncGenerator<Envelope> {
      for await (const e of tiny({ frames })) {
        const env = e as Envelope;
        if (env.type !== 'frame') continue;
        const f: FrameEnvelope = { ...env, timeBase: { num: 1, den: 90000 } };
        f.frame.pts = Number(env.frame.pts) * (90000 / FPS);
        yield f;
      }
    }
    const out = await collect(Readable.from(in90k()).pipe(new Encoder({ video: { codec: 'h264', preset: 'ultrafast', frameRate: FPS } })));
    const video = packetsOf(out, 'video');
    expect(video).toHaveLength(frames);
    expect(video[0]!.timeBase).toEqual({ num: 1, den: FPS });
    expect(video.map((p) => Number(p.packet.pts)).sort((a, b) => a - b)).toEqual(Array.from({ length: frames }, (_, i) => i));
  });
});

describe('audio re-chunking', () => {
  it('frames of 1000 samples into AAC: packets of 1024 samples with consecutive pts in 1/48000', async () => {
    const seconds = 1;
    const samples = seconds * SAMPLE_RATE;
    const out = await collect(Readable.from(tiny({ video: false, audio: { samplesPerFrame: 1000 }, duration: seconds })).pipe(new Encoder({ audio: { codec: 'aac' } })));
    const audio = packetsOf(out, 'audio');
    expect(audio.length).toBe(Math.ceil((samples + 1024) / 1024));
    expect(audio.every((p) => p.timeBase.num === 1 && p.timeBase.den === SAMPLE_RATE)).toBe(true);
    const pts = audio.map((p) => Number(p.packet.pts));
    expect(pts.every((t) => t % 1024 === 0), `pts multiples of 1024: ${pts.join(',')}`).toBe(true);
    const steps = pts.slice(1).map((t, i) => t - pts[i]!);
    expect(steps.every((d) => d === 1024), `pts steps: ${steps.join(',')}`).toBe(true);
    // The stream covers every input sample: the last packet starts within the last 1024 samples.
    expect(pts[pts.length - 1]! + 1024).toBeGreaterThanOrEqual(samples);
    expect(pts[pts.length - 1]!).toBeLessThan(samples);
  });

  it('frames of 1000 samples into Opus: 960-sample packets with consecutive pts', async () => {
    const samples = SAMPLE_RATE;
    const out = await collect(Readable.from(tiny({ video: false, audio: { samplesPerFrame: 1000 }, duration: 1 })).pipe(new Encoder({ audio: { codec: 'opus' } })));
    const pts = packetsOf(out, 'audio').map((p) => Number(p.packet.pts));
    expect(pts.length).toBe(Math.ceil((samples + 312) / 960));
    const steps = pts.slice(1).map((t, i) => t - pts[i]!);
    expect(steps.every((d) => d === 960), `pts steps: ${steps.join(',')}`).toBe(true);
  });

  it('frames of 1500 samples at 44.1 kHz into AAC without a configured rate: kept at 44.1 kHz, consecutive 1024-sample pts', async () => {
    const src = Readable.from((async function* () {
      const { testPattern } = await import('@beamflow/core');
      yield* testPattern({ audio: { sampleRate: 44100, channels: 1, samplesPerFrame: 1500 }, duration: 0.5 });
    })());
    const out = await collect(src.pipe(new Encoder({ audio: { codec: 'aac' } })));
    const desc = out.find(isDescriptor)!;
    expect(desc.codecpar.sample_rate).toBe(44100);
    const audio = packetsOf(out, 'audio');
    expect(audio[0]!.timeBase).toEqual({ num: 1, den: 44100 });
    const pts = audio.map((p) => Number(p.packet.pts));
    expect(pts.slice(1).every((t, i) => t - pts[i]! === 1024)).toBe(true);
    expect(audio.length).toBe(Math.ceil((22050 + 1024) / 1024));
  });
});
