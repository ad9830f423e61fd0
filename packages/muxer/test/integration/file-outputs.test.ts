/**
 * File outputs: the Muxer as the last stage writes an MP4 file (with and
 * without faststart), an HLS playlist with its segments, or a DASH manifest.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { finished, pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { Encoder } from '@beamflow/encoder';
import type { EncoderConfig } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';
import type { MuxerOptions } from '@beamflow/muxer';
import { aacPackets, expectMedia, packets, topLevelBoxes } from '../probe.js';
import { FPS, H264_AAC, H264_AAC_GOP1S, SAMPLE_RATE, avSource, tap, tempDir } from './harness.js';
import type { Tap } from './harness.js';

const AAC_FRAME = 1024 / SAMPLE_RATE;
const dir = tempDir('files');

async function muxToFile(seconds: number, opts: MuxerOptions, cfg: EncoderConfig = H264_AAC): Promise<{ sent: Tap; muxer: Muxer }> {
  const rescaler = new Rescaler();
  const sent = tap(rescaler);
  const muxer = new Muxer(opts);
  await pipeline(avSource(seconds), new Encoder(cfg), rescaler, muxer);
  return { sent, muxer };
}

function packetsPerStream(path: string): Map<number, number> {
  const m = new Map<number, number>();
  for (const p of packets(path)) m.set(p.stream_index, (m.get(p.stream_index) ?? 0) + 1);
  return m;
}

describe('Muxer file output: MP4', () => {
  it('closes like any sink after a normal end: finished() resolves and close comes after the trailer', async () => {
    const path = join(dir, 'closes.mp4');
    const muxer = new Muxer({ format: 'mp4', output: path });
    const events: string[] = [];
    muxer.on('finish', () => events.push('finish'));
    muxer.on('close', () => events.push('close'));
    await pipeline(avSource(1), new Encoder(H264_AAC), new Rescaler(), muxer);
    await finished(muxer);
    await new Promise<void>((resolve) => (muxer.closed ? resolve() : muxer.once('close', () => resolve())));
    expect(events).toEqual(['finish', 'close']);
    expect(muxer.destroyed).toBe(true);
    expectMedia(path, {
      video: { codec: 'h264', frames: FPS, frameSeconds: 1 / FPS },
      audio: { codec: 'aac', frames: aacPackets(SAMPLE_RATE) - 1, frameSeconds: AAC_FRAME },
    });
  });

  it('faststart: the moov atom comes before mdat; frame counts and durations judged by ffprobe', async () => {
    const path = join(dir, 'faststart.mp4');
    const { sent, muxer } = await muxToFile(2, { format: 'mp4', output: path, faststart: true });
    expect(muxer.state).toBe('closed');
    expect(muxer.readableLength).toBe(0); // a sink: nothing comes out of it
    const boxes = topLevelBoxes(path).map((b) => b.type);
    expect(boxes[0]).toBe('ftyp');
    expect(boxes).toContain('mdat');
    expect(boxes).not.toContain('moof');
    expect(boxes.indexOf('moov')).toBeGreaterThan(0);
    expect(boxes.indexOf('moov')).toBeLessThan(boxes.indexOf('mdat'));

    expect(sent.video).toBe(2 * FPS);
    expect(sent.audio).toBe(aacPackets(2 * SAMPLE_RATE));
    // A seekable MP4 gets an edit list that hides the AAC priming frame (all 1024 of its samples are
    // skipped, so it decodes to nothing): every packet is in the file, one frame fewer is decoded.
    const j = expectMedia(path, {
      video: { codec: 'h264', frames: sent.video, frameSeconds: 1 / FPS },
      audio: { codec: 'aac', frames: sent.audio - 1, frameSeconds: AAC_FRAME },
    });
    const perStream = packetsPerStream(path);
    expect(perStream.get(j.streams.video!.index)).toBe(sent.video);
    expect(perStream.get(j.streams.audio!.index)).toBe(sent.audio);
    expect(j.streams.video!.duration).toBeCloseTo(2, 6);
  });

  it('without faststart: mdat first, then moov at the end; same content', async () => {
    const path = join(dir, 'plain.mp4');
    const { sent } = await muxToFile(2, { format: 'mp4', output: path });
    const boxes = topLevelBoxes(path).map((b) => b.type);
    expect(boxes[0]).toBe('ftyp');
    expect(boxes.indexOf('mdat')).toBeLessThan(boxes.indexOf('moov'));
    expectMedia(path, {
      video: { codec: 'h264', frames: sent.video, frameSeconds: 1 / FPS },
      audio: { codec: 'aac', frames: sent.audio - 1, frameSeconds: AAC_FRAME },
    });
  });

  it('fragmented: true on a file gives moof fragments', async () => {
    const path = join(dir, 'frag.mp4');
    const { sent } = await muxToFile(2, { format: 'mp4', output: path, fragmented: true });
    expect(topLevelBoxes(path).map((b) => b.type)).toContain('moof');
    expectMedia(path, {
      video: { codec: 'h264', frames: sent.video, frameSeconds: 1 / FPS },
      audio: { codec: 'aac', frames: sent.audio, frameSeconds: AAC_FRAME, durationToleranceFrames: 3 },
    });
  });

  it('creates missing parent directories of the output', async () => {
    const path = join(dir, 'a', 'b', 'nested.mp4');
    await muxToFile(1, { format: 'mp4', output: path });
    expect(existsSync(path)).toBe(true);
  });
});

describe('Muxer file output: HLS', () => {
  it('vod playlist with 1 s segments from a 3 s input: ENDLIST, ≥ 2 segments, every frame', async () => {
    const out = join(dir, 'hls');
    const playlist = join(out, 'index.m3u8');
    const { sent } = await muxToFile(3, { format: 'hls', output: playlist, hls: { segmentDuration: 1, playlistType: 'vod' } }, H264_AAC_GOP1S);
    const text = readFileSync(playlist, 'utf8');
    expect(text.startsWith('#EXTM3U')).toBe(true);
    expect(text).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
    expect(text.trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);
    const segments = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(segments.length).toBeGreaterThanOrEqual(2);
    for (const s of segments) {
      expect(s).toMatch(/^segment_\d{5}\.ts$/); // relative, inside the playlist's directory
      expect(existsSync(join(out, s))).toBe(true);
    }
    const extinf = [...text.matchAll(/#EXTINF:([\d.]+),/g)].map((m) => Number(m[1]));
    expect(extinf).toHaveLength(segments.length);
    expect(extinf.reduce((a, b) => a + b, 0)).toBeCloseTo(3, 1);
    expect(readdirSync(out).filter((f) => f.endsWith('.ts')).sort()).toEqual([...segments].sort());

    expect(sent.video).toBe(3 * FPS);
    expect(sent.audio).toBe(aacPackets(3 * SAMPLE_RATE));
    const j = expectMedia(playlist, {
      video: { codec: 'h264', frames: sent.video, frameSeconds: 1 / FPS },
      audio: { codec: 'aac', frames: sent.audio, frameSeconds: AAC_FRAME },
    });
    expect(j.probe.format.format_name).toBe('hls');
  });

  it('refuses segment names that leave the playlist directory (BEAMFLOW_CONFIG, hls.segmentFilename)', () => {
    const output = join(dir, 'hls-evil', 'index.m3u8');
    for (const segmentFilename of ['../evil_%d.ts', '/tmp/evil_%d.ts', 'sub/evil_%d.ts', 'sub\\evil_%d.ts', '..evil_%d.ts', '.hidden_%d.ts']) {
      expect(() => new Muxer({ format: 'hls', output, hls: { segmentFilename } }), segmentFilename).toThrow(
        expect.objectContaining({ code: 'BEAMFLOW_CONFIG', field: 'hls.segmentFilename' }),
      );
    }
    expect(() => new Muxer({ format: 'hls', output, hls: { segmentFilename: 'segment.ts' } })).toThrow(
      expect.objectContaining({ code: 'BEAMFLOW_CONFIG', field: 'hls.segmentFilename' }),
    );
    expect(existsSync(join(dir, 'hls-evil'))).toBe(false); // nothing created by a refused config
  });
});

describe('Muxer file output: DASH', () => {
  it('manifest with 1 s segments from a 3 s input: ffprobe reads every frame', async () => {
    const out = join(dir, 'dash');
    const manifest = join(out, 'manifest.mpd');
    const { sent } = await muxToFile(3, { format: 'dash', output: manifest, dash: { segmentDuration: 1 } }, H264_AAC_GOP1S);
    const xml = readFileSync(manifest, 'utf8');
    expect(xml).toContain('<MPD');
    expect(xml).toContain('type="static"');
    expect(readdirSync(out).filter((f) => f.endsWith('.m4s')).length).toBeGreaterThanOrEqual(4); // init + media per stream
    // DASH segments are MP4 with an edit list: the AAC priming frame is hidden, as in a plain MP4 file.
    const j = expectMedia(manifest, {
      video: { codec: 'h264', frames: sent.video, frameSeconds: 1 / FPS },
      audio: { codec: 'aac', frames: sent.audio - 1, frameSeconds: AAC_FRAME },
    });
    expect(j.probe.format.format_name).toBe('dash');
    expect(sent.video).toBe(3 * FPS);
  });
});
