/**
 * What a command is (its option table, help text and run function) and the
 * pieces the media commands share: the video encoder settings, the
 * hardware-choice report and the end-of-run summary.
 */
import { statSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { VideoEncoderConfig, HwDeviceOption } from '@beamflow/encoder';
import type { HardwareChoice } from '@beamflow/hw';
import type { OptionSpec, Parsed } from './options.js';
import { formatClock, type ProgressReporter, type ProgressSnapshot, type ReportStream } from './progress.js';
import type { Interrupts } from './run.js';

/** The process's streams, injectable so nothing reaches for globals. */
export interface Io {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & ReportStream;
}

export interface CommandContext {
  io: Io;
  progress: ProgressReporter;
  interrupts: Interrupts;
}

export interface Command {
  name: string;
  /** One line for the program's command list. */
  summary: string;
  /** Usage lines, without the `beamflow ` prefix. */
  usage: string[];
  /** Paragraphs after the usage. */
  description: string[];
  options: readonly OptionSpec[];
  /** Positional arguments accepted at most. */
  positionals: number;
  examples: string[];
  /** Whether Ctrl-C stops it gracefully (media commands); others keep Node's default. */
  media: boolean;
  run(args: Parsed, ctx: CommandContext): Promise<number>;
}

/** x264 settings the media commands share. */
export const QUALITY_OPTIONS: readonly OptionSpec[] = [
  { name: 'crf', type: 'string', value: 'N', default: '23', help: 'constant quality, 0–51 (lower is better and bigger)' },
  { name: 'preset', type: 'string', value: 'P', default: 'veryfast', help: 'x264 speed/size trade-off: ultrafast … veryslow' },
];

export const HW_OPTION: OptionSpec = {
  name: 'hw', type: 'string', value: 'DEV', default: 'none',
  help: 'video encoder device: auto (CUDA, then VAAPI, then software), cuda, vaapi, none',
};

export const HW_CHOICES: readonly HwDeviceOption[] = ['auto', 'cuda', 'vaapi', 'none'];

/**
 * H.264 settings from the flags. With a device asked for, --crf and --preset
 * are passed only when given: they are x264's, a device encoder that cannot
 * take them loses the negotiation (with that reason), and the defaults should
 * not make `--hw auto` fall back to software on their own.
 */
export function h264Config(args: Parsed, crf: number, hw: HwDeviceOption): VideoEncoderConfig {
  const device = hw !== 'none';
  return {
    codec: 'h264',
    ...(!device || args.given.has('preset') ? { preset: String(args.values.preset) } : {}),
    ...(!device || args.given.has('crf') ? { crf } : {}),
    ...(device ? { hwDevice: hw } : {}),
  };
}

/** Report a negotiated video encoder: which one, and why each device lost. */
export function reportHardware(progress: ProgressReporter, choice: HardwareChoice | undefined): void {
  if (!choice) return;
  progress.event('hardware', {
    kind: choice.kind, encoder: choice.encoder, device: choice.device?.device ?? null,
    rejected: choice.rejected.map((r) => ({ kind: r.kind, encoder: r.encoder, reason: r.reason })),
  });
  progress.say(`video encoder: ${choice.encoder} (${choice.kind}${choice.device ? ` ${choice.device.device}` : ''})`);
  for (const r of choice.rejected) progress.say(`  not ${r.encoder}: ${r.reason}`);
}

/** The closing line (or `end` event) of a media command. */
export function reportEnd(
  ctx: CommandContext,
  outcome: { outputs: string[]; format: string; file?: string; last: ProgressSnapshot },
): void {
  const { progress, interrupts } = ctx;
  const { last } = outcome;
  let size: number | undefined;
  if (outcome.file) {
    try {
      size = statSync(outcome.file).size;
    } catch {
      // nothing written (stopped before the first packet)
    }
  }
  progress.event('end', {
    outputs: outcome.outputs, format: outcome.format, frames: last.frames, time: Math.round(last.time * 1000) / 1000,
    bytes: last.bytes, ...(size !== undefined ? { size } : {}), elapsed: Math.round(last.elapsed * 1000) / 1000,
    ...(interrupts.signal ? { signal: interrupts.signal } : {}), exitCode: interrupts.exitCode ?? 0,
  });
  const where = outcome.outputs.map((o) => (o === '-' ? 'stdout' : o)).join(', ');
  const numbers = `${last.frames} frames, ${formatClock(last.time)}${size !== undefined ? `, ${(size / 1024).toFixed(0)} KiB` : ''}, ${last.elapsed.toFixed(1)} s (${last.speed.toFixed(2)}x)`;
  progress.say(interrupts.signal ? `stopped by ${interrupts.signal}: ${where} finalized (${numbers})` : `done: ${where} (${numbers})`);
}

/**
 * The source a command's IN names: a file, or `-` for standard input (FFmpeg's `pipe:0`, as
 * `ffmpeg -i -` reads it). A pipe carries containers that need no seeking back: MPEG-TS,
 * Matroska, fragmented MP4 or an MP4 with its index first.
 */
export function inputSource(input: string): string {
  return input === '-' ? 'pipe:0' : input;
}
