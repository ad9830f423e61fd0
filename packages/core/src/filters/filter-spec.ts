/**
 * Checking a filter chain (ffmpeg's `-vf` / `-af` syntax) before any graph is
 * built: FFmpeg's own parser says only "Invalid argument" or "Option not
 * found", so each filter name is looked up in the filters FFmpeg was built
 * with (and its media type checked), and each named option (`w=` of
 * `crop=w=100`) in that filter's options. Positional values and option values
 * are left to FFmpeg. Quotes (`'…'`) and backslash escapes are honoured.
 *
 * A graph with several inputs (`-filter_complex` syntax, `[in][logo]overlay`)
 * is wired by pad labels, and FFmpeg's complaint about a label that leads
 * nowhere names a pad of a filter instance, not the label: so labels are read
 * here too ({@link planGraph}), and one that names no input, an input fed to
 * two pads, or a second loose output is a ConfigError naming the label.
 */
import { ConfigError, closestNames } from '../errors.js';
import type { MediaKind } from '../envelopes.js';
import { beamcoder } from '../native.js';

interface FilterInfo {
  inputs?: Array<{ media_type?: string }>;
  outputs?: Array<{ media_type?: string }>;
  priv_class?: { options?: Record<string, unknown> } | null;
}

/** Options every filter takes, beside its own (AVFilterContext's). */
const COMMON_OPTIONS = ['enable', 'threads', 'thread_type', 'extra_hw_frames'];

/** Splits `text` at each `sep` that is not quoted or escaped. */
function splitTop(text: string, seps: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      cur += ch + text[++i]!;
      continue;
    }
    if (ch === "'") quoted = !quoted;
    if (!quoted && seps.includes(ch)) {
      parts.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  parts.push(cur);
  return parts;
}

/**
 * Throws a {@link ConfigError} on `field` naming the first unknown filter, a
 * filter of the other media type, or an option the filter does not have.
 */
export function checkFilterSpec(field: string, spec: unknown, kind: MediaKind): void {
  if (typeof spec !== 'string' || spec.trim() === '') throw new ConfigError(field, `must be a filter chain such as ${kind === 'video' ? "'crop=640:360,fps=30'" : "'volume=0.5'"}`);
  const filters = beamcoder().filters() as unknown as Record<string, FilterInfo>;
  for (const segment of splitTop(withoutSwsFlags(spec), ',;')) {
    // Pad labels before and after ([in]scale=…[out]) are the graph's wiring, not the filter.
    const body = segment.trim().replace(/^(\[[^\]]*\]\s*)+/, '').replace(/(\s*\[[^\]]*\])+$/, '');
    if (body === '') continue;
    const eq = body.indexOf('=');
    const name = (eq < 0 ? body : body.slice(0, eq)).trim().split('@')[0]!;
    const info = filters[name];
    if (!info) {
      const near = closestNames(name, Object.keys(filters));
      throw new ConfigError(field, `unknown filter '${name}' in ${JSON.stringify(spec)}${near.length ? `; close matches: ${near.join(', ')}` : ''}`, near);
    }
    const media = [...(info.inputs ?? []), ...(info.outputs ?? [])].map((p) => p.media_type).filter(Boolean);
    if (media.length > 0 && !media.includes(kind)) {
      throw new ConfigError(field, `'${name}' is a filter of ${[...new Set(media)].join('/')} frames; this chain filters ${kind}`);
    }
    if (eq < 0) continue;
    const own = Object.keys(info.priv_class?.options ?? {});
    for (const arg of splitTop(body.slice(eq + 1), ':')) {
      const k = /^\s*([A-Za-z_][\w-]*)\s*=/.exec(arg)?.[1];
      if (k === undefined || own.includes(k) || COMMON_OPTIONS.includes(k)) continue;
      throw new ConfigError(field, `filter '${name}' has no option '${k}'; its options are ${own.join(', ') || 'none'}`, own);
    }
  }
}

/** The spec without a leading `sws_flags=…;`, which FFmpeg's parser takes as the graph's scaler flags, not a filter. */
function withoutSwsFlags(spec: string): string {
  if (!/^\s*sws_flags=/.test(spec)) return spec;
  const chains = splitTop(spec, ';');
  return chains.slice(1).join(';');
}

const LEADING_LABELS = /^\s*((?:\[[^\]]*\]\s*)+)/;
const TRAILING_LABELS = /((?:\s*\[[^\]]*\])+)\s*$/;
const labelsIn = (text: string | undefined): string[] => [...(text ?? '').matchAll(/\[([^\]]*)\]/g)].map((m) => m[1]!.trim());

/**
 * How a chain is run: `'chain'`, one input and one output with no labels of the caller's
 * (`-vf`); or `'graph'`, inputs and output wired by labels (`-filter_complex`), where the
 * pipeline's own stream is `[in]`.
 */
export type GraphPlan =
  | { mode: 'chain' }
  | {
    mode: 'graph';
    /** The labels of extra inputs the graph takes, in order of first use (`in` not among them). */
    inputs: string[];
    /** The label of the graph's output: its one loose labelled output, else `out` (FFmpeg's name for an unlabelled last output). */
    output: string;
  };

/**
 * Reads the pad labels of `spec`. A spec that takes no label from outside (none, or only links
 * between its own filters: `split[a][b];[a][b]hstack`) is a plain chain. Otherwise every label
 * taken from outside must be `in` or one of `inputs`, each feeds one pad, and at most one
 * labelled output is left loose; a mistake is a {@link ConfigError} on `field` naming the label.
 */
export function planGraph(field: string, spec: string, inputs: readonly string[]): GraphPlan {
  const taken: string[] = [];
  const made: string[] = [];
  let firstTakesLabels: boolean | undefined;
  for (const chain of splitTop(withoutSwsFlags(spec), ';')) {
    for (const segment of splitTop(chain, ',')) {
      if (segment.trim() === '') continue;
      const lead = LEADING_LABELS.exec(segment)?.[1];
      const rest = lead ? segment.trim().slice(lead.trim().length) : segment;
      firstTakesLabels ??= lead !== undefined;
      taken.push(...labelsIn(lead));
      made.push(...labelsIn(TRAILING_LABELS.exec(rest)?.[1]));
    }
  }
  const outside = taken.filter((l) => !made.includes(l));
  if (outside.length === 0) return { mode: 'chain' };
  const known = ['in', ...inputs];
  const pads = (ls: readonly string[]): string => ls.map((l) => `[${l}]`).join(', ');
  for (const label of outside) {
    if (!known.includes(label)) {
      throw new ConfigError(field, `no input is labelled [${label}] in ${JSON.stringify(spec)}: the pipeline's own stream is [in]${inputs.length ? `, the Filter's inputs are ${pads(inputs)}` : ' and the Filter has no inputs'}`, known);
    }
    if (outside.filter((l) => l === label).length > 1) {
      throw new ConfigError(field, `[${label}] feeds more than one pad in ${JSON.stringify(spec)}; an input feeds one (split it first: [${label}]split[${label}1][${label}2])`);
    }
  }
  // FFmpeg's parser takes an unlabelled first filter's input to be [in].
  if (!outside.includes('in') && firstTakesLabels !== false) {
    throw new ConfigError(field, `${JSON.stringify(spec)} never takes the pipeline's own stream: label a pad [in]`);
  }
  const loose = [...new Set(made.filter((l) => !taken.includes(l)))];
  if (loose.length > 1) throw new ConfigError(field, `a Filter's graph has one output; ${pads(loose)} lead nowhere in ${JSON.stringify(spec)}`);
  return { mode: 'graph', inputs: [...new Set(outside.filter((l) => l !== 'in'))], output: loose[0] ?? 'out' };
}
