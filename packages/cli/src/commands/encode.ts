/**
 * `beamflow encode`: the built-in test pattern (colour bars and a tone) to a
 * file, an RTMP server or stdout — a source with known content, for testing
 * players, servers and pipelines.
 */
import { pipeline } from 'node:stream/promises';
import { testPattern } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { Rescaler } from '@beamflow/muxer';
import { QUALITY_OPTIONS, reportEnd, type Command } from '../command.js';
import { COMMON_OPTIONS, parseChoice, parseFps, parseNumber, parseSize, type OptionSpec } from '../options.js';
import { muxerFor, resolveOutput } from '../output.js';
import { runJob } from '../run.js';
import { SourceGate } from '../source-gate.js';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'output', short: 'o', type: 'string', value: 'OUT', help: 'a file (.mp4 .mkv .ts .flv), an rtmp:// URL, or - for stdout' },
  { name: 'format', type: 'string', value: 'F', help: 'container: mp4, mpegts (ts), matroska (mkv), flv; default from OUT (mp4 for -)' },
  { name: 'source', type: 'string', value: 'S', default: 'test-pattern', help: 'what to encode: test-pattern' },
  { name: 'duration', type: 'string', value: 'SECONDS', default: '10', help: 'length; 0 runs until stopped' },
  { name: 'size', type: 'string', value: 'WxH', default: '1280x720', help: 'frame size, even numbers' },
  { name: 'fps', type: 'string', value: 'N', default: '25', help: 'frames per second: 25, 29.97 or 30000/1001' },
  ...QUALITY_OPTIONS,
  { name: 'no-audio', type: 'boolean', help: 'video only (otherwise a 1 kHz tone, AAC 128 kbit/s)' },
  { name: 'realtime', type: 'boolean', help: 'no faster than the clock (always on for rtmp:// outputs)' },
  ...COMMON_OPTIONS,
];

export const encode: Command = {
  name: 'encode',
  summary: 'encode the test pattern to a file, an rtmp:// URL or stdout',
  usage: ['encode [--source test-pattern] [--duration S] [--size WxH] [--fps N] -o OUT [options]'],
  description: [
    'Encodes moving colour bars and a 1 kHz tone as H.264 + AAC. The container comes from',
    "OUT's extension; -o - writes fragmented MP4 (or MPEG-TS with --format mpegts) to stdout,",
    'and then stdout carries nothing but media: progress and messages go to stderr.',
  ],
  options: OPTIONS,
  media: true,
  positionals: 0,
  examples: [
    'beamflow encode --duration 10 --size 1280x720 --fps 25 -o out.mp4',
    'beamflow encode --duration 5 --no-audio --crf 30 -o clip.mkv',
    'beamflow encode -o - --format mpegts | ffplay -',
    'beamflow encode --duration 0 -o rtmp://127.0.0.1/live/test',
  ],
  async run(args, ctx) {
    const v = args.values;
    const target = resolveOutput(v.output as string | undefined, v.format as string | undefined, 'encode');
    parseChoice('--source', String(v.source), ['test-pattern']);
    const duration = parseNumber('--duration', String(v.duration), { min: 0, max: 1e7, what: 'a number of seconds' });
    const { width, height } = parseSize('--size', String(v.size));
    const fps = parseFps('--fps', String(v.fps));
    const crf = parseNumber('--crf', String(v.crf), { min: 0, max: 51 });
    const audio = v['no-audio'] !== true;
    const live = target.kind === 'url';
    const rate = Array.isArray(fps) ? fps[0] / fps[1] : fps;
    const encoder = new Encoder({
      video: {
        codec: 'h264', preset: String(v.preset), crf,
        // Players joining a stream (a pipe, a server) start at a keyframe: one every 2 s.
        ...(target.kind !== 'file' ? { gopSize: Math.max(1, Math.round(2 * rate)) } : {}),
        // No lookahead or B-frame delay for a live peer.
        ...(live ? { options: { tune: 'zerolatency' } } : {}),
      },
      ...(audio ? { audio: { codec: 'aac', bitRate: 128_000 } } : {}),
      statsInterval: 250,
    });
    const { muxer, tail } = muxerFor(target, ctx.io.stdout);
    const source = testPattern({
      video: { width, height, frameRate: fps },
      ...(audio ? { audio: { sampleRate: 48_000, channels: 2 } } : {}),
      ...(duration > 0 ? { duration } : {}),
      realtime: v.realtime === true || live,
    });
    const gate = await SourceGate.open(source);
    ctx.progress.event('start', { command: 'encode', output: target.location, format: target.format, width, height, fps: rate, duration: duration || null, audio });
    ctx.progress.say(`encode: test pattern ${width}x${height} at ${+rate.toFixed(3)} fps, ${duration > 0 ? `${duration} s` : 'until stopped'}${audio ? ' with a tone' : ''} → ${target.kind === 'stdout' ? 'stdout' : target.location} (${target.format})`);
    const last = await runJob({
      gate, encoders: [encoder], muxers: [muxer],
      run: (signal) => pipeline([gate.readable, encoder, new Rescaler(), muxer, ...tail], { signal }),
    }, ctx.progress, ctx.interrupts);
    reportEnd(ctx, { outputs: [target.location], format: target.format, ...(target.kind === 'file' ? { file: target.location } : {}), last });
    return ctx.interrupts.exitCode ?? 0;
  },
};
