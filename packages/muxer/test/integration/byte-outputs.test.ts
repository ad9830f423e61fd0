/**
 * Byte output: the Muxer's readable side carries the container, written by
 * any Node Writable. Each format is encoded for real and judged by ffprobe.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import type { TestPatternSource } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import type { EncoderConfig } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';
import { aacPackets, expectMedia, opusPackets, probe, topLevelBoxes } from '../probe.js';
import type { MediaExpectation } from '../probe.js';
import {
  AAC_ONLY, FPS, H264_AAC, OPUS_ONLY, SAMPLE_RATE, VP9_OPUS, audioSource, avSource, tap, tempDir,
} from './harness.js';
import type { Tap } from './harness.js';
import { expectNoNativeLeaks } from '../../../../test/support/leak-hooks.js';

expectNoNativeLeaks();

const SECONDS = 2;
const SAMPLES = SECONDS * SAMPLE_RATE;
const VIDEO_FRAMES = SECONDS * FPS;
const AAC_FRAME = 1024 / SAMPLE_RATE;
const OPUS_FRAME = 960 / SAMPLE_RATE;

const dir = tempDir('bytes');

interface Run {
  path: string;
  sent: Tap;
  muxer: Muxer;
  bytes: number;
}

/** The pipeline as a user writes it: source → Encoder → Rescaler → Muxer (bytes) → file Writable. */
async function muxToBytes(name: string, format: string, src: TestPatternSource, cfg: EncoderConfig): Promise<Run> {
  const path = join(dir, name);
  const rescaler = new Rescaler();
  const sent = tap(rescaler);
  const muxer = new Muxer({ format });
  let bytes = 0;
  muxer.on('data', (b: Buffer) => {
    bytes += b.length;
  });
  await pipeline(src, new Encoder(cfg), rescaler, muxer, createWriteStream(path));
  return { path, sent, muxer, bytes };
}

function expectCleanRun(r: Run): void {
  expect(r.muxer.state).toBe('closed');
  expect(r.muxer.packetsWritten).toBe(r.sent.video + r.sent.audio);
  expect(statSync(r.path).size).toBe(r.bytes);
}

function h264aac(sent: Tap): MediaExpectation {
  expect(sent.video).toBe(VIDEO_FRAMES);
  expect(sent.audio).toBe(aacPackets(SAMPLES)); // 94 frames of input + the encoder's priming frame
  return {
    video: { codec: 'h264', frames: VIDEO_FRAMES, frameSeconds: 1 / FPS },
    audio: { codec: 'aac', frames: sent.audio, frameSeconds: AAC_FRAME },
  };
}

describe('Muxer byte output (through a Node Writable)', () => {
  it('mp4: fragmented automatically (ftyp first, empty moov, moof fragments), read and decoded by ffprobe', async () => {
    const r = await muxToBytes('out.mp4', 'mp4', avSource(SECONDS), H264_AAC);
    expectCleanRun(r);
    const boxes = topLevelBoxes(r.path).map((b) => b.type);
    expect(boxes[0]).toBe('ftyp');
    expect(boxes).toContain('moof');
    expect(boxes.indexOf('moov')).toBeGreaterThan(0);
    expect(boxes.indexOf('moov')).toBeLessThan(boxes.indexOf('moof'));

    // Fragmented MP4 of an AAC stream that starts before the video (priming) and a video that starts with
    // a negative DTS (B-frames): FFmpeg's movenc gives the first audio sample the gap, so the audio track
    // is longer than its frames. Allow exactly what the ffmpeg command line gives on the same job.
    const ref = join(dir, 'ref.mp4');
    const cli = spawnSync('ffmpeg', [
      '-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=160x90:rate=${FPS}`,
      '-f', 'lavfi', '-i', `sine=frequency=1000:sample_rate=${SAMPLE_RATE}`, '-t', String(SECONDS), '-ac', '2',
      '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-c:a', 'aac', '-b:a', '128k',
      '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', ref,
    ], { encoding: 'utf8' });
    expect(cli.stderr).toBe('');
    const refAudio = probe(ref).streams.find((s) => s.codec_type === 'audio')!;
    expect(Number(refAudio.nb_read_frames)).toBe(aacPackets(SAMPLES));
    const want = h264aac(r.sent);
    want.audio!.durationExtraSeconds = Number(refAudio.duration) - want.audio!.frames * AAC_FRAME;
    want.audio!.durationToleranceFrames = 0;
    expectMedia(r.path, want);
  });

  it('mpegts: 188-byte packets with sync bytes, read and decoded by ffprobe', async () => {
    const r = await muxToBytes('out.ts', 'mpegts', avSource(SECONDS), H264_AAC);
    expectCleanRun(r);
    const buf = readFileSync(r.path);
    expect(buf.length % 188).toBe(0);
    for (let i = 0; i < buf.length; i += 188) expect(buf[i]).toBe(0x47);
    expectMedia(r.path, h264aac(r.sent));
  });

  it('matroska: EBML header, read and decoded by ffprobe', async () => {
    const r = await muxToBytes('out.mkv', 'matroska', avSource(SECONDS), H264_AAC);
    expectCleanRun(r);
    expect(readFileSync(r.path).subarray(0, 4)).toEqual(Buffer.from([0x1a, 0x45, 0xdf, 0xa3]));
    const j = expectMedia(r.path, h264aac(r.sent));
    expect(j.probe.format.format_name).toContain('matroska');
  });

  it('webm: VP9 (libvpx-vp9 realtime) and Opus, read and decoded by ffprobe', async () => {
    const r = await muxToBytes('out.webm', 'webm', avSource(SECONDS), VP9_OPUS);
    expectCleanRun(r);
    expect(readFileSync(r.path).subarray(0, 4)).toEqual(Buffer.from([0x1a, 0x45, 0xdf, 0xa3]));
    expect(r.sent.video).toBe(VIDEO_FRAMES);
    expect(r.sent.audio).toBe(opusPackets(SAMPLES));
    const j = expectMedia(r.path, {
      video: { codec: 'vp9', frames: VIDEO_FRAMES, frameSeconds: 1 / FPS },
      audio: { codec: 'opus', frames: r.sent.audio, frameSeconds: OPUS_FRAME },
    });
    expect(j.probe.format.format_name).toContain('webm');
  });

  it('flv: H.264 and AAC, read and decoded by ffprobe', async () => {
    const r = await muxToBytes('out.flv', 'flv', avSource(SECONDS), H264_AAC);
    expectCleanRun(r);
    expect(readFileSync(r.path).toString('latin1', 0, 3)).toBe('FLV');
    const j = expectMedia(r.path, h264aac(r.sent));
    expect(j.probe.format.format_name).toBe('flv');
  });

  it('adts: an audio-only encoder, raw AAC frames with ADTS headers', async () => {
    const r = await muxToBytes('out.aac', 'adts', audioSource(SECONDS), AAC_ONLY);
    expectCleanRun(r);
    const buf = readFileSync(r.path);
    expect(buf[0]).toBe(0xff);
    expect(buf[1]! & 0xf0).toBe(0xf0);
    expect(r.sent).toEqual({ video: 0, audio: aacPackets(SAMPLES), descriptors: 1 });
    const j = expectMedia(r.path, { audio: { codec: 'aac', frames: r.sent.audio, frameSeconds: AAC_FRAME } });
    expect(j.probe.format.format_name).toBe('aac');
  });

  it('ogg: Opus audio only', async () => {
    const r = await muxToBytes('out.ogg', 'ogg', audioSource(SECONDS), OPUS_ONLY);
    expectCleanRun(r);
    expect(readFileSync(r.path).toString('latin1', 0, 4)).toBe('OggS');
    expect(r.sent).toEqual({ video: 0, audio: opusPackets(SAMPLES), descriptors: 1 });
    const j = expectMedia(r.path, { audio: { codec: 'opus', frames: r.sent.audio, frameSeconds: OPUS_FRAME } });
    expect(j.probe.format.format_name).toBe('ogg');
  });
});
