/**
 * Benchmark 1, transcode: a 60 s 1280×720 H.264 + AAC file → decode → scale to
 * 640×360 → libx264 veryfast crf 23 + AAC 128k → MP4, three ways in the same
 * run, alternating: the ffmpeg command line, beamflow, and a sequential
 * beamcoder loop. Targets: wall ≤ 1.10× and CPU ≤ 1.15× ffmpeg's; wall ≤ 0.75×
 * the loop's.
 */
import { join } from 'node:path';
import { alternate, fmt, medians, probeStreams, quick, roundRatios, runFfmpeg, runNodeJob, table, tmp, transcodeInput } from './lib.js';

/** The ffmpeg command line's side of the job (beamflow's is bench/jobs/transcode-beamflow.ts). */
export const transcodeFfmpegArgs = (input: string, out: string): string[] =>
  ['-y', '-i', input, '-vf', 'scale=640:360:flags=bicubic', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-c:a', 'aac', '-b:a', '128k', out];

/** Each output must be the same job done right, or what was measured of it means nothing. */
export function checkTranscodeOutput(label: string, path: string, seconds: number): void {
  const frames = seconds * 25;
  const s = probeStreams(path);
  const v = s.find((x) => x.codec_name === 'h264');
  if (!v || v.width !== 640 || v.height !== 360 || Number(v.nb_read_packets) !== frames || !s.some((x) => x.codec_name === 'aac')) {
    throw new Error(`${label}'s output is not ${frames} frames of 640×360 H.264 with AAC: ${JSON.stringify(s)}`);
  }
}

export async function transcode(rounds: number): Promise<string> {
  const seconds = quick ? 2 : 60;
  const input = transcodeInput(seconds);
  const dir = tmp();
  const out = { ffmpeg: join(dir, 'ffmpeg.mp4'), beamflow: join(dir, 'beamflow.mp4'), loop: join(dir, 'loop.mp4') };
  const runs = await alternate(rounds, {
    ffmpeg: () => runFfmpeg(transcodeFfmpegArgs(input, out.ffmpeg)),
    beamflow: () => runNodeJob('transcode-beamflow', [input, out.beamflow]),
    loop: () => runNodeJob('transcode-loop', [input, out.loop]),
  });
  for (const [k, path] of Object.entries(out)) checkTranscodeOutput(k, path, seconds);
  const rows = [medians('ffmpeg', runs.ffmpeg), medians('beamflow', runs.beamflow), medians('beamcoder loop', runs.loop)];
  const [ff, bf, loop] = rows as [typeof rows[0], typeof rows[0], typeof rows[0]];
  return [
    `### Transcode: ${seconds} s 1280×720 H.264+AAC → 640×360 libx264 veryfast crf 23 + AAC → MP4 (${rounds} rounds, medians)`,
    '',
    table(rows),
    '',
    `- beamflow wall ÷ ffmpeg: ${fmt.x(bf.wallMs / ff.wallMs)} (target ≤ 1.10×); CPU ÷ ffmpeg: ${fmt.x(bf.cpuMs / ff.cpuMs)} (target ≤ 1.15×)`,
    `- beamflow wall ÷ sequential loop: ${fmt.x(bf.wallMs / loop.wallMs)} (target ≤ 0.75×)`,
    `- round by round: wall ÷ ffmpeg ${roundRatios(runs.beamflow, runs.ffmpeg, 'wallMs')}; CPU ÷ ffmpeg ${roundRatios(runs.beamflow, runs.ffmpeg, 'cpuMs')}; ` +
      `wall ÷ loop ${roundRatios(runs.beamflow, runs.loop, 'wallMs')}`,
  ].join('\n');
}
