/**
 * Checking a filter chain (ffmpeg's `-vf` / `-af` syntax) before any graph is
 * built: FFmpeg's own parser says only "Invalid argument" or "Option not
 * found", so each filter name is looked up in the filters FFmpeg was built
 * with (and its media type checked), and each named option (`w=` of
 * `crop=w=100`) in that filter's options. Positional values and option values
 * are left to FFmpeg. Quotes (`'…'`) and backslash escapes are honoured.
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
  for (const segment of splitTop(spec, ',;')) {
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
