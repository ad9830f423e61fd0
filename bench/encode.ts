/**
 * Benchmark 2, encode only: the 1080p test pattern → libx264 ultrafast →
 * MPEG-TS bytes into a Node stream, as frames per second, three ways (the
 * ffmpeg command line from its lavfi testsrc2, beamflow, a sequential
 * beamcoder loop), and each source alone (frames made and dropped).
 */
import { alternate, fmt, median, quick, runFfmpeg, runNodeJob, type Measure } from './lib.js';

const lavfi = (frames: number): string[] => ['-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=25', '-frames:v', String(frames)];

export async function encodeOnly(rounds: number): Promise<string> {
  const frames = quick ? 10 : 500;
  const bytes = { ffmpeg: 0, beamflow: 0, loop: 0 };
  const counting = (k: keyof typeof bytes) => ({ stdout: (c: Buffer) => { bytes[k] += c.length; } });
  const runs = await alternate(rounds, {
    ffmpeg: () => runFfmpeg([...lavfi(frames), '-c:v', 'libx264', '-preset', 'ultrafast', '-f', 'mpegts', '-'], counting('ffmpeg')),
    beamflow: () => runNodeJob('encode-beamflow', [String(frames)], counting('beamflow')),
    loop: () => runNodeJob('encode-loop', [String(frames)], counting('loop')),
    ffmpegSource: () => runFfmpeg([...lavfi(frames), '-f', 'null', '-']),
    beamflowSource: () => runNodeJob('encode-beamflow', [String(frames), 'source']),
  });
  for (const [k, n] of Object.entries(bytes)) {
    // 188-byte transport packets, and at least a little of them per frame.
    if (n === 0 || n % 188 !== 0) throw new Error(`${k} wrote ${n} bytes, not a whole MPEG-TS stream`);
  }
  for (const k of ['beamflow', 'loop', 'beamflowSource'] as const) {
    for (const m of runs[k]) if (m.extra.frames !== frames) throw new Error(`${k} made ${String(m.extra.frames)} frames, not ${frames}`);
  }
  // Frames per second over the process's whole life (wall from spawn to exit): startup included for all.
  const fps = (ms: Measure[]): number => median(ms.map((m) => frames / (m.wallMs / 1000)));
  const cpuPerFrame = (ms: Measure[]): number => median(ms.map((m) => m.cpuMs / frames));
  // And after startup, from the job's own clock (the Node jobs only).
  const inProcess = (ms: Measure[]): string => (ms[0]?.extra.runMs === undefined ? '—' : median(ms.map((m) => frames / ((m.extra.runMs as number) / 1000))).toFixed(0));
  const row = (label: string, ms: Measure[], ref: Measure[]): string =>
    `| ${label} | ${fps(ms).toFixed(0)} | ${inProcess(ms)} | ${cpuPerFrame(ms).toFixed(1)} ms | ${fmt.mb(median(ms.map((m) => m.maxRssMb)))} | ${fmt.x(fps(ms) / fps(ref))} |`;
  return [
    `### Encode only: 1920×1080 test pattern → libx264 ultrafast → MPEG-TS bytes to a Node stream (${frames} frames, ${rounds} rounds, medians)`,
    '',
    '| | frames/s | frames/s after startup | CPU per frame | peak RSS | frames/s ÷ ffmpeg |',
    '|---|---|---|---|---|---|',
    row('ffmpeg (lavfi testsrc2)', runs.ffmpeg, runs.ffmpeg),
    row('beamflow', runs.beamflow, runs.ffmpeg),
    row('beamcoder loop', runs.loop, runs.ffmpeg),
    row('source alone: ffmpeg lavfi → null', runs.ffmpegSource, runs.ffmpegSource),
    row('source alone: beamflow testPattern()', runs.beamflowSource, runs.ffmpegSource),
  ].join('\n');
}
