/**
 * ffprobe / ffmpeg helpers for the muxer tests: ffprobe is the judge of every
 * output (streams, codecs, frame counts, durations, monotonic DTS) and
 * `ffmpeg -v error -i OUT -f null -` must decode it without a word.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { expect } from 'vitest';
import {
  decodeErrors, dtsViolations, probe, probePackets, streamSeconds, type ProbePacket, type ProbeResult,
} from '../../../test/support/probe.js';

export { decodeErrors, dtsViolations, packetSpan, probe, probePackets as packets, tbSeconds } from '../../../test/support/probe.js';
export type { ProbePacket, ProbeResult, ProbeStream } from '../../../test/support/probe.js';

/** What a test expects of one stream. */
export interface StreamExpectation {
  codec: string;
  /** Decoded frames (`nb_read_frames`). */
  frames: number;
  /** Seconds per frame (1/25 for video, 1024/48000 for AAC, 960/48000 for Opus). */
  frameSeconds: number;
  /** Allowed distance of the stream's duration from frames × frameSeconds, in frames (default 1). */
  durationToleranceFrames?: number;
  /** Seconds covered that are expected beyond frames × frameSeconds (a container's own shift). */
  durationExtraSeconds?: number;
}

export interface MediaExpectation {
  video?: StreamExpectation;
  audio?: StreamExpectation;
}

/** The measured facts of a media file, for assertions and for failure messages. */
export interface Judged {
  probe: ProbeResult;
  packets: ProbePacket[];
  /** Per kind: frames decoded, duration used for the check, DTS violations. */
  streams: Partial<Record<'video' | 'audio', { index: number; frames: number; duration: number; dtsBad: string[] }>>;
  decodeErrors: string;
}

/**
 * ffprobe's verdict on a media file: stream count and codecs, decoded frame
 * counts, durations within a frame of frames ÷ rate, strictly increasing DTS
 * in every stream, and a silent full decode.
 *
 * The duration of a stream is ffprobe's stream duration when the container
 * states one, else the span its packets cover.
 */
export function expectMedia(path: string, want: MediaExpectation): Judged {
  const pr = probe(path);
  const pk = probePackets(path);
  const kinds = (['video', 'audio'] as const).filter((k) => want[k] !== undefined);
  expect(pr.streams.map((s) => s.codec_type).sort(), `stream kinds of ${path}`).toEqual([...kinds].sort());
  const judged: Judged = { probe: pr, packets: pk, streams: {}, decodeErrors: '' };
  for (const kind of kinds) {
    const w = want[kind]!;
    const s = pr.streams.find((x) => x.codec_type === kind)!;
    expect(s.codec_name, `${kind} codec of ${path}`).toBe(w.codec);
    const frames = Number(s.nb_read_frames);
    const duration = streamSeconds(s, pk);
    const dtsBad = dtsViolations(pk, s.index);
    judged.streams[kind] = { index: s.index, frames, duration, dtsBad };
    expect(frames, `${kind} frames decoded from ${path}`).toBe(w.frames);
    const nominal = w.frames * w.frameSeconds + (w.durationExtraSeconds ?? 0);
    const tol = (w.durationToleranceFrames ?? 1) * w.frameSeconds + 1e-6;
    expect(Math.abs(duration - nominal), `${kind} duration ${duration}s of ${path} vs ${nominal}s`).toBeLessThanOrEqual(tol);
    expect(dtsBad, `${kind} DTS strictly increasing in ${path}`).toEqual([]);
    expect(pk.some((p) => p.stream_index === s.index && p.dts !== undefined) || kind === 'video', `${kind} packets carry DTS in ${path}`).toBe(true);
  }
  judged.decodeErrors = decodeErrors(path);
  expect(judged.decodeErrors, `ffmpeg -v error decode of ${path}`).toBe('');
  return judged;
}

/** Top-level ISO BMFF boxes of a file: type, offset and size, in file order. */
export function topLevelBoxes(path: string): Array<{ type: string; offset: number; size: number }> {
  const total = statSync(path).size;
  const fd = openSync(path, 'r');
  const boxes: Array<{ type: string; offset: number; size: number }> = [];
  try {
    const head = Buffer.alloc(16);
    let off = 0;
    while (off + 8 <= total) {
      readSync(fd, head, 0, 16, off);
      let size = head.readUInt32BE(0);
      const type = head.toString('latin1', 4, 8);
      if (size === 1) size = Number(head.readBigUInt64BE(8));
      else if (size === 0) size = total - off;
      if (size < 8) throw new Error(`bad box size ${size} at ${off} in ${path}`);
      boxes.push({ type, offset: off, size });
      off += size;
    }
  } finally {
    closeSync(fd);
  }
  return boxes;
}

/** AAC packets FFmpeg's encoder gives for `samples` input samples: one priming frame (1024 samples of padding) plus the input, in 1024-sample frames. */
export function aacPackets(samples: number): number {
  return Math.ceil((samples + 1024) / 1024);
}

/** Opus packets libopus gives for `samples` at 48 kHz in 20 ms frames, with its 312-sample pre-skip. */
export function opusPackets(samples: number): number {
  return Math.ceil((samples + 312) / 960);
}
