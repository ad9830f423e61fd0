/**
 * DASH segments where the manifest says: a DASH Muxer asks its Encoder for a
 * keyframe at every segment boundary (as an HLS Muxer does, see
 * keyframes.test.ts), so a ladder of two rungs fed by one tee, with no GOP
 * size set, has segments of the length asked on both rungs and keyframes at
 * the same times on both. Judged twice: the SegmentTimeline each manifest
 * writes, and ffprobe's view of each rung's init segment followed by its
 * media segments.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { Scaler, tee, testPattern } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';
import { tempDir } from '../../../../test/support/media.js';
import { decodeErrors } from '../../../../test/support/probe.js';

const dir = tempDir('dash-segments');
const SEGMENT = 2;
const SECONDS = 7;

interface Timeline {
  /** Seconds per tick of the timeline. */
  timescale: number;
  /** Each segment's start and duration, in ticks, with `r` repeats expanded. */
  segments: Array<{ t: number; d: number }>;
}

/** The SegmentTimeline of the manifest's video AdaptationSet. */
function videoTimeline(mpd: string): Timeline {
  const xml = readFileSync(mpd, 'utf8');
  const sets = xml.split('<AdaptationSet').slice(1);
  const video = sets.find((s) => /contentType="video"|mimeType="video\//.test(s));
  if (!video) throw new Error(`no video AdaptationSet in ${mpd}:\n${xml}`);
  const timescale = Number(/<SegmentTemplate[^>]*\btimescale="(\d+)"/.exec(video)?.[1]);
  const segments: Timeline['segments'] = [];
  let next = 0;
  for (const m of video.matchAll(/<S\b([^>]*)\/>/g)) {
    const attr = (k: string): number | undefined => {
      const v = new RegExp(`\\b${k}="(-?\\d+)"`).exec(m[1]!)?.[1];
      return v === undefined ? undefined : Number(v);
    };
    const d = attr('d')!;
    let t = attr('t') ?? next;
    for (let i = 0; i <= (attr('r') ?? 0); i++) {
      segments.push({ t, d });
      t += d;
    }
    next = t;
  }
  return { timescale, segments };
}

/** One rung's video as a single fragmented MP4: its init segment, then its media segments in order. */
function joinedVideo(rungDir: string): string {
  const files = readdirSync(rungDir);
  const init = files.find((f) => /^init-stream0\.m4s$/.test(f));
  const chunks = files.filter((f) => /^chunk-stream0-\d+\.m4s$/.test(f)).sort();
  if (!init || chunks.length === 0) throw new Error(`no video segments in ${rungDir}: ${files.join(' ')}`);
  const out = join(rungDir, 'video-joined.mp4');
  writeFileSync(out, Buffer.concat([init, ...chunks].map((f) => readFileSync(join(rungDir, f)))));
  return out;
}

/** Presentation times of the video keyframes, as ffprobe reads the packets. */
function keyframeTimes(path: string): number[] {
  const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.split('\n').filter((l) => /,K/.test(l)).map((l) => Number(l.split(',')[0])).sort((a, b) => a - b);
}

describe('DASH segments', () => {
  for (const rate of [[25, 1], [30000, 1001]] as const) {
    const frame = rate[1] / rate[0];
    it(`a 2-rung ladder through a tee at ${rate.join('/')} fps: segments of segmentDuration on both rungs, keyframes at the same times, no GOP size`, async () => {
      const source = testPattern({ video: { width: 256, height: 144, frameRate: rate }, audio: { sampleRate: 48000, channels: 2 }, duration: SECONDS });
      const out = join(dir, `${rate[0]}`);
      const rungs = [144, 72].map((height) => ({ height, dir: join(out, `${height}p`), mpd: join(out, `${height}p`, 'manifest.mpd') }));
      const branches = tee(source, rungs.length);
      await Promise.all(rungs.map((r, i) => pipeline(
        branches[i]!,
        new Scaler({ height: r.height }),
        // No gopSize, and no scene-cut keyframes of x264's own: only the Muxer's requests place keyframes.
        new Encoder({ video: { codec: 'h264', preset: 'veryfast', crf: 28, options: { sc_threshold: 0 } }, audio: { codec: 'aac' } }),
        new Rescaler(),
        new Muxer({ format: 'dash', output: r.mpd, dash: { segmentDuration: SEGMENT } }),
      )));

      const timelines = rungs.map((r) => videoTimeline(r.mpd));
      for (const tl of timelines) {
        const seconds = tl.segments.map((s) => s.d / tl.timescale);
        expect(seconds).toHaveLength(Math.ceil(SECONDS / SEGMENT));
        // Every segment but the last within one frame of the length asked; the last holds what is left.
        for (const d of seconds.slice(0, -1)) expect(Math.abs(d - SEGMENT)).toBeLessThanOrEqual(frame + 1e-9);
        expect(seconds.reduce((a, b) => a + b, 0)).toBeCloseTo(SECONDS, 1);
      }
      // The rungs switch at the same instants: the same segment starts, in seconds.
      const starts = timelines.map((tl) => tl.segments.map((s) => s.t / tl.timescale));
      expect(starts[1]).toEqual(starts[0]);

      const keys = rungs.map((r) => keyframeTimes(joinedVideo(r.dir)));
      expect(keys[1]).toEqual(keys[0]);
      // One keyframe per boundary: on the first frame at or after each multiple of the segment length.
      expect(keys[0]).toHaveLength(starts[0]!.length);
      keys[0]!.forEach((k, n) => {
        expect(k).toBeGreaterThanOrEqual(n * SEGMENT - 1e-6);
        expect(k).toBeLessThan(n * SEGMENT + frame);
      });
      // Each media segment starts on one of them.
      expect(keys[0]!.map((k) => k - keys[0]![0]!)).toEqual(starts[0]!.map((s) => expect.closeTo(s - starts[0]![0]!, 4)));
      for (const r of rungs) expect(decodeErrors(r.mpd)).toBe('');
    });
  }
});
