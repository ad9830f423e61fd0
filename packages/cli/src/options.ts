/**
 * Option tables, parsing (node:util parseArgs, strict) and value checks.
 * Each command describes its options once; parsing, defaults and the
 * `--help` text all come from that table, so the help cannot drift from what
 * is accepted. Every rejection is a {@link UsageError} naming the flag, what
 * was given and what is allowed.
 */
import { parseArgs } from 'node:util';
import { closestNames } from '@beamflow/core/internal';
import { UsageError } from './failures.js';

/** One option of a command. */
export interface OptionSpec {
  /** Long name, without the dashes. */
  name: string;
  short?: string;
  type: 'string' | 'boolean';
  /** Placeholder of the value in help (`WxH`). */
  value?: string;
  /** Default shown in help and used when the option is absent. */
  default?: string;
  help: string;
}

/** Options every media command takes. */
export const COMMON_OPTIONS: readonly OptionSpec[] = [
  { name: 'json', type: 'boolean', help: 'progress and the outcome as JSON lines on stderr' },
  { name: 'quiet', short: 'q', type: 'boolean', help: 'no progress; errors only' },
  { name: 'help', short: 'h', type: 'boolean', help: 'this help' },
];

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  /** Options given on the command line (not filled in from defaults). */
  given: ReadonlySet<string>;
}

/** Parse `argv` against `specs`; defaults filled in. */
export function parseCommand(command: string, specs: readonly OptionSpec[], argv: readonly string[], maxPositionals: number): Parsed {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const s of specs) options[s.name] = { type: s.type, ...(s.short ? { short: s.short } : {}) };
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true }) as typeof parsed;
  } catch (err) {
    throw new UsageError(describeParseError(command, specs, err), command);
  }
  const values: Record<string, string | boolean | undefined> = { ...parsed.values };
  const given = new Set(Object.keys(parsed.values));
  if (values.help) return { values, positionals: parsed.positionals, given };
  for (const s of specs) if (values[s.name] === undefined && s.default !== undefined) values[s.name] = s.default;
  if (parsed.positionals.length > maxPositionals) {
    const extra = parsed.positionals.slice(maxPositionals).map((p) => `'${p}'`).join(', ');
    throw new UsageError(`unexpected argument ${extra} for 'beamflow ${command}'`, command);
  }
  return { values, positionals: parsed.positionals, given };
}

function flagOf(s: OptionSpec): string {
  return `--${s.name}`;
}

function describeParseError(command: string, specs: readonly OptionSpec[], err: unknown): string {
  const e = err as { code?: string; message?: string };
  const message = String(e.message ?? err);
  const named = /'([^']+)'/.exec(message)?.[1] ?? '';
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const flags = specs.map(flagOf);
    const near = closestNames(named.replace(/^-+/, ''), specs.map((s) => s.name), 3).map((n) => `--${n}`);
    return `unknown option ${named} for 'beamflow ${command}'${near.length ? ` (did you mean ${near.join(' or ')}?)` : ''}; options: ${flags.join(', ')}`;
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const flag = /--([\w-]+)/.exec(message)?.[0] ?? named;
    const spec = specs.find((s) => flagOf(s) === flag || `-${s.short}` === flag);
    if (/does not take an argument/.test(message)) return `${flag} is a switch and takes no value`;
    // parseArgs calls a value starting with '-' ambiguous; name the fix instead.
    if (/ambiguous/.test(message)) return `${flag} needs a value${spec?.value ? ` (${spec.value})` : ''}; to give one starting with '-', write ${flag}=VALUE`;
    return `${flag} needs a value${spec?.value ? ` (${spec.value})` : ''}`;
  }
  return message.split('\n')[0] ?? message;
}

/** The help block of an option table: flags, placeholder, text, default. */
export function renderOptions(specs: readonly OptionSpec[]): string {
  const left = specs.map((s) => `${s.short ? `-${s.short}, ` : '    '}--${s.name}${s.value ? ` ${s.value}` : ''}`);
  const width = Math.max(...left.map((l) => l.length)) + 2;
  return specs
    .map((s, i) => `  ${left[i]!.padEnd(width)}${s.help}${s.default !== undefined ? ` (default: ${s.default})` : ''}`)
    .join('\n');
}

// ---- values ----------------------------------------------------------------

/** `WxH` with even sides (4:2:0 video needs them). */
export function parseSize(flag: string, text: string): { width: number; height: number } {
  const m = /^(\d+)x(\d+)$/.exec(text.trim());
  const width = Number(m?.[1]);
  const height = Number(m?.[2]);
  if (!m || !(width > 0) || !(height > 0) || width > 16384 || height > 16384) {
    throw new UsageError(`${flag}: expected WIDTHxHEIGHT, e.g. 1280x720, each from 2 to 16384 (got '${text}')`);
  }
  if (width % 2 || height % 2) throw new UsageError(`${flag}: width and height must be even for 4:2:0 video (got '${text}')`);
  return { width, height };
}

/** A number in a range; `integer` refuses fractions. */
export function parseNumber(flag: string, text: string, opts: { min: number; max: number; integer?: boolean; what?: string }): number {
  const v = text.trim() === '' ? Number.NaN : Number(text);
  const kind = opts.integer ? 'an integer' : 'a number';
  if (!Number.isFinite(v) || (opts.integer && !Number.isInteger(v)) || v < opts.min || v > opts.max) {
    throw new UsageError(`${flag}: expected ${opts.what ?? kind} from ${opts.min} to ${opts.max} (got '${text}')`);
  }
  return v;
}

/** Frames per second: `25`, `29.97` or `30000/1001`. */
export function parseFps(flag: string, text: string): number | [number, number] {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (m) {
    const num = Number(m[1]);
    const den = Number(m[2]);
    if (num > 0 && den > 0 && num / den <= 1000) return [num, den];
    throw new UsageError(`${flag}: expected a rate above 0 and up to 1000, as N or N/D (got '${text}')`);
  }
  const v = Number(text);
  if (!Number.isFinite(v) || v <= 0 || v > 1000) throw new UsageError(`${flag}: expected a rate above 0 and up to 1000, as N or N/D (got '${text}')`);
  return v;
}

/** One of a fixed list. */
export function parseChoice<T extends string>(flag: string, text: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(text)) return text as T;
  const near = closestNames(text, allowed, 2);
  throw new UsageError(`${flag}: '${text}' is not one of ${allowed.join(', ')}${near.length ? ` (did you mean ${near.join(' or ')}?)` : ''}`);
}

/** An HLS ladder: distinct even heights, e.g. `1080,720,360`. */
export function parseLadder(flag: string, text: string): number[] {
  const parts = text.split(',').map((p) => p.trim().replace(/p$/i, ''));
  const heights: number[] = [];
  for (const p of parts) {
    const h = /^\d+$/.test(p) ? Number(p) : Number.NaN;
    if (!(h >= 2 && h <= 4320) || h % 2) {
      throw new UsageError(`${flag}: expected comma-separated even heights from 2 to 4320, e.g. 1080,720,360 (got '${text}')`);
    }
    if (heights.includes(h)) throw new UsageError(`${flag}: height ${h} is listed twice`);
    heights.push(h);
  }
  return heights;
}
