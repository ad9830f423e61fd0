/**
 * `beamflow hls`: one decode, one rendition per ladder height (a tee feeds a
 * Scaler + Encoder + Muxer each), an HLS playlist per rendition and a master
 * playlist over them — the shape of examples/hls-ladder.ts.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { decodeFile, Scaler, tee } from '@beamflow/core';
import { Encoder, type HwDeviceOption } from '@beamflow/encoder';
import { codecsOf, Muxer, Rescaler, writeHlsMasterPlaylist } from '@beamflow/muxer';
import { h264Config, HW_CHOICES, HW_OPTION, QUALITY_OPTIONS, inputSource, reportEnd, reportHardware, type Command } from '../command.js';
import { UsageError } from '../failures.js';
import { COMMON_OPTIONS, parseChoice, parseLadder, parseNumber, type OptionSpec } from '../options.js';
import { runJob } from '../run.js';
import { SourceGate } from '../source-gate.js';
import { describeInput } from './describe-input.js';
import { runOnCluster, SUBMIT_OPTIONS } from '../cluster.js';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'output', short: 'o', type: 'string', value: 'DIR', help: 'directory for DIR/master.m3u8 and DIR/<height>p/index.m3u8 + segments' },
  { name: 'ladder', type: 'string', value: 'H,H,...', default: '1080,720,360', help: "rendition heights; widths keep the input's aspect, rounded to even" },
  { name: 'segment-duration', type: 'string', value: 'SECONDS', default: '4', help: 'segment length (each Encoder is asked for a keyframe on every boundary)' },
  ...QUALITY_OPTIONS,
  HW_OPTION,
  { name: 'no-audio', type: 'boolean', help: "drop the input's audio" },
  ...SUBMIT_OPTIONS,
  ...COMMON_OPTIONS,
];

export const hls: Command = {
  name: 'hls',
  summary: 'make an HLS ladder (one playlist per height + a master playlist)',
  usage: ['hls IN -o DIR [--ladder 1080,720,360] [--segment-duration S] [options]', 'hls IN -o DIR --cluster URL --storage DIR [--ladder …] [--segment-duration S]'],
  description: [
    'Decodes IN once and encodes one H.264 + AAC rendition per height, each an HLS playlist',
    'with MPEG-TS segments, then writes DIR/master.m3u8 listing them with measured bandwidth.',
    'IN - reads standard input (MPEG-TS, Matroska, or MP4 with its index first).',
    'With --cluster, `beamflow worker`s on that Redis encode it, one job per rendition and segment',
    '(cut at the keyframes of IN, the same cuts for every rung); the audio is one rendition of its',
    'own (DIR/audio/). IN and DIR must be inside the --storage directory the workers share.',
  ],
  options: OPTIONS,
  media: true,
  positionals: 1,
  examples: [
    'beamflow hls in.mp4 -o out/hls',
    'beamflow hls in.mkv -o out/hls --ladder 720,360 --segment-duration 2',
  ],
  async run(args, ctx) {
    const v = args.values;
    const input = args.positionals[0];
    if (!input) throw new UsageError('missing the input file (beamflow hls IN -o DIR)', 'hls');
    const dir = v.output as string | undefined;
    if (!dir) throw new UsageError('-o/--output DIR is required', 'hls');
    if (dir === '-' || /^[a-z][a-z0-9+.-]*:\/\//i.test(dir)) throw new UsageError('-o: hls writes a directory of playlists and segments; give a directory path', 'hls');
    const ladder = parseLadder('--ladder', String(v.ladder));
    const segment = parseNumber('--segment-duration', String(v['segment-duration']), { min: 0.1, max: 600, what: 'a number of seconds' });
    const crf = parseNumber('--crf', String(v.crf), { min: 0, max: 51 });
    if (v.cluster !== undefined) {
      return runOnCluster(args, ctx, {
        command: 'hls', input, output: dir, format: 'hls', segmentSeconds: segment,
        video: { preset: String(v.preset) as 'veryfast', crf }, ladder: ladder.map((height) => ({ height })),
        audio: v['no-audio'] === true ? false : { bitRate: 128_000 },
      });
    }
    const hw = parseChoice<HwDeviceOption>('--hw', String(v.hw), HW_CHOICES);
    const audio = v['no-audio'] !== true;
    const gate = await SourceGate.open(decodeFile(inputSource(input), { video: true, ...(audio ? {} : { audio: false }) }));
    const inputHeight = gate.info.video?.codecpar.height;
    const renditions = ladder.map((height, i) => {
      const encoder = new Encoder({
        // No GOP size: each rung's Muxer asks its Encoder for a keyframe at every segment boundary,
        // by time, so segments are the target length and line up across rungs, VFR input included.
        video: h264Config(args, crf, hw),
        ...(audio ? { audio: { codec: 'aac', bitRate: height >= 720 ? 128_000 : 96_000 } } : {}),
        statsInterval: 250,
      });
      if (i === 0) encoder.on('hardware', (choice) => reportHardware(ctx.progress, choice));
      const playlist = join(dir, `${height}p`, 'index.m3u8');
      const muxer = new Muxer({ format: 'hls', output: playlist, hls: { segmentDuration: segment, playlistType: 'vod' } });
      return { height, encoder, muxer, playlist };
    });
    ctx.progress.event('start', { command: 'hls', input, output: dir, ladder, segmentDuration: segment, duration: gate.info.duration ?? null });
    ctx.progress.say(`hls: ${input} (${describeInput(gate.info)}) → ${dir} (${ladder.map((h) => `${h}p`).join(', ')})`);
    const upscaled = inputHeight ? ladder.filter((h) => h > inputHeight) : [];
    if (upscaled.length) ctx.progress.say(`note: ${upscaled.map((h) => `${h}p`).join(', ')} above the input's ${inputHeight} rows: upscaled`);
    const last = await runJob({
      gate, encoders: renditions.map((r) => r.encoder), muxers: renditions.map((r) => r.muxer),
      run: (signal) => {
        const branches = tee(gate.readable, renditions.length);
        return Promise.all(renditions.map((r, i) => pipeline(
          [branches[i]!, new Scaler({ height: r.height, pixelFormat: 'yuv420p' }), r.encoder, new Rescaler(), r.muxer], { signal },
        )));
      },
    }, ctx.progress, ctx.interrupts);
    const master = join(dir, 'master.m3u8');
    // A run stopped before its first segment has no playlists to list.
    const written = renditions.filter((r) => existsSync(r.playlist));
    if (written.length) {
      writeHlsMasterPlaylist(master, written.map((r) => {
        const video = r.muxer.streams.find((d) => d.kind === 'video');
        return {
          playlist: r.playlist,
          ...(video?.codecpar.width ? { width: video.codecpar.width } : {}),
          height: video?.codecpar.height ?? r.height,
          codecs: codecsOf(r.muxer.streams),
          ...(video?.frameRate ? { frameRate: video.frameRate.num / video.frameRate.den } : {}),
        };
      }));
    }
    reportEnd(ctx, { outputs: written.length ? [master, ...written.map((r) => r.playlist)] : [], format: 'hls', last });
    return ctx.interrupts.exitCode ?? 0;
  },
};
