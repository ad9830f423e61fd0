/**
 * What the Muxer accepts: coded packets after their descriptors; the
 * lifecycle it goes through on a good run; typed errors for anything else.
 */
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { beamcoder } from '@beamflow/core';
import type { Envelope, PacketEnvelope, StateChange, StreamDescriptor } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';
import type { MuxerState } from '@beamflow/muxer';
import { expectMedia } from '../probe.js';
import { FPS, H264_AAC, SAMPLE_RATE, avSource, outcome, tempDir } from './harness.js';
import { expectNoNativeLeaks } from '../../../../test/support/leak-hooks.js';

expectNoNativeLeaks();

const dir = tempDir('inputs');

const discard = (): Writable => new Writable({ write: (_c, _e, cb) => cb() });

function packetEnv(streamId: number): PacketEnvelope {
  const packet = beamcoder().packet({ pts: 0, dts: 0, duration: 1, data: Buffer.alloc(10), size: 10, stream_index: 0 });
  return { type: 'packet', kind: 'video', packet, streamId, timeBase: { num: 1, den: 25 } };
}

describe('Muxer inputs', () => {
  it('goes created → headerWritten → muxing → trailerWritten → closed on a good run', async () => {
    const muxer = new Muxer({ format: 'mp4', output: join(dir, 'states.mp4') });
    const states: MuxerState[] = [muxer.state];
    muxer.on('state', (c: StateChange<MuxerState>) => states.push(c.to));
    await pipeline(avSource(1), new Encoder(H264_AAC), new Rescaler(), muxer);
    expect(states).toEqual(['created', 'headerWritten', 'muxing', 'trailerWritten', 'closed']);
  });

  it('refuses a descriptor of raw frames (BEAMFLOW_INPUT)', async () => {
    const raw: StreamDescriptor = {
      type: 'stream', streamId: 0, kind: 'video', timeBase: { num: 1, den: 25 }, coded: false,
      codecpar: { codec_type: 'video', name: 'rawvideo', width: 16, height: 16, format: 'yuv420p' },
    };
    const res = await outcome(pipeline(Readable.from([raw], { objectMode: true }), new Muxer({ format: 'mpegts' }), discard()));
    expect(!res.ok && res.error).toMatchObject({ code: 'BEAMFLOW_INPUT' });
  });

  it('refuses a packet before its stream descriptor (BEAMFLOW_INPUT)', async () => {
    const res = await outcome(pipeline(Readable.from([packetEnv(3)], { objectMode: true }), new Muxer({ format: 'mpegts' }), discard()));
    expect(!res.ok && res.error).toMatchObject({ code: 'BEAMFLOW_INPUT' });
  });

  it('refuses frames: the source straight into a Muxer (BEAMFLOW_INPUT)', async () => {
    const res = await outcome(pipeline(avSource(1), new Muxer({ format: 'mpegts' }), discard()));
    expect(!res.ok && res.error).toMatchObject({ code: 'BEAMFLOW_INPUT' });
  });

  it('refuses a new stream announced after the header was written (BEAMFLOW_STATE)', async () => {
    let injected = false;
    const late = new Transform({
      objectMode: true,
      transform(e: Envelope, _enc, cb) {
        if (!injected && e.type === 'packet') {
          injected = true;
          this.push(e);
          cb(null, { ...(e as unknown as StreamDescriptor), type: 'stream', streamId: 9, kind: 'audio', coded: true, codecpar: { codec_type: 'audio', name: 'aac', sample_rate: 48000, channels: 2 } });
          return;
        }
        cb(null, e);
      },
    });
    const res = await outcome(pipeline(avSource(1), new Encoder(H264_AAC), new Rescaler(), late, new Muxer({ format: 'mpegts' }), discard()));
    expect(!res.ok && res.error).toMatchObject({ code: 'BEAMFLOW_STATE' });
  });

  it('a repeated descriptor of a known stream before the header is fine', async () => {
    const path = join(dir, 'repeated.ts');
    const seen = new Set<number>();
    const repeat = new Transform({
      objectMode: true,
      transform(e: Envelope, _enc, cb) {
        if (e.type === 'stream' && !seen.has(e.streamId)) {
          seen.add(e.streamId);
          this.push(e);
        }
        cb(null, e);
      },
    });
    const out = new PassThrough();
    await pipeline(avSource(1), new Encoder(H264_AAC), new Rescaler(), repeat, new Muxer({ format: 'mpegts' }), out, createWriteStream(path));
    expectMedia(path, {
      video: { codec: 'h264', frames: FPS, frameSeconds: 1 / FPS },
      audio: { codec: 'aac', frames: Math.ceil((SAMPLE_RATE + 1024) / 1024), frameSeconds: 1024 / SAMPLE_RATE },
    });
  });
});
