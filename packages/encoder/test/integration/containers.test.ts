/**
 * Real encodes into real containers, judged by ffprobe: H.264 + AAC into an MP4 file, VP9 + Opus
 * into a WebM file, H.264 alone into MPEG-TS bytes written through fs.createWriteStream. Every
 * video frame sent is a frame in the file; every packet the Encoder gave is in the file.
 */
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';
import type { Envelope } from '@beamflow/core';
import { FPS, SAMPLE_RATE, expectMedia, tempDir, tiny } from '../helpers.js';

const dir = tempDir('containers');

/** Count what leaves a Rescaler (i.e. what the Encoder produced), per kind. */
function count(r: Rescaler): { video: number; audio: number; descriptors: Envelope[] } {
  const c = { video: 0, audio: 0, descriptors: [] as Envelope[] };
  r.on('data', (e: Envelope) => {
    if (e.type === 'packet' && e.kind !== 'subtitle') c[e.kind]++;
    else c.descriptors.push(e);
  });
  return c;
}

describe('Encoder into containers, judged by ffprobe', () => {
  it('H.264 + AAC into an MP4 file', async () => {
    const path = join(dir, 'h264-aac.mp4');
    const seconds = 2;
    const enc = new Encoder({ video: { codec: 'h264', preset: 'veryfast', crf: 23 }, audio: { codec: 'aac', bitRate: 128_000 } });
    const r = new Rescaler();
    const sent = count(r);
    await pipeline(tiny({ width: 160, height: 90, duration: seconds, audio: true }), enc, r, new Muxer({ format: 'mp4', output: path }));
    expect(enc.encoders).toEqual({ video: 'libx264', audio: 'aac' });
    expect(enc.state).toBe('closed');
    expect(sent.video).toBe(seconds * FPS);
    // AAC: one priming frame, then the input in 1024-sample frames (the last one padded).
    expect(sent.audio).toBe(Math.ceil((seconds * SAMPLE_RATE + 1024) / 1024));
    const j = expectMedia(path, {
      video: { codec: 'h264', frames: seconds * FPS, packets: sent.video, seconds, frameSeconds: 1 / FPS },
      // The MP4 edit list hides the priming frame from the decoder: the frames decoded are those holding input.
      audio: { codec: 'aac', frames: Math.ceil((seconds * SAMPLE_RATE) / 1024), packets: sent.audio, seconds, frameSeconds: 1024 / SAMPLE_RATE },
    });
    const v = j.probe.streams.find((s) => s.codec_type === 'video')!;
    const a = j.probe.streams.find((s) => s.codec_type === 'audio')!;
    expect([v.width, v.height]).toEqual([160, 90]);
    expect([Number(a.sample_rate), a.channels]).toEqual([SAMPLE_RATE, 2]);
  });

  it('VP9 + Opus into a WebM file', async () => {
    const path = join(dir, 'vp9-opus.webm');
    const seconds = 1;
    const enc = new Encoder({
      video: { codec: 'vp9', options: { deadline: 'realtime', 'cpu-used': 8 } },
      audio: { codec: 'opus' },
    });
    const r = new Rescaler();
    const sent = count(r);
    await pipeline(tiny({ duration: seconds, audio: true }), enc, r, new Muxer({ format: 'webm', output: path }));
    expect(enc.encoders).toEqual({ video: 'libvpx-vp9', audio: 'libopus' });
    expect(sent.video).toBe(seconds * FPS);
    // libopus: 20 ms frames after its 312-sample pre-skip.
    expect(sent.audio).toBe(Math.ceil((seconds * SAMPLE_RATE + 312) / 960));
    expectMedia(path, {
      video: { codec: 'vp9', frames: seconds * FPS, packets: sent.video, seconds, frameSeconds: 1 / FPS },
      // WebM keeps the pre-skip in the stream's timeline (the decoder drops it): the packets span input + 312 samples.
      audio: { codec: 'opus', frames: sent.audio, packets: sent.audio, seconds: (seconds * SAMPLE_RATE + 312) / SAMPLE_RATE, frameSeconds: 960 / SAMPLE_RATE },
    });
  });

  it('H.264 alone into MPEG-TS bytes through createWriteStream', async () => {
    const path = join(dir, 'h264.ts');
    const frames = 40;
    const enc = new Encoder({ video: { codec: 'libx264', preset: 'ultrafast' } });
    const r = new Rescaler();
    const sent = count(r);
    await pipeline(tiny({ frames }), enc, r, new Muxer({ format: 'mpegts' }), createWriteStream(path));
    expect(sent.video).toBe(frames);
    expect(sent.audio).toBe(0);
    expect(sent.descriptors).toHaveLength(1);
    expectMedia(path, { video: { codec: 'h264', frames, packets: frames, seconds: frames / FPS, frameSeconds: 1 / FPS } });
  });
});
