/**
 * `beamflow thumbnails IN -o DIR`: still images of a video, DIR/thumb-0001.jpg
 * and on, and with `--sprite COLUMNS` a sprite sheet and its WebVTT track
 * (DIR/sprite.jpg, DIR/thumbnails.vtt) for a web player's scrub previews:
 * `thumbnails()` and `thumbnailSprite()` of @beamflow/core, whose frame is
 * the one `ffmpeg -ss T -i IN -frames:v 1` writes. The images are written
 * once all are made, so an interrupted run leaves none half-written.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BeamflowError, thumbnails, thumbnailSprite, type Thumbnail, type ThumbnailFormat, type ThumbnailTimes } from '@beamflow/core';
import { inputSource, type Command } from '../command.js';
import { UsageError } from '../failures.js';
import { COMMON_OPTIONS, parseChoice, parseNumber, type OptionSpec } from '../options.js';

const DEFAULT_EVERY = 10;

const OPTIONS: readonly OptionSpec[] = [
  { name: 'output', short: 'o', type: 'string', value: 'DIR', help: 'directory for DIR/thumb-0001.jpg … (and sprite.jpg + thumbnails.vtt with --sprite)' },
  { name: 'every', type: 'string', value: 'S', help: `a thumbnail every S seconds from 0 to the end (default: ${DEFAULT_EVERY} unless --at is given)` },
  { name: 'at', type: 'string', value: 'T,T,...', help: 'thumbnails at these times: seconds (90.5) or [HH:]MM:SS[.mmm]; past the end, the last frame' },
  { name: 'width', type: 'string', value: 'W', default: '160', help: 'width in pixels; the height keeps the aspect, rounded to even' },
  { name: 'format', type: 'string', value: 'F', default: 'jpeg', help: 'image format: jpeg or png' },
  { name: 'sprite', type: 'string', value: 'COLUMNS', help: 'also a sprite sheet of COLUMNS tiles a row and its WebVTT track (sprite.jpg, thumbnails.vtt)' },
  ...COMMON_OPTIONS,
];

/** `90.5`, `1:30.5` or `0:01:30.5` as seconds. */
function parseTime(flag: string, text: string): number {
  const m = /^(?:(?:(\d+):)?([0-5]?\d):)?(\d+(?:\.\d+)?|\.\d+)$/.exec(text.trim());
  const seconds = m ? Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3]) : Number.NaN;
  // Minutes and seconds past 59 only make sense alone: `90` is a time, `1:90` is a typo.
  if (!m || !Number.isFinite(seconds) || (m[2] !== undefined && Number(m[3]) >= 60)) {
    throw new UsageError(`${flag}: expected times ≥ 0 as seconds (90.5) or [HH:]MM:SS[.mmm] (01:30.5), comma-separated (got '${text}')`, 'thumbnails');
  }
  return seconds;
}

function parseTimes(flag: string, text: string): number[] {
  const parts = text.split(',');
  if (parts.some((p) => p.trim() === '')) throw new UsageError(`${flag}: expected comma-separated times, e.g. 0,30,1:05 (got '${text}')`, 'thumbnails');
  return parts.map((p) => parseTime(flag, p));
}

/** `thumb-0001.jpg`: numbered from 1, at least four digits, so that the names sort in time order. */
function thumbName(i: number, count: number, ext: string): string {
  return `thumb-${String(i + 1).padStart(Math.max(4, String(count).length), '0')}.${ext}`;
}

export const thumbnailsCommand: Command = {
  name: 'thumbnails',
  summary: 'still images of a video, and a sprite sheet with its WebVTT track for scrub previews',
  usage: ['thumbnails IN -o DIR [--every S | --at T,T,...] [--width W] [--format jpeg|png] [--sprite COLUMNS]'],
  description: [
    'Writes one image per time to DIR/thumb-0001.jpg, thumb-0002.jpg, …: the first frame at or',
    'after each time (the frame ffmpeg -ss T -i IN -frames:v 1 writes), turned upright, W pixels',
    `wide. --every S takes 0, S, 2S, … to the end (default --every ${DEFAULT_EVERY}); --at takes the times listed,`,
    'and a time past the end gives the last frame. --sprite COLUMNS also lays the thumbnails out',
    'in a sheet, DIR/sprite.jpg, and writes DIR/thumbnails.vtt, whose cues (sprite.jpg#xywh=…)',
    'video.js, JW Player and hls.js-based players show while scrubbing. A file is sought in, so a',
    'long film costs a few GOPs per thumbnail. IN - reads standard input, decoded from its start.',
  ],
  options: OPTIONS,
  media: true,
  positionals: 1,
  examples: [
    'beamflow thumbnails in.mp4 -o thumbs',
    'beamflow thumbnails in.mp4 -o thumbs --every 5 --sprite 10',
    'beamflow thumbnails in.mkv -o posters --at 0:30,1:15:00 --width 1280 --format png',
  ],
  async run(args, ctx) {
    const v = args.values;
    const input = args.positionals[0];
    if (!input) throw new UsageError('missing the input file (beamflow thumbnails IN -o DIR)', 'thumbnails');
    const dir = v.output as string | undefined;
    if (!dir) throw new UsageError('-o/--output DIR is required', 'thumbnails');
    if (dir === '-' || /^[a-z][a-z0-9+.-]*:\/\//i.test(dir)) throw new UsageError('-o: thumbnails writes a directory of images; give a directory path', 'thumbnails');
    if (v.every !== undefined && v.at !== undefined) throw new UsageError('--every and --at: give one or the other', 'thumbnails');
    const times: ThumbnailTimes = v.at !== undefined
      ? { at: parseTimes('--at', String(v.at)) }
      : { every: v.every === undefined ? DEFAULT_EVERY : parseNumber('--every', String(v.every), { min: 0.001, max: 1e7, what: 'a number of seconds' }) };
    const width = parseNumber('--width', String(v.width), { min: 2, max: 16384, integer: true });
    // jpg is what people type, and the files' extension.
    const format = parseChoice<ThumbnailFormat | 'jpg'>('--format', String(v.format), ['jpeg', 'png', 'jpg']);
    const fmt: ThumbnailFormat = format === 'jpg' ? 'jpeg' : format;
    const ext = fmt === 'jpeg' ? 'jpg' : 'png';
    const columns = v.sprite === undefined ? undefined : parseNumber('--sprite', String(v.sprite), { min: 1, max: 1024, integer: true, what: 'a number of columns' });
    const what = 'at' in times ? `at ${times.at.map((t) => `${t} s`).join(', ')}` : `every ${times.every} s`;
    ctx.progress.event('start', { command: 'thumbnails', input, output: dir, format: fmt, width, ...times, ...(columns ? { sprite: columns } : {}) });
    ctx.progress.say(`thumbnails: ${input} → ${dir} (${what}, ${width} wide, ${fmt}${columns ? `, a sprite sheet ${columns} wide` : ''})`);
    // Ctrl-C stops the decoding; nothing has been written yet, so nothing is left half-done.
    const stop = new AbortController();
    ctx.interrupts.onStop(() => stop.abort());
    const opts = { width, format: fmt, signal: stop.signal };
    const started = Date.now();
    let thumbs: Thumbnail[];
    let sheet: Awaited<ReturnType<typeof thumbnailSprite>> | undefined;
    try {
      if (columns === undefined) thumbs = await thumbnails(inputSource(input), times, opts);
      else {
        sheet = await thumbnailSprite(inputSource(input), times, { ...opts, columns, name: `sprite.${ext}` });
        thumbs = 'at' in times ? inOrderAsked(sheet.thumbnails, times.at) : sheet.thumbnails;
      }
    } catch (err) {
      // The sheet's size limit is about the columns the user gave.
      if (BeamflowError.isInstance(err) && err.code === 'BEAMFLOW_CONFIG' && (err as { field?: string }).field === 'columns') {
        throw new UsageError(`--sprite: ${err.message.replace(/^columns: /, '')}`, 'thumbnails');
      }
      throw err;
    } finally {
      ctx.interrupts.onStop(undefined);
    }
    mkdirSync(dir, { recursive: true });
    const outputs = thumbs.map((t, i) => {
      const path = join(dir, thumbName(i, thumbs.length, ext));
      writeFileSync(path, t.data);
      return path;
    });
    if (sheet) {
      const image = join(dir, sheet.name);
      const vtt = join(dir, 'thumbnails.vtt');
      writeFileSync(image, sheet.image);
      writeFileSync(vtt, sheet.vtt);
      outputs.push(image, vtt);
    }
    for (const t of thumbs) if (t.time < t.requested) ctx.progress.say(`  at ${t.requested} s: past the end of the video, its last frame (${t.time.toFixed(3)} s)`);
    const first = thumbs[0]!;
    ctx.progress.event('end', {
      outputs, thumbnails: thumbs.length, width: first.width, height: first.height, format: fmt,
      ...(sheet ? { sprite: { width: sheet.width, height: sheet.height, columns: sheet.columns, rows: sheet.rows } } : {}),
      elapsed: (Date.now() - started) / 1000, exitCode: 0,
    });
    const names = `${thumbName(0, thumbs.length, ext)}${thumbs.length > 1 ? ` … ${thumbName(thumbs.length - 1, thumbs.length, ext)}` : ''}`;
    const extra = sheet ? `; ${sheet.name} (${sheet.width}x${sheet.height}, ${sheet.columns}x${sheet.rows} tiles) and thumbnails.vtt` : '';
    ctx.progress.say(`done: ${dir}: ${thumbs.length} thumbnail${thumbs.length === 1 ? '' : 's'} ${first.width}x${first.height} (${names})${extra}`);
    return 0;
  },
};

/**
 * The sheet's thumbnails (distinct times, in time order) in the order and number `--at` listed
 * them, so that thumb-0001 is the first time given, as without --sprite.
 */
function inOrderAsked(sheetThumbs: readonly Thumbnail[], at: readonly number[]): Thumbnail[] {
  const byTime = new Map(sheetThumbs.map((t) => [t.requested, t]));
  return at.map((s) => byTime.get(s)!);
}
