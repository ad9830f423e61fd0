/**
 * Shared pieces of the muxer integration tests: a tiny source, the encoder
 * configs, temp directories, and a tap that counts the packets reaching the
 * Muxer.
 */
import { randomFillSync } from 'node:crypto';
import { Transform } from 'node:stream';
import { testPattern } from '@beamflow/core';
import type { Envelope, TestPatternSource } from '@beamflow/core';
import type { EncoderConfig } from '@beamflow/encoder';
import type { Muxer, Rescaler } from '@beamflow/muxer';
import { tempDir as sharedTempDir } from '../../../../test/support/media.js';

export { outcome } from '../../../../test/support/media.js';

export const FPS = 25;
export const SAMPLE_RATE = 48000;

/** 160×90 at 25 fps with a 48 kHz stereo tone, `seconds` long. */
export function avSource(seconds: number): TestPatternSource {
  return testPattern({ video: { width: 160, height: 90, frameRate: FPS }, audio: { sampleRate: SAMPLE_RATE, channels: 2 }, duration: seconds });
}

/** The tone alone. */
export function audioSource(seconds: number): TestPatternSource {
  return testPattern({ audio: { sampleRate: SAMPLE_RATE, channels: 2 }, duration: seconds });
}

export const H264_AAC: EncoderConfig = {
  video: { codec: 'h264', preset: 'veryfast', crf: 23 },
  audio: { codec: 'aac', bitRate: 128_000 },
};

/** HLS and DASH cut segments at keyframes: one a second. */
export const H264_AAC_GOP1S: EncoderConfig = {
  video: { codec: 'h264', preset: 'veryfast', crf: 23, gopSize: FPS },
  audio: { codec: 'aac', bitRate: 128_000 },
};

// 'libopus' by name: the codec name 'opus' resolves to FFmpeg's experimental native encoder, which refuses to open.
export const VP9_OPUS: EncoderConfig = {
  video: { codec: 'libvpx-vp9', options: { deadline: 'realtime', 'cpu-used': 8 } },
  audio: { codec: 'libopus' },
};

/**
 * Lossless H.264 of noise (see {@link noise}): about 1 MB for 2 s of 160×90, so byte output comes in
 * many of the Muxer's 64 KiB chunks and a sink's backpressure has something to hold back.
 */
export const H264_LOSSLESS_AAC: EncoderConfig = {
  video: { codec: 'h264', preset: 'veryfast', crf: 0 },
  audio: { codec: 'aac', bitRate: 128_000 },
};

/** Fill the luma plane of each video frame with random bytes: incompressible pictures, tiny frames. */
export function noise(): Transform {
  return new Transform({
    objectMode: true,
    highWaterMark: 2,
    transform(e: Envelope, _enc, cb) {
      if (e.type === 'frame' && e.kind === 'video') {
        const luma = e.frame.data[0];
        if (luma) randomFillSync(luma);
      }
      cb(null, e);
    },
  });
}

export const AAC_ONLY: EncoderConfig = { audio: { codec: 'aac', bitRate: 128_000 } };
export const OPUS_ONLY: EncoderConfig = { audio: { codec: 'libopus' } };

/** A fresh temp directory, removed after the file's tests (kept with BEAMFLOW_KEEP_TEST_OUTPUT=1). */
export function tempDir(tag: string): string {
  return sharedTempDir(`muxer-${tag}`);
}

/** Packets (and descriptors) that left a Rescaler, by kind: what the Muxer was sent. */
export interface Tap {
  video: number;
  audio: number;
  descriptors: number;
}

/** Count what a Rescaler emits: a 'data' listener sees every chunk the pipeline moves on. */
export function tap(r: Rescaler, onPacket?: (t: Tap) => void): Tap {
  const t: Tap = { video: 0, audio: 0, descriptors: 0 };
  r.on('data', (e: Envelope) => {
    if (e.type === 'stream') t.descriptors++;
    else if (e.type === 'packet' && e.kind !== 'subtitle') {
      t[e.kind]++;
      onPacket?.(t);
    }
  });
  return t;
}

/** Resolves once the Muxer has closed (its release, trailer included, has run). */
export function muxerClosed(m: Muxer): Promise<void> {
  if (m.closed) return Promise.resolve();
  return new Promise((resolve) => m.once('close', () => resolve()));
}

