/**
 * Where a command writes: a file (container from its extension), a network
 * URL (RTMP → FLV), or stdout (`-o -`: fragmented MP4 or MPEG-TS, the two
 * containers a pipe can carry without seeking back).
 */
import { extname } from 'node:path';
import type { Writable } from 'node:stream';
import { Muxer } from '@beamflow/muxer';
import { UsageError } from './failures.js';

/** Containers the command writes, by FFmpeg muxer name. */
export const FORMATS = ['mp4', 'mpegts', 'matroska', 'flv'] as const;
export type Format = (typeof FORMATS)[number];

/** What `--format` accepts: the muxer names and their everyday short names. */
export const FORMAT_NAMES: Readonly<Record<string, Format>> = { mp4: 'mp4', mpegts: 'mpegts', ts: 'mpegts', matroska: 'matroska', mkv: 'matroska', flv: 'flv' };

const BY_EXTENSION: Readonly<Record<string, Format>> = { '.mp4': 'mp4', '.m4v': 'mp4', '.mkv': 'matroska', '.ts': 'mpegts', '.flv': 'flv' };

/** Containers that can be written to a pipe. */
const STREAMABLE: readonly Format[] = ['mp4', 'mpegts'];

export interface OutputTarget {
  kind: 'file' | 'url' | 'stdout';
  /** The path or URL; '-' for stdout. */
  location: string;
  format: Format;
}

/** Resolve `-o` and `--format` into a target, or explain what is allowed. */
export function resolveOutput(output: string | undefined, format: string | undefined, command: string): OutputTarget {
  if (output === undefined || output === '') throw new UsageError(`-o/--output is required (a file, an rtmp:// URL, or - for stdout)`, command);
  let chosen: Format | undefined;
  if (format !== undefined) {
    chosen = FORMAT_NAMES[format];
    if (!chosen) throw new UsageError(`--format: '${format}' is not one of ${Object.keys(FORMAT_NAMES).join(', ')}`, command);
  }
  if (output === '-') {
    const f = chosen ?? 'mp4';
    if (!STREAMABLE.includes(f)) throw new UsageError(`--format: ${f} cannot be written to stdout; use mp4 (fragmented) or mpegts`, command);
    return { kind: 'stdout', location: '-', format: f };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(output)?.[1]?.toLowerCase();
  if (scheme && scheme !== 'file') {
    if (scheme === 'rtmp' || scheme === 'rtmps') return { kind: 'url', location: output, format: chosen ?? 'flv' };
    if (!chosen) throw new UsageError(`--format is needed for a ${scheme}:// output (e.g. --format mpegts)`, command);
    return { kind: 'url', location: output, format: chosen };
  }
  const ext = extname(output).toLowerCase();
  const byExt = BY_EXTENSION[ext];
  if (!chosen && !byExt) {
    throw new UsageError(`cannot tell the container from '${output}': use an extension (${Object.keys(BY_EXTENSION).join(', ')}) or --format`, command);
  }
  return { kind: 'file', location: output, format: chosen ?? byExt! };
}

/** The Muxer for a target and, for stdout, the stage after it. */
export function muxerFor(target: OutputTarget, stdout: Writable & { isTTY?: boolean }): { muxer: Muxer; tail: Writable[] } {
  if (target.kind === 'stdout') {
    if (stdout.isTTY) throw new UsageError('-o - writes binary media to stdout, which is a terminal: redirect it to a file or a pipe');
    return { muxer: new Muxer({ format: target.format }), tail: [stdout] };
  }
  return {
    // A file's index goes in front (a second pass at the end) so it plays while downloading.
    muxer: new Muxer({ format: target.format, output: target.location, ...(target.format === 'mp4' && target.kind === 'file' ? { faststart: true } : {}) }),
    tail: [],
  };
}
