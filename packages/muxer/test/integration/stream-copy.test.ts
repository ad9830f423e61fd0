/**
 * Stream copy: `demuxFile()` → Rescaler → Muxer remuxes an H.264/AAC MP4
 * made by the ffmpeg command line into MPEG-TS, HLS, fragmented MP4 bytes and
 * Matroska without re-encoding. ffprobe judges each output against the
 * source: same codecs (and profile), the same frame count, the same duration
 * within a frame, strictly increasing DTS, a silent full decode — and, where
 * the container keeps H.264 in the same (length-prefixed) form, the very same
 * video packet sizes in the same order.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeFile, demuxFile } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';
import type { MuxerOptions } from '@beamflow/muxer';
import { decodeErrors, dtsViolations, packetSpan, packets, probe, type ProbeResult } from '../probe.js';
import { tempDir } from './harness.js';
import { expectNoNativeLeaks } from '../../../../test/support/leak-hooks.js';

expectNoNativeLeaks();

const dir = tempDir('copy');
const src = join(dir, 'source.mp4');
const FRAMES = 100; // 4 s at 25 fps
const VIDEO_FRAME = 1 / 25;
const AAC_FRAME = 1024 / 48000;

interface StreamFacts {
  codec: string;
  profile: string;
  /** Frames decoded by ffprobe. */
  frames: number;
  /** Packets in the file. */
  packets: number;
  /** Seconds the packets cover: latest pts + duration minus earliest pts. */
  duration: number;
}

interface Facts {
  video: StreamFacts;
  audio: StreamFacts;
  probe: ProbeResult;
}

/** Codec, profile, decoded frames, packets and the span the packets cover, of each kind. */
function facts(path: string): Facts {
  const pr = probe(path);
  const pk = packets(path);
  const profiles = ffprobeStreams(path);
  const one = (kind: 'video' | 'audio'): StreamFacts => {
    const s = pr.streams.find((x) => x.codec_type === kind);
    if (!s) throw new Error(`${path} has no ${kind} stream: ${JSON.stringify(pr.streams)}`);
    return {
      codec: s.codec_name,
      profile: profiles[s.index] ?? '',
      frames: Number(s.nb_read_frames),
      packets: pk.filter((p) => p.stream_index === s.index).length,
      duration: packetSpan(pk, s.index, s.time_base),
    };
  };
  return { video: one('video'), audio: one('audio'), probe: pr };
}

/** Stream index → codec profile. */
function ffprobeStreams(path: string): Record<number, string> {
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=index,profile', '-of', 'json', path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffprobe ${path}: ${r.stderr}`);
  const out: Record<number, string> = {};
  for (const s of (JSON.parse(r.stdout) as { streams: Array<{ index: number; profile?: string }> }).streams) out[s.index] = s.profile ?? '';
  return out;
}

/** Sizes of the video packets, in file order. */
function videoPacketSizes(path: string): number[] {
  const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=size', '-of', 'json', path], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`ffprobe ${path}: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { packets: Array<{ size: string }> }).packets.map((p) => Number(p.size));
}

let source: Facts;
const timings: Record<string, number> = {};

beforeAll(() => {
  const r = spawnSync('ffmpeg', [
    '-nostdin', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', '4', '-c:v', 'libx264', '-g', '25', '-c:a', 'aac', '-y', src,
  ], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg could not make the source: ${r.stderr}`);
  source = facts(src);
  expect(source.video.frames).toBe(FRAMES);
});

/**
 * ffprobe's verdict on a remux of the source. Durations are compared with
 * `timing` (default: the source itself); a container that stores timestamps
 * its own way is compared with what `ffmpeg -c copy` makes of the source in it.
 */
function expectCopyOf(path: string, timing: Facts = source): Facts {
  const out = facts(path);
  const pk = packets(path);
  expect(out.probe.streams.map((s) => s.codec_type).sort(), `stream kinds of ${path}`).toEqual(['audio', 'video']);
  for (const kind of ['video', 'audio'] as const) {
    const o = out[kind];
    const s = source[kind];
    expect(o.codec, `${kind} codec of ${path}`).toBe(s.codec);
    expect(o.profile, `${kind} profile of ${path}`).toBe(s.profile);
    // Every packet is kept. The source's first AAC packet is encoder priming that MP4 marks to be
    // skipped (so ffprobe decodes one frame fewer from it); the remux keeps the packet and, like
    // `ffmpeg -c copy` into these containers, it decodes: one frame per source packet.
    expect(o.packets, `${kind} packets in ${path}`).toBe(s.packets);
    expect(o.frames, `${kind} frames decoded from ${path}`).toBe(s.packets);
    const frame = kind === 'video' ? VIDEO_FRAME : AAC_FRAME;
    const t = timing[kind].duration;
    expect(Math.abs(o.duration - t), `${kind} duration ${o.duration}s of ${path} vs ${t}s (${timing === source ? 'the source' : 'ffmpeg -c copy'})`).toBeLessThanOrEqual(frame + 1e-6);
    const index = out.probe.streams.find((x) => x.codec_type === kind)!.index;
    expect(dtsViolations(pk, index), `${kind} DTS strictly increasing in ${path}`).toEqual([]);
  }
  expect(out.video.frames).toBe(FRAMES);
  expect(decodeErrors(path), `ffmpeg -v error decode of ${path}`).toBe('');
  return out;
}

async function remux(opts: MuxerOptions, sinkPath?: string): Promise<number> {
  const t0 = performance.now();
  if (sinkPath) await pipeline(demuxFile(src), new Rescaler(), new Muxer(opts), createWriteStream(sinkPath));
  else await pipeline(demuxFile(src), new Rescaler(), new Muxer(opts));
  return performance.now() - t0;
}

describe('stream copy: demuxFile → Rescaler → Muxer', () => {
  it('MP4 → MPEG-TS file: same codecs and profile, 100 frames, same duration, no re-encode', async () => {
    const out = join(dir, 'copy.ts');
    timings['remux mpegts'] = await remux({ format: 'mpegts', output: out });
    const f = expectCopyOf(out);
    expect(f.probe.format.format_name).toBe('mpegts');
    // Annex B in TS: packet sizes differ by start codes, but the count is the source's.
    expect(videoPacketSizes(out).length).toBe(videoPacketSizes(src).length);
  });

  it('MP4 → HLS (1 s segments): a playlist of several segments that plays as the source', async () => {
    const hlsDir = join(dir, 'hls');
    const playlist = join(hlsDir, 'index.m3u8');
    timings['remux hls'] = await remux({ format: 'hls', output: playlist, hls: { segmentDuration: 1 } });
    expect(existsSync(playlist)).toBe(true);
    const segments = readdirSync(hlsDir).filter((n) => n.endsWith('.ts'));
    expect(segments.length, `segments in ${hlsDir}: ${segments.join(', ')}`).toBeGreaterThanOrEqual(3);
    expectCopyOf(playlist);
  });

  it('MP4 → fragmented MP4 bytes into a write stream: as `ffmpeg -c copy` fragments it', async () => {
    const out = join(dir, 'copy-frag.mp4');
    timings['remux fmp4 bytes'] = await remux({ format: 'mp4' }, out);
    // Fragmented MP4 shifts the AAC priming packet's negative start into the first packet's
    // timing (about 70 ms longer by packet span): the command line's own remux is the reference.
    const reference = join(dir, 'reference-frag.mp4');
    const r = spawnSync('ffmpeg', ['-nostdin', '-v', 'error', '-i', src, '-c', 'copy', '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-y', reference], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const f = expectCopyOf(out, facts(reference));
    const timestamps = (path: string) => packets(path).map((p) => `${p.stream_index}:${String(p.pts)}/${String(p.dts)}`);
    expect(timestamps(out), 'packet timestamps as ffmpeg -c copy writes them').toEqual(timestamps(reference));
    expect(f.probe.format.format_name).toContain('mp4');
    expect(videoPacketSizes(out)).toEqual(videoPacketSizes(src));
  });

  it('prints how long a remux takes next to a transcode of the same file (not asserted)', async () => {
    const remuxOut = join(dir, 'timed-remux.mp4');
    const remuxMs = await remux({ format: 'mp4', output: remuxOut });
    const transOut = join(dir, 'timed-transcode.mp4');
    const t0 = performance.now();
    await pipeline(
      decodeFile(src),
      new Encoder({ video: { codec: 'libx264', preset: 'veryfast' }, audio: { codec: 'aac' } }),
      new Rescaler(),
      new Muxer({ format: 'mp4', output: transOut }),
    );
    const transcodeMs = performance.now() - t0;
    console.log(
      `stream copy vs transcode of ${FRAMES} frames 320x180 + AAC: remux ${remuxMs.toFixed(1)} ms, transcode (libx264 veryfast) ${transcodeMs.toFixed(1)} ms, ` +
        `ratio ${(transcodeMs / remuxMs).toFixed(1)}x; other remuxes: ${Object.entries(timings).map(([k, v]) => `${k} ${v.toFixed(1)} ms`).join(', ')}`,
    );
    // Both outputs are real files with the source's frame count; the times are only printed.
    expect(probe(remuxOut).streams.find((s) => s.codec_type === 'video')?.nb_read_frames).toBe(String(FRAMES));
    expect(probe(transOut).streams.find((s) => s.codec_type === 'video')?.nb_read_frames).toBe(String(FRAMES));
  });

  // Last in the file: with the Muxer as it is, this case crashes the worker process (the source's MP4
  // codec tags are copied into Matroska, whose header then fails, and the trailer written after the
  // failed header segfaults in beamcoder) — a crash takes the cases after it down with it.
  it('MP4 → Matroska: the video packets are the source\'s, byte for byte in size and order', async () => {
    const out = join(dir, 'copy.mkv');
    await remux({ format: 'matroska', output: out });
    const f = expectCopyOf(out);
    expect(f.probe.format.format_name).toContain('matroska');
    const want = videoPacketSizes(src);
    expect(want.length).toBe(FRAMES);
    expect(videoPacketSizes(out)).toEqual(want);
  });
});
