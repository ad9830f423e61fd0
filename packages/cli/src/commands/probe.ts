/**
 * `beamflow probe IN [--json]`: what a media file holds, on stdout (this
 * command's stdout is its result): a summary for people, or with `--json`
 * probe()'s result, whose field names are ffprobe's.
 */
import { probe, type ProbeChapter, type ProbeResult, type ProbeStream } from '@beamflow/core';
import { inputSource, type Command } from '../command.js';
import { UsageError } from '../failures.js';
import type { OptionSpec } from '../options.js';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'json', type: 'boolean', help: "the result as JSON on stdout (ffprobe's field names; numbers as numbers)" },
  { name: 'help', short: 'h', type: 'boolean', help: 'this help' },
];

/** `1:02:03.45`, or `0:00:01.00`. */
function clock(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return `${h}:${String(m).padStart(2, '0')}:${(seconds % 60).toFixed(2).padStart(5, '0')}`;
}

const kbps = (bits: number): string => `${Math.round(bits / 1000)} kb/s`;

/** `30000/1001` → `29.97 fps`. */
function fps(rate: string): string | undefined {
  const [n, d] = rate.split('/').map(Number);
  if (!n || !d) return undefined;
  return `${+(n / d).toFixed(3)} fps`;
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** The dispositions a reader cares about, in words. */
function flags(s: ProbeStream): string[] {
  const d = s.disposition;
  return [
    ...(d.default ? ['default'] : []), ...(d.forced ? ['forced'] : []), ...(d.attached_pic ? ['cover art'] : []),
    ...(d.hearing_impaired ? ['hearing impaired'] : []), ...(d.visual_impaired ? ['visual impaired'] : []),
    ...(d.comment ? ['commentary'] : []), ...(d.captions ? ['captions'] : []),
  ];
}

function streamLine(s: ProbeStream): string {
  const parts = [`${s.codec_name}${s.profile ? ` (${s.profile})` : ''}`];
  if (s.codec_type === 'video') {
    if (s.pix_fmt) parts.push(s.pix_fmt);
    if (s.width !== undefined && s.height !== undefined) {
      const aspect = s.sample_aspect_ratio && s.sample_aspect_ratio !== '1:1' ? ` [SAR ${s.sample_aspect_ratio} DAR ${s.display_aspect_ratio ?? '?'}]` : '';
      parts.push(`${s.width}x${s.height}${aspect}`);
    }
    // A cover picture has a nominal rate, not a frame rate.
    const avg = s.disposition.attached_pic ? undefined : fps(s.avg_frame_rate);
    if (avg) parts.push(s.avg_frame_rate === s.r_frame_rate ? avg : `${avg} (variable; base ${s.r_frame_rate})`);
    if (s.field_order && s.field_order !== 'progressive') parts.push(`interlaced (${s.field_order})`);
    if (s.rotation !== undefined && s.rotation !== 0) parts.push(`rotation ${s.rotation}°`);
  } else if (s.codec_type === 'audio') {
    if (s.sample_rate !== undefined) parts.push(`${s.sample_rate} Hz`);
    parts.push(s.channel_layout ?? (s.channels !== undefined ? `${s.channels} channels` : 'channels unknown'));
    if (s.sample_fmt) parts.push(s.sample_fmt);
  }
  if (s.bit_rate !== undefined) parts.push(kbps(s.bit_rate));
  if (s.duration !== undefined) parts.push(clock(s.duration));
  parts.push(...flags(s));
  const title = s.tags.title ? ` "${s.tags.title}"` : '';
  return `  #${s.index} ${s.codec_type}${s.language ? ` (${s.language})` : ''}${title}: ${parts.join(', ')}`;
}

function chapterLine(c: ProbeChapter): string {
  return `  ${clock(c.start_time)} – ${clock(c.end_time)}${c.tags.title ? `  ${c.tags.title}` : ''}`;
}

/** The summary `beamflow probe` prints: the container, a line per stream, the chapters. */
export function formatProbe(r: ProbeResult): string {
  const f = r.format;
  const head = [
    `${f.format_long_name} (${f.format_name})`,
    f.duration !== undefined ? clock(f.duration) : 'length unknown',
    ...(f.start_time ? [`starts at ${f.start_time.toFixed(3)} s`] : []),
    ...(f.bit_rate !== undefined ? [kbps(f.bit_rate)] : []),
    ...(f.size !== undefined ? [size(f.size)] : []),
  ];
  const lines = [`${f.filename}: ${head.join(', ')}`];
  if (f.tags.title) lines.push(`  title: ${f.tags.title}`);
  lines.push(`streams (${r.streams.length}):`, ...r.streams.map(streamLine));
  if (r.chapters.length > 0) lines.push(`chapters (${r.chapters.length}):`, ...r.chapters.map(chapterLine));
  return `${lines.join('\n')}\n`;
}

export const probeCommand: Command = {
  name: 'probe',
  summary: 'show what a media file holds: container, streams, rates, rotation, languages, chapters',
  usage: ['probe IN [--json]'],
  description: [
    "Reads IN's header (nothing is decoded) and prints the container, its duration and bit rate,",
    'then a line per stream: codec and profile, size and pixel format, frame rate (average and',
    'base, which differ for variable-rate video), display rotation, sample rate and channels,',
    'language and disposition. --json prints the same as JSON, with ffprobe\'s field names',
    '(numbers as numbers). IN - reads standard input.',
  ],
  options: OPTIONS,
  media: false,
  positionals: 1,
  examples: ['beamflow probe in.mp4', 'beamflow probe in.mkv --json | jq ".streams[] | {index, codec_name, language}"'],
  async run(args, ctx) {
    const input = args.positionals[0];
    if (!input) throw new UsageError('missing the input file (beamflow probe IN)', 'probe');
    const result = await probe(inputSource(input));
    ctx.io.stdout.write(args.values.json ? `${JSON.stringify(result, null, 2)}\n` : formatProbe(result));
    return 0;
  },
};
