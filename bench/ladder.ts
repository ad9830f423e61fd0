/**
 * Benchmark 6, ladder: the transcode benchmark's 60 s 1280×720 H.264 + AAC
 * input → a 3-rung HLS ladder (720/540/360, libx264 veryfast crf 23 + AAC
 * 128k, 2 s segments), decoded once: beamflow (decodeFile → tee → Scaler →
 * Encoder → Rescaler → HLS Muxer per rung) against the ffmpeg command line's
 * one-command ladder (split, scale, var_stream_map), alternating. Target:
 * wall ≤ 0.80× ffmpeg's. Each output is checked: every rung's playlist holds
 * every frame at its size.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { alternate, fmt, medians, probeStreams, quick, roundRatios, runFfmpeg, runNodeJob, table, tmp, transcodeInput } from './lib.js';

const RUNGS = [[1280, 720], [960, 540], [640, 360]] as const;

function ffmpegLadder(input: string, dir: string): string[] {
  const split = `[0:v]split=3[a][b][c];${RUNGS.map(([w, h], i) => `[${'abc'[i]}]scale=${w}:${h}[v${i}]`).join(';')}`;
  return [
    '-y', '-i', input, '-filter_complex', split,
    ...RUNGS.flatMap((_, i) => ['-map', `[v${i}]`, '-map', '0:a']),
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-c:a', 'aac', '-b:a', '128k',
    // Keyframes on the segment grid, as beamflow's Muxers ask their Encoders for.
    '-force_key_frames', 'expr:gte(t,n_forced*2)',
    '-f', 'hls', '-hls_time', '2', '-hls_playlist_type', 'vod', '-var_stream_map', 'v:0,a:0 v:1,a:1 v:2,a:2',
    '-hls_segment_filename', join(dir, '%v', 'seg%d.ts'), join(dir, '%v', 'index.m3u8'),
  ];
}

/** Every rung's playlist must hold `frames` frames of its size, with audio. */
function check(label: string, playlists: string[], frames: number): void {
  RUNGS.forEach(([w, h], i) => {
    const s = probeStreams(playlists[i]!);
    const v = s.find((x) => x.codec_name === 'h264');
    if (!v || v.width !== w || v.height !== h || Number(v.nb_read_packets) !== frames || !s.some((x) => x.codec_name === 'aac')) {
      throw new Error(`${label}'s ${h}p rung is not ${frames} frames of ${w}×${h} H.264 with AAC: ${JSON.stringify(s)}`);
    }
  });
}

export async function ladder(rounds: number): Promise<string> {
  const seconds = quick ? 2 : 60;
  const input = transcodeInput(seconds);
  const dirs = { ffmpeg: tmp(), beamflow: tmp() };
  const runs = await alternate(rounds, {
    ffmpeg: () => runFfmpeg(ffmpegLadder(input, dirs.ffmpeg)),
    beamflow: () => runNodeJob('ladder-beamflow', [input, dirs.beamflow]),
  });
  const frames = seconds * 25;
  check('ffmpeg', RUNGS.map((_, i) => join(dirs.ffmpeg, String(i), 'index.m3u8')), frames);
  check('beamflow', RUNGS.map(([, h]) => join(dirs.beamflow, `${h}p`, 'index.m3u8')), frames);
  const segs = (d: string) => readdirSync(d).filter((f) => f.endsWith('.ts')).length;
  const rows = [medians('ffmpeg (split, scale, var_stream_map)', runs.ffmpeg), medians('beamflow (tee → 3 pipelines)', runs.beamflow)];
  const [ff, bf] = rows as [typeof rows[0], typeof rows[0]];
  return [
    `### Ladder: ${seconds} s 1280×720 H.264+AAC → HLS 720/540/360, libx264 veryfast crf 23 + AAC, 2 s segments (${rounds} rounds, medians)`,
    '',
    table(rows),
    '',
    `- beamflow wall ÷ ffmpeg: ${fmt.x(bf.wallMs / ff.wallMs)} (target ≤ 0.80×); CPU ÷ ffmpeg: ${fmt.x(bf.cpuMs / ff.cpuMs)}`,
    `- round by round: wall ÷ ffmpeg ${roundRatios(runs.beamflow, runs.ffmpeg, 'wallMs')}; CPU ÷ ffmpeg ${roundRatios(runs.beamflow, runs.ffmpeg, 'cpuMs')}`,
    `- segments per rung: ffmpeg ${segs(join(dirs.ffmpeg, '0'))}, beamflow ${segs(join(dirs.beamflow, '720p'))}`,
  ].join('\n');
}
