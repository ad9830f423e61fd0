/**
 * Progress and outcome reporting, always on stderr: with `-o -` stdout
 * carries the media and nothing else.
 *
 * Three renderings of the same numbers (the Encoder's 'stats' events):
 * - a terminal gets one line redrawn in place (`\r` + erase), cut to the
 *   terminal's width so it never wraps (a wrapped line cannot be redrawn);
 * - a pipe or a log file gets plain lines every couple of seconds, because
 *   carriage returns turn logs into one unreadable line;
 * - `--json` gets one JSON object per line (`progress`, `end`, `error`, ...)
 *   for programs, and nothing else, so every line parses.
 */

/** The numbers a report shows. */
export interface ProgressSnapshot {
  /** Video frames taken from the source. */
  frames: number;
  fps: number;
  /** Media seconds per wall-clock second. */
  speed: number;
  /** Media time encoded, in seconds. */
  time: number;
  /** Input length in seconds, when known. */
  duration: number | undefined;
  bytes: number;
  /** Wall-clock seconds since the first frame. */
  elapsed: number;
}

export type ProgressMode = 'bar' | 'lines' | 'json' | 'quiet';

/** Where reports go: a Writable with the TTY facts Node puts on process.stderr. */
export interface ReportStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** The mode a command runs in, from its flags and whether stderr is a terminal. */
export function progressMode(flags: { json?: boolean; quiet?: boolean }, stream: ReportStream): ProgressMode {
  if (flags.json) return 'json';
  if (flags.quiet) return 'quiet';
  return stream.isTTY ? 'bar' : 'lines';
}

/** `h:mm:ss.ss`, as media players show time. */
export function formatClock(seconds: number): string {
  const s = Math.max(0, seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = (s % 60).toFixed(2).padStart(5, '0');
  return `${h}:${String(m).padStart(2, '0')}:${rest}`;
}

/** A short duration for an ETA: `42s`, `3m05s`, `1h02m`. */
export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function formatBytes(n: number): string {
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

/** Fraction done and seconds left, when the input's length is known. */
export function completion(s: ProgressSnapshot): { fraction: number; eta: number | undefined } | undefined {
  if (s.duration === undefined || !(s.duration > 0)) return undefined;
  const fraction = Math.min(1, Math.max(0, s.time / s.duration));
  const eta = s.speed > 0 ? (s.duration - Math.min(s.time, s.duration)) / s.speed : undefined;
  return { fraction, eta };
}

/** Cells of the bar itself: fixed, so the line does not shift as numbers grow. */
const BAR_CELLS = 20;

/** The in-place line of a terminal, at most `columns - 1` characters; the bar is left out when it does not fit. */
export function formatBar(s: ProgressSnapshot, columns: number): string {
  const done = completion(s);
  const stats = `frames ${s.frames}  ${s.fps.toFixed(0)} fps  ${s.speed.toFixed(2)}x  ${formatClock(s.time)}`;
  const max = Math.max(20, columns - 1);
  if (!done) return stats.slice(0, max);
  const line = `${(done.fraction * 100).toFixed(0).padStart(3)}%  ${stats}${done.eta !== undefined ? `  ETA ${formatEta(done.eta)}` : ''}`;
  const filled = Math.round(done.fraction * BAR_CELLS);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_CELLS - filled)}] `;
  return (bar.length + line.length <= max ? bar + line : line).slice(0, max);
}

/** A plain log line. */
export function formatLine(s: ProgressSnapshot): string {
  const done = completion(s);
  const parts = [
    `frames=${s.frames}`, `fps=${s.fps.toFixed(0)}`, `speed=${s.speed.toFixed(2)}x`, `time=${formatClock(s.time)}`, `size=${formatBytes(s.bytes)}`,
  ];
  if (done) {
    parts.push(`progress=${(done.fraction * 100).toFixed(0)}%`);
    if (done.eta !== undefined) parts.push(`eta=${formatEta(done.eta)}`);
  }
  return `progress: ${parts.join(' ')}`;
}

/** The numbers of a JSON progress event (rounded: they are read by programs, but not to 15 digits). */
export function progressFields(s: ProgressSnapshot): Record<string, number> {
  const done = completion(s);
  const out: Record<string, number> = {
    frames: s.frames, fps: round(s.fps, 2), speed: round(s.speed, 3), time: round(s.time, 3), bytes: s.bytes, elapsed: round(s.elapsed, 3),
  };
  if (s.duration !== undefined) out.duration = round(s.duration, 3);
  if (done) {
    out.percent = round(done.fraction * 100, 1);
    if (done.eta !== undefined) out.eta = round(done.eta, 1);
  }
  return out;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** Milliseconds between reports of each mode. */
const INTERVAL: Record<ProgressMode, number> = { bar: 200, lines: 2000, json: 1000, quiet: Infinity };

/**
 * One command's reporter. `update` is cheap to call often: it throttles to the
 * mode's pace (the first update always shows, so a short job still says
 * something).
 */
export class ProgressReporter {
  readonly mode: ProgressMode;
  readonly #stream: ReportStream;
  #lastAt: number | undefined;
  #barShown = false;
  #last: ProgressSnapshot | undefined;

  constructor(mode: ProgressMode, stream: ReportStream) {
    this.mode = mode;
    this.#stream = stream;
  }

  /** A JSON event (json mode only). */
  event(name: string, fields: Record<string, unknown>): void {
    if (this.mode === 'json') this.#stream.write(`${JSON.stringify({ event: name, ...fields })}\n`);
  }

  /** A line for people (not in json or quiet mode); a bar being drawn is moved out of the way. */
  say(line: string): void {
    if (this.mode !== 'bar' && this.mode !== 'lines') return;
    this.#clearBar();
    this.#stream.write(`${line}\n`);
  }

  update(s: ProgressSnapshot, now = performance.now()): void {
    this.#last = s;
    if (this.mode === 'quiet') return;
    if (this.#lastAt !== undefined && now - this.#lastAt < INTERVAL[this.mode]) return;
    this.#lastAt = now;
    this.#render(s);
  }

  /** The final numbers: the bar is drawn once more at its end state and the line closed. */
  finish(s: ProgressSnapshot | undefined = this.#last): void {
    if (s) this.#last = s;
    if (this.mode === 'bar' && s) this.#render(s);
    this.closeLine();
  }

  /** End a bar's line where it stands, so what is written next starts on its own line. */
  closeLine(): void {
    if (this.#barShown) this.#stream.write('\n');
    this.#barShown = false;
  }

  /** The last numbers seen. */
  get last(): ProgressSnapshot | undefined {
    return this.#last;
  }

  #render(s: ProgressSnapshot): void {
    switch (this.mode) {
      case 'bar':
        this.#stream.write(`\r\x1b[2K${formatBar(s, this.#stream.columns || 80)}`);
        this.#barShown = true;
        break;
      case 'lines':
        this.#stream.write(`${formatLine(s)}\n`);
        break;
      case 'json':
        this.event('progress', progressFields(s));
        break;
      default:
        break;
    }
  }

  #clearBar(): void {
    if (!this.#barShown) return;
    this.#stream.write('\r\x1b[2K');
    this.#barShown = false;
  }
}
