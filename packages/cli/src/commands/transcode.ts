/**
 * `beamflow transcode`: any input file to H.264 + AAC at a size and quality,
 * through the same stages as examples/transcode-file.ts (decodeFile → Scaler
 * → Encoder → Rescaler → Muxer).
 */
import { pipeline } from 'node:stream/promises';
import { decodeFile, Scaler } from '@beamflow/core';
import { Encoder, type HwDeviceOption } from '@beamflow/encoder';
import { Rescaler } from '@beamflow/muxer';
import { h264Config, HW_CHOICES, HW_OPTION, QUALITY_OPTIONS, inputSource, reportEnd, reportHardware, type Command } from '../command.js';
import { UsageError } from '../failures.js';
import { COMMON_OPTIONS, parseChoice, parseNumber, parseSize, type OptionSpec } from '../options.js';
import { muxerFor, resolveOutput } from '../output.js';
import { runJob } from '../run.js';
import { describeInput } from './describe-input.js';
import { SourceGate } from '../source-gate.js';
import { runOnCluster, SUBMIT_OPTIONS } from '../cluster.js';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'output', short: 'o', type: 'string', value: 'OUT', help: 'a file (.mp4 .mkv .ts .flv), an rtmp:// URL, or - for stdout' },
  { name: 'format', type: 'string', value: 'F', help: 'container: mp4, mpegts (ts), matroska (mkv), flv; default from OUT (mp4 for -)' },
  { name: 'size', type: 'string', value: 'WxH', help: "output frame size (default: the input's)" },
  ...QUALITY_OPTIONS,
  HW_OPTION,
  { name: 'no-audio', type: 'boolean', help: "drop the input's audio" },
  { name: 'audio-track', type: 'string', value: 'LANG|N', help: "the audio track by language as the file tags it (fra) or by stream index (default: the first)" },
  { name: 'no-autorotate', type: 'boolean', help: "keep a rotated input's pixels as stored and carry its display matrix (default: turn frames upright)" },
  { name: 'start', type: 'string', value: 'S', help: 'begin at S seconds of the input (frame accurate, as ffmpeg -ss before -i)' },
  { name: 'end', type: 'string', value: 'S', help: 'stop at S seconds of the input (as ffmpeg -to)' },
  { name: 'copyts', type: 'boolean', help: "keep the input's timestamps (default: the output starts at zero, stream offsets kept)" },
  ...SUBMIT_OPTIONS,
  { name: 'segment-duration', type: 'string', value: 'S', default: '4', help: 'with --cluster: segment length in seconds (cut at the keyframe at or after each)' },
  ...COMMON_OPTIONS,
];

export const transcode: Command = {
  name: 'transcode',
  summary: 'convert a media file to H.264 + AAC, optionally resized',
  usage: ['transcode IN -o OUT [--size WxH] [--crf N] [--preset P] [--hw auto|cuda|vaapi|none]', 'transcode IN -o OUT.mp4 --cluster URL --storage DIR [--segment-duration S]'],
  description: [
    "Decodes IN's first video and audio streams and encodes them as H.264 (4:2:0) and AAC.",
    'IN - reads standard input (MPEG-TS, Matroska, or MP4 with its index first).',
    'The container comes from OUT\'s extension; -o - writes to stdout as with encode.',
    'With --hw, --crf and --preset are used only when given (they are x264 settings; a device',
    'encoder that cannot take them loses to software, and the reason is printed).',
    'With --cluster, the job goes to `beamflow worker`s on that Redis: IN is cut into segments at',
    'its keyframes, encoded in parallel and stitched into OUT (MP4, index first); IN and OUT must',
    'be inside the --storage directory the workers share. Ctrl-C cancels the job.',
  ],
  options: OPTIONS,
  media: true,
  positionals: 1,
  examples: [
    'beamflow transcode in.mkv -o out.mp4',
    'beamflow transcode in.mov -o small.mp4 --size 640x360 --crf 28',
    'beamflow transcode in.mp4 -o out.mp4 --hw auto',
    'beamflow transcode talk.mp4 -o clip.mp4 --start 60 --end 90',
    'beamflow transcode in.mp4 -o - --format mpegts | ffplay -',
    'curl -s https://example.com/live.ts | beamflow transcode - -o copy.mp4',
    'beamflow transcode /mnt/media/in.mkv -o /mnt/media/out.mp4 --cluster redis://10.0.0.5:6379 --storage /mnt/media',
  ],
  async run(args, ctx) {
    const v = args.values;
    const input = args.positionals[0];
    if (!input) throw new UsageError('missing the input file (beamflow transcode IN -o OUT)', 'transcode');
    if (v.cluster !== undefined) {
      const out = v.output as string | undefined;
      if (!out) throw new UsageError('-o/--output OUT is required', 'transcode');
      const size = v.size === undefined ? undefined : parseSize('--size', String(v.size));
      return runOnCluster(args, ctx, {
        command: 'transcode', input, output: out, format: 'mp4',
        segmentSeconds: parseNumber('--segment-duration', String(v['segment-duration']), { min: 0.1, max: 3600, what: 'a number of seconds' }),
        video: { preset: String(v.preset) as 'veryfast', crf: parseNumber('--crf', String(v.crf), { min: 0, max: 51 }), ...(size ?? {}) },
        audio: v['no-audio'] === true ? false : { bitRate: 128_000 },
      });
    }
    const target = resolveOutput(v.output as string | undefined, v.format as string | undefined, 'transcode');
    const size = v.size === undefined ? undefined : parseSize('--size', String(v.size));
    const crf = parseNumber('--crf', String(v.crf), { min: 0, max: 51 });
    const hw = parseChoice<HwDeviceOption>('--hw', String(v.hw), HW_CHOICES);
    const audio = v['no-audio'] !== true;
    const encoder = new Encoder({
      video: h264Config(args, crf, hw),
      ...(audio ? { audio: { codec: 'aac', bitRate: 128_000 } } : {}),
      statsInterval: 250,
    });
    encoder.on('hardware', (choice) => reportHardware(ctx.progress, choice));
    const track = v['audio-track'] === undefined ? undefined : String(v['audio-track']);
    const seconds = (flag: 'start' | 'end') => (v[flag] === undefined ? {} : { [flag]: parseNumber(`--${flag}`, String(v[flag]), { min: 0, max: 1e7, what: 'a number of seconds' }) });
    const source = decodeFile(inputSource(input), {
      ...seconds('start'), ...seconds('end'),
      ...(audio ? (track === undefined ? {} : { audio: /^\d+$/.test(track) ? Number(track) : track }) : { audio: false }), ...(v.copyts === true ? { copyts: true } : {}), ...(v['no-autorotate'] === true ? { autorotate: false } : {}),
    });
    const gate = await SourceGate.open(source);
    const { muxer, tail } = muxerFor(target, ctx.io.stdout);
    ctx.progress.event('start', { command: 'transcode', input, output: target.location, format: target.format, duration: gate.info.duration ?? null });
    ctx.progress.say(`transcode: ${input} (${describeInput(gate.info)}) → ${target.kind === 'stdout' ? 'stdout' : target.location} (${target.format}${size ? `, ${size.width}x${size.height}` : ''})`);
    // Always to 4:2:0, what players decode everywhere (a no-op for most inputs), whose
    // chroma needs even sides: an odd-sized input loses its last row or column.
    const w = gate.info.video?.codecpar.width;
    const h = gate.info.video?.codecpar.height;
    const even = !size && w && h && (w % 2 || h % 2) ? { width: w - (w % 2), height: h - (h % 2) } : undefined;
    const scaler = new Scaler({ ...(size ?? even ?? {}), pixelFormat: 'yuv420p' });
    const last = await runJob({
      gate, encoders: [encoder], muxers: [muxer],
      run: (signal) => pipeline([gate.readable, scaler, encoder, new Rescaler(), muxer, ...tail], { signal }),
    }, ctx.progress, ctx.interrupts);
    reportEnd(ctx, { outputs: [target.location], format: target.format, ...(target.kind === 'file' ? { file: target.location } : {}), last });
    return ctx.interrupts.exitCode ?? 0;
  },
};
